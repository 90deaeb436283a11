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

from collections.abc import Container, Iterable, Sequence
from typing import Protocol

from flowaudit.model import Observation
from flowaudit.payload.adapters import Adapters, load_adapters
from flowaudit.payload.decode import decode_request
from flowaudit.payload.decode.walker import PAIRS_PER_REASON, Keep, WindowPair
from flowaudit.payload.detectors import detect_generic, strongest
from flowaudit.payload.detectors.commerce import purchases_in_context
from flowaudit.payload.detectors.cookies import detect_cookie_ids
from flowaudit.payload.detectors.families import family_of
from flowaudit.payload.detectors.keys import leaf_name, object_location, under_credential
from flowaudit.payload.detectors.syncids import detect_sync_ids
from flowaudit.payload.model import DecodedRequest, Detection, Leaf

# Readings of one value that exclude each other: an id is a user's, a device's or an
# advertising id, not two of them; a postcode is profile data or a location.
_ALTERNATIVES = (
    frozenset(
        {"identifiers.user_id", "identifiers.device_id", "identifiers.advertising_id", "identifiers.hardware_id"}
    ),
    frozenset({"contact.other", "location.coarse"}),
)
# Each of these readings, and the readings that exclude it.
_EXCLUDED_BY: dict[str, frozenset[str]] = {
    reading: frozenset().union(*(group - {reading} for group in _ALTERNATIVES if reading in group))
    for reading in frozenset().union(*_ALTERNATIVES)
}


class CanaryMatcher(Protocol):
    """Finds the declaration's canary values in a decoded request."""

    def scan(self, decoded: DecodedRequest) -> Iterable[Detection]: ...

    def found_in(self, text: str) -> set[int]: ...


# Pairs of a window kept beside those that show a data type only together (a latitude beside its
# longitude, a name beside an e-mail address): the first ones whose key names a kind of data.
_CONTEXT_PAIRS = 16


def worth_keeping(canary_matcher: CanaryMatcher | None) -> Keep:
    """What a window of content too large to decode shows (see :data:`Keep`): each canary text it
    holds, and each data type, at each confidence, that the generic detectors find in its key/value
    pairs, with the pairs that show it. These reasons come from a bounded set (the declaration's
    canaries, the data types times three confidences), so the windows kept stay few however large
    the body, and a window of junk that shows only what earlier windows showed is dropped."""

    def keep(text: str, pairs: Sequence[WindowPair], shown: Container[str]) -> dict[str, list[int]]:
        new: dict[str, list[int]] = {}
        if canary_matcher is not None:
            for index in canary_matcher.found_in(text):
                reason = f"canary {index}"
                if reason not in shown:
                    new[reason] = []  # found in the window's text by the canary search
        leaves = [
            Leaf("body", f"window > {kind}:{path}", ("window", kind), key, value) for kind, path, key, value in pairs
        ]
        places: dict[str, set[str]] = {}
        for found in detect_generic(DecodedRequest(tuple(leaves), ())):
            reason = _reason(found)
            if reason not in shown:
                places.setdefault(reason, set()).add(found.location)
        for reason, where in places.items():
            new[reason] = _showing(reason, where, leaves)
        return new

    return keep


def _reason(found: Detection) -> str:
    return f"{found.data_type} {found.confidence}"


def _showing(reason: str, places: set[str], leaves: list[Leaf]) -> list[int]:
    """The positions of the first pairs at ``places`` that show ``reason`` alone; where it takes
    their siblings too (a latitude and its longitude), the first pairs there and the first pairs
    of their objects whose key names a kind of data."""
    candidates = [n for n, leaf in enumerate(leaves) if leaf.location in places]
    alone: list[int] = []
    for n in candidates:
        if any(_reason(found) == reason for found in detect_generic(DecodedRequest((leaves[n],), ()))):
            alone.append(n)
            if len(alone) == PAIRS_PER_REASON:
                break
    if alone:
        return alone
    chosen = candidates[:PAIRS_PER_REASON]
    objects = {object_location(leaves[n].location, leaves[n].key) for n in chosen}
    named = [
        n
        for n, leaf in enumerate(leaves)
        if leaf.key is not None
        and family_of(leaf_name(leaf.key)) is not None
        and object_location(leaf.location, leaf.key) in objects
    ]
    return sorted({*chosen, *named[:_CONTEXT_PAIRS]})


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
    if adapted.in_context:
        found.extend(d for d in adapted.detections if d not in adapted.in_context)
    else:
        found.extend(adapted.detections)
    documented = {detection.location for detection in adapted.detections}
    said: dict[str, set[str]] | None = None  # the data types the vendor's fields name, per place: built when asked
    for hit in detect_generic(decoded, skip=adapted.secrets, described=adapted.described):
        if (hit.location, hit.data_type) in adapted.ruled_out:
            continue
        others = _EXCLUDED_BY.get(hit.data_type)
        if others is not None and hit.location in documented:
            # whether a vendor's field at the same place says the value is another of its readings
            said = _said(adapted.detections) if said is None else said
            if not others.isdisjoint(said.get(hit.location, ())):
                continue
        found.append(hit)
    cookie_ids = detect_cookie_ids(decoded, skip=adapted.secrets, tracker=tracker)
    found.extend(hit for hit in cookie_ids if hit.location not in documented)
    if tracker:
        synced = detect_sync_ids(decoded, host, skip=adapted.secrets)
        found.extend(hit for hit in synced if hit.location not in documented)
    return strongest([*adapted.in_context, *purchases_in_context(decoded, found)])


def _said(detections: Iterable[Detection]) -> dict[str, set[str]]:
    """The readings (:data:`_EXCLUDED_BY`) a vendor's fields name, per place."""
    said: dict[str, set[str]] = {}
    for detection in detections:
        if detection.data_type in _EXCLUDED_BY:
            said.setdefault(detection.location, set()).add(detection.data_type)
    return said
