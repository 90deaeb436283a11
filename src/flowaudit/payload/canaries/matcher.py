"""Finding every canary variant in a decoded request in one pass, however many variants there are.

All variants go into one Aho-Corasick automaton (``ahocorasick_rs``, a
Rust DFA: on the bench capture it scans about three times faster than
``pyahocorasick``), lower-cased. The request's distinct leaf values and
layer texts are joined into one text with a separator no pattern holds,
lower-cased, and scanned once; a variant whose letter case is part of it
(base64, raw bytes) must then also match the original text exactly. So the
cost stays linear in the request's size whatever the number of variants,
and a request that holds no canary costs little more than the scan.

A match counts only if its edges fit the canary's kind (an email not inside
a longer address, a phone number not inside a longer number, ...), and a
match inside a longer match at the same place is dropped (the first name
inside the email, the national number inside the E.164 form). The same
occurrence is reported once, at its most specific place: a hit in a leaf
hides the hits of the same canary in the layers that hold that leaf.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple

import ahocorasick_rs

from flowaudit.declaration.model import Canaries
from flowaudit.payload.canaries.variants import PRECISE_DECIMALS, CoordinateForms, Variant, build_variants
from flowaudit.payload.model import DecodedRequest, Detection, Layer, Leaf

# Between texts: ASCII, so that joined ASCII texts stay in CPython's fast one-byte form for lower() and the
# automaton; never a word or digit character; a match that spans it (a raw-bytes pattern may hold NUL) is dropped.
_SEPARATOR = "\x00"
_HEX = frozenset("0123456789abcdefABCDEF")
_EXCERPT = 48
_VALUE = attrgetter("value")
_TEXT = attrgetter("text")


class _Hit(NamedTuple):  # a tuple: built for every raw match, so cheaper than a dataclass (by _new_hit)
    segment: int  # index into the request's leaves, then its layers
    start: int  # within that leaf value or layer text
    end: int
    variant: Variant
    matched: str  # as it appears in the request


# _Hit(*fields) without the NamedTuple's Python-level __new__ (as payload.model.new_detection).
_new_hit: Callable[[tuple[int, int, int, Variant, str]], _Hit] = partial(tuple.__new__, _Hit)


class CanaryMatcher:
    """Built once per audit from the declaration's canaries; :meth:`scan` is called per request."""

    def __init__(self, canaries: Canaries) -> None:
        variants, coordinates, notes = build_variants(canaries)
        self.notes: tuple[str, ...] = tuple(notes)  # canaries that could not be searched, and why
        self._coordinates = coordinates
        self._prefixes = _coordinate_prefixes(coordinates)
        by_text: dict[str, list[Variant]] = {}
        for variant in variants:
            same = by_text.setdefault(variant.text.lower(), [])
            if all(v.canary != variant.canary or v.text != variant.text for v in same):
                same.append(variant)  # the first (most telling) variant of each canary and text
        self._variants = [tuple(found) for found in by_text.values()]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(list(by_text), implementation=ahocorasick_rs.Implementation.DFA)
            if by_text
            else None
        )

    @property
    def empty(self) -> bool:
        """No canary to look for: :meth:`scan` always returns nothing."""
        return self._automaton is None and self._coordinates is None

    def found_in(self, text: str) -> set[int]:
        """Which of the searched texts may occur in ``text`` (edges and letter case unchecked): a
        quick test of a window of a stream too large to decode, kept for :meth:`scan` when it
        shows a text no window kept so far shows."""
        if self._automaton is None:
            return set()
        return {index for index, _, _ in self._automaton.find_matches_as_indexes(text.lower())}

    def scan(self, decoded: DecodedRequest) -> list[Detection]:
        """Every canary occurrence in the request, one detection per data type, place and form."""
        detections: list[Detection] = []
        if self._automaton is not None:
            texts = list(map(_VALUE, decoded.leaves))
            texts.extend(map(_TEXT, decoded.layers))
            if texts:
                hits = self._search(texts)
                if hits:
                    detections = _detections(hits, decoded)
        if self._coordinates is not None:
            detections.extend(_coordinate_pairs(self._coordinates, self._prefixes, decoded))
        return _unique(detections)

    def _search(self, texts: list[str]) -> list[_Hit]:
        assert self._automaton is not None
        joined = _SEPARATOR.join(texts)
        lowered = joined.lower()
        if len(lowered) == len(joined):
            shown = joined
            lowered_texts = texts
        else:  # a few characters change length when lower-cased: then show (and index) the lower-cased text
            lowered_texts = [t.lower() for t in texts]
            lowered = shown = _SEPARATOR.join(lowered_texts)
        matches = self._automaton.find_matches_as_indexes(lowered, overlapping=True)
        if not matches:
            return []  # most requests: nothing to place
        starts = [0]  # text i at starts[i]
        for i, end in enumerate(accumulate(map(len, lowered_texts)), start=1):
            starts.append(end + i)  # and a separator after each
        hits: list[_Hit] = []
        for index, start, end in matches:
            n = bisect_right(starts, start) - 1
            if end >= starts[n + 1]:
                continue  # spans two texts
            matched = shown[start:end]
            for variant in self._variants[index]:
                if (variant.folded or matched == variant.text) and (
                    not variant.edges or _edges_fit(lowered, start, end, variant.edges)
                ):
                    hits.append(_new_hit((n, start - starts[n], end - starts[n], variant, matched)))
        return _outermost(hits)


def _char_before(text: str, i: int) -> str:
    """The character before position ``i``, seen through a percent-escape (``%22`` is ``"``)."""
    if i >= 3 and text[i - 3] == "%" and text[i - 2] in _HEX and text[i - 1] in _HEX:
        return chr(int(text[i - 2 : i], 16))
    return text[i - 1] if i > 0 else ""


def _char_after(text: str, i: int) -> str:
    if i + 2 < len(text) and text[i] == "%" and text[i + 1] in _HEX and text[i + 2] in _HEX:
        return chr(int(text[i + 1 : i + 3], 16))
    return text[i] if i < len(text) else ""


def _edges_fit(text: str, start: int, end: int, edges: str) -> bool:
    before, after = _char_before(text, start), _char_after(text, end)
    if edges == "email":  # not part of a longer address: x.jane@..., jane@example.com.au
        if before and (before.isalnum() or before in "._+-"):
            return False
        if after and (after.isalnum() or after in "-_"):
            return False
        return not (after == "." and _char_after(text, end + 1).isalnum())
    if edges == "digits":
        return not before.isdigit() and not after.isdigit()
    if edges == "number":  # 48.857 is not in 148.857, -48.857 or 48.8571
        return not (before and (before.isdigit() or before in ".-")) and not after.isdigit()
    # "word": no word character on a side where the pattern itself ends in one
    if before.isalnum() and text[start].isalnum():
        return False
    return not (after.isalnum() and text[end - 1].isalnum())


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """Drop each hit that lies inside a longer hit in the same text."""
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=lambda h: (h.segment, h.start, -h.end))
    kept: list[_Hit] = []
    segment = -1
    reach = reach_start = -1  # span of the kept hit that reaches furthest in the current text
    for hit in ordered:
        if hit.segment != segment:
            segment, reach, reach_start = hit.segment, -1, -1
        elif hit.end < reach or (hit.end == reach and hit.start > reach_start):
            continue  # strictly inside an earlier, longer hit
        kept.append(hit)
        if hit.end > reach:
            reach, reach_start = hit.end, hit.start
    return kept


def _within(location: str, outer: str) -> bool:
    """Whether ``location`` is ``outer`` or lies inside it (``body > gzip > json:a`` inside ``body > gzip``)."""
    return location.startswith(outer) and (len(location) == len(outer) or location[len(outer)] in " :")


def _detections(hits: list[_Hit], decoded: DecodedRequest) -> list[Detection]:
    leaves, layers = decoded.leaves, decoded.layers
    placed: list[tuple[_Hit, Leaf | Layer, bool]] = [
        (hit, leaves[hit.segment], True)
        if hit.segment < len(leaves)
        else (hit, layers[hit.segment - len(leaves)], False)
        for hit in hits
    ]
    leaf_hits: dict[tuple[str, str], list[str]] = {}  # (canary, part) -> locations of leaf hits
    layer_hits: dict[tuple[str, str], list[str]] = {}
    for hit, where, is_leaf in placed:
        into = leaf_hits if is_leaf else layer_hits
        into.setdefault((hit.variant.canary, where.part), []).append(where.location)
    out = []
    # (data type, location, how) of the detections made: an occurrence repeated at one place (a
    # value sent twice in a leaf, a text in two layers) is one detection, as :func:`_unique` keeps it,
    # so its copies are not built only to be dropped there.
    made: set[tuple[str, str, str]] = set()
    for hit, where, is_leaf in placed:
        location = where.location
        if not is_leaf:
            key = (hit.variant.canary, where.part)
            if any(_within(inner, location) for inner in leaf_hits.get(key, ())) or any(
                inner != location and _within(inner, location) for inner in layer_hits.get(key, ())
            ):
                continue  # the same occurrence, reported where it is most specific
        how = hit.variant.how
        if hit.variant.written is not None and hit.matched != hit.variant.written:
            how += ", in another letter case"
        made_key = (hit.variant.data_type, location, how)
        if made_key in made:
            continue
        made.add(made_key)
        out.append(
            Detection(
                data_type=hit.variant.data_type,
                confidence="certain",
                part=where.part,
                location=where.location,
                decoding=where.decoding,
                how=how,
                excerpt=_shorten(hit.matched),
                value=hit.matched,
                detector="canary",
            )
        )
    return out


def _coordinate_prefixes(forms: CoordinateForms | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What every form of the latitude, and of the longitude, starts with (``48.``): a cheap first filter."""
    if forms is None:
        return (), ()
    return (
        tuple({text[: text.index(".") + 1] for text in forms.latitude}),
        tuple({text[: text.index(".") + 1] for text in forms.longitude}),
    )


def _coordinate_pairs(
    forms: CoordinateForms, prefixes: tuple[tuple[str, ...], tuple[str, ...]], decoded: DecodedRequest
) -> list[Detection]:
    """Latitude and longitude sent as two values of the same request (``lat=48.857&lng=2.352``)."""
    lat_prefix, lon_prefix = prefixes
    latitudes = [
        (leaf, found)
        for leaf in decoded.leaves
        if leaf.value.startswith(lat_prefix) and (found := _coordinate(leaf.value, forms.latitude))
    ]
    if not latitudes:
        return []
    longitudes = [
        (leaf, found)
        for leaf in decoded.leaves
        if leaf.value.startswith(lon_prefix) and (found := _coordinate(leaf.value, forms.longitude))
    ]
    out = []
    for which, mine, others in (("latitude", latitudes, longitudes), ("longitude", longitudes, latitudes)):
        for leaf, (decimals, how) in mine:
            partners = [d for other, (d, _) in others if other is not leaf]
            if not partners:
                continue
            shared = min(decimals, max(partners))
            data_type = "location.precise" if shared >= PRECISE_DECIMALS else "location.coarse"
            counterpart = "longitude" if which == "latitude" else "latitude"
            out.append(
                Detection(
                    data_type=data_type,
                    confidence="certain",
                    part=leaf.part,
                    location=leaf.location,
                    decoding=leaf.decoding,
                    how=f"{which} of the location canary{_formed(how)}, its {counterpart} in the same request",
                    excerpt=_shorten(leaf.value),
                    value=leaf.value,
                    detector="canary",
                )
            )
    return out


def _coordinate(value: str, forms: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """The decimals and rounding of a value that is one of the coordinate's forms, else ``None``.

    A value with more than 6 decimals (a float printed in full) is compared
    at 6 decimals.
    """
    found = forms.get(value)
    if found is not None or len(value) < 10 or "." not in value or len(value) - value.index(".") - 1 <= 6:
        return found
    try:
        rounded = format(Decimal(value).quantize(Decimal("0.000001")), "f")
    except InvalidOperation:
        return None
    return forms.get(rounded) or forms.get(rounded.rstrip("0"))


def _formed(how: str) -> str:
    return "" if how == "as given" else f" ({how})"


def _shorten(text: str) -> str:
    if len(text) <= _EXCERPT:
        return text
    return f"{text[:32]}…{text[-12:]}"


def _unique(detections: list[Detection]) -> list[Detection]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for d in detections:
        key = (d.data_type, d.location, d.how)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
