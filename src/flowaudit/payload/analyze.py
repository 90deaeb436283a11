"""One request, all detectors: decode, then canaries, vendor adapters and generic detectors.

The order is the order of trust. Canary and adapter hits are ``certain``;
generic hits are ``likely`` or ``possible``; where two name the same data
type at the same place, the most confident one is kept (the first among
equals, so a canary's or an adapter's wording wins). An amount is a
purchase only in a purchase-type event, whoever found it
(:mod:`~flowaudit.payload.detectors.commerce`). Credentials never
come out as data, whoever found them: values under a credential key and
fields an adapter marks as secrets are dropped from canary hits too. A field
the vendor documents says what it holds: a generic guess at its place is
dropped where the field's record rules that type out (a price in a
product-view event is no purchase) or where the field is another reading of
the same value (OneSignal's iOS ad_id is a device id, not an advertising id;
a hashed form postcode is profile data, not a location). Where a field's
record rules a type in (a UET total on a purchase page), the vendor's fields
have said what the event is and the generic event reading is not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from flowaudit.model import Observation
from flowaudit.payload.adapters import Adapters, load_adapters
from flowaudit.payload.decode import decode_request
from flowaudit.payload.decode.walker import Keep, window_pairs
from flowaudit.payload.detectors import detect_generic, strongest
from flowaudit.payload.detectors.commerce import purchases_in_context
from flowaudit.payload.detectors.cookies import detect_cookie_ids
from flowaudit.payload.detectors.families import family_of
from flowaudit.payload.detectors.keys import under_credential
from flowaudit.payload.detectors.syncids import detect_sync_ids
from flowaudit.payload.detectors.terms import load_terms, tokenize
from flowaudit.payload.model import DecodedRequest, Detection

# Readings of one value that exclude each other: an id is a user's, a device's or an
# advertising id, not two of them; a postcode is profile data or a location.
_ALTERNATIVES = (
    frozenset(
        {"identifiers.user_id", "identifiers.device_id", "identifiers.advertising_id", "identifiers.hardware_id"}
    ),
    frozenset({"contact.other", "location.coarse"}),
)


class CanaryMatcher(Protocol):
    """Finds the declaration's canary values in a decoded request."""

    def scan(self, decoded: DecodedRequest) -> Iterable[Detection]: ...

    def occurs_in(self, text: str) -> bool: ...


def worth_keeping(canary_matcher: CanaryMatcher | None) -> Keep:
    """Which windows of content too large to decode to keep: those that may hold
    a canary, a key term (a health, fitness or sensitive word of rules/terms), or
    a key/value pair whose key names a kind of data (email, phone, user id...)."""
    surfaces = load_terms().surfaces

    def keep(text: str) -> bool:
        if canary_matcher is not None and canary_matcher.occurs_in(text):
            return True
        if not surfaces.isdisjoint(tokenize(text)):
            return True
        return any(family_of(key) is not None for _, key, _ in window_pairs(text))

    return keep


def analyze(
    obs: Observation, canary_matcher: CanaryMatcher | None = None, *, adapters: Adapters | None = None
) -> list[Detection]:
    """Every data type found in one observed request, strongest evidence per place and type."""
    decoded = decode_request(obs, keep=worth_keeping(canary_matcher))
    return analyze_decoded(decoded, obs.host, obs.path, canary_matcher, adapters=adapters)


def analyze_decoded(
    decoded: DecodedRequest,
    host: str,
    path: str,
    canary_matcher: CanaryMatcher | None = None,
    *,
    adapters: Adapters | None = None,
    tracker: bool = False,
) -> list[Detection]:
    """:func:`analyze` for a request already decoded (the engine may need the decoded form too).

    ``tracker`` says the recipient is a third party whose business is
    advertising or analytics: ids in its address and its cookies are then
    read as browser ids (:mod:`~flowaudit.payload.detectors.syncids`,
    :mod:`~flowaudit.payload.detectors.cookies`)."""
    adapted = (adapters or load_adapters()).match(decoded, host, path)
    found: list[Detection] = []
    if canary_matcher is not None:
        found.extend(
            hit
            for hit in canary_matcher.scan(decoded)
            if hit.location not in adapted.secrets and not under_credential(hit.location)
        )
    found.extend(d for d in adapted.detections if d not in adapted.in_context)
    documented: dict[str, set[str]] = {}
    for detection in adapted.detections:
        documented.setdefault(detection.location, set()).add(detection.data_type)
    found.extend(
        hit
        for hit in detect_generic(decoded, skip=adapted.secrets, described=adapted.described)
        if (hit.location, hit.data_type) not in adapted.ruled_out and not _contradicted(hit, documented)
    )
    cookie_ids = detect_cookie_ids(decoded, skip=adapted.secrets, tracker=tracker)
    found.extend(hit for hit in cookie_ids if hit.location not in documented)
    if tracker:
        synced = detect_sync_ids(decoded, host, skip=adapted.secrets)
        found.extend(hit for hit in synced if hit.location not in documented)
    return strongest([*adapted.in_context, *purchases_in_context(decoded, found)])


def _contradicted(hit: Detection, documented: dict[str, set[str]]) -> bool:
    """Whether a vendor's field at the same place says the value is another of its readings."""
    said = documented.get(hit.location, set())
    return any(hit.data_type in group and bool(said & group - {hit.data_type}) for group in _ALTERNATIVES)
