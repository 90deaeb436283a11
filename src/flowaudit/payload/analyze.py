"""One request, all detectors: decode, then canaries, vendor adapters and generic detectors.

The order is the order of trust. Canary and adapter hits are ``certain``;
generic hits are ``likely`` or ``possible``; where two name the same data
type at the same place, the most confident one is kept (the first among
equals, so a canary's or an adapter's wording wins). An amount is a
purchase only in a purchase-type event, whoever found it
(:mod:`~flowaudit.payload.detectors.commerce`). Credentials never
come out as data, whoever found them: values under a credential key and
fields an adapter marks as secrets are dropped from canary hits too. Where a
documented field's record rules a data type out (a price in a product-view
event is no purchase), a generic guess of that type there is dropped; where
it rules the type in (a UET total on a purchase page), the vendor's fields
have said what the event is and the generic event reading is not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from flowaudit.model import Observation
from flowaudit.payload.adapters import Adapters, load_adapters
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors import detect_generic, strongest
from flowaudit.payload.detectors.commerce import purchases_in_context
from flowaudit.payload.detectors.keys import under_credential
from flowaudit.payload.model import DecodedRequest, Detection


class CanaryMatcher(Protocol):
    """Finds the declaration's canary values in a decoded request."""

    def scan(self, decoded: DecodedRequest) -> Iterable[Detection]: ...


def analyze(
    obs: Observation, canary_matcher: CanaryMatcher | None = None, *, adapters: Adapters | None = None
) -> list[Detection]:
    """Every data type found in one observed request, strongest evidence per place and type."""
    return analyze_decoded(decode_request(obs), obs.host, obs.path, canary_matcher, adapters=adapters)


def analyze_decoded(
    decoded: DecodedRequest,
    host: str,
    path: str,
    canary_matcher: CanaryMatcher | None = None,
    *,
    adapters: Adapters | None = None,
) -> list[Detection]:
    """:func:`analyze` for a request already decoded (the engine may need the decoded form too)."""
    adapted = (adapters or load_adapters()).match(decoded, host, path)
    found: list[Detection] = []
    if canary_matcher is not None:
        found.extend(
            hit
            for hit in canary_matcher.scan(decoded)
            if hit.location not in adapted.secrets and not under_credential(hit.location)
        )
    found.extend(d for d in adapted.detections if d not in adapted.in_context)
    found.extend(
        hit
        for hit in detect_generic(decoded, skip=adapted.secrets, described=adapted.described)
        if (hit.location, hit.data_type) not in adapted.ruled_out
    )
    return strongest([*adapted.in_context, *purchases_in_context(decoded, found)])
