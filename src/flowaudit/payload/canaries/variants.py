"""Every form in which a planted value may travel, each with the sentence that explains it.

A canary is searched as written, in another letter case, url-encoded,
base64-encoded (standard and url-safe alphabets, at each of the three byte
alignments, so that it is found inside a longer base64 string), hex-encoded,
and as the MD5, SHA-1 and SHA-256 of its normalised forms (hex, upper or
lower case, and base64), because that is what tracking SDKs send: Meta's
``ud[em]`` is the SHA-256 of the trimmed, lower-cased email, for instance.

Short forms find things by chance, so each kind of canary says where a
match may start and end (:data:`Edges`), and encoded forms shorter than
:data:`MIN_ENCODED` are not searched at all.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from urllib.parse import quote, quote_plus

from flowaudit.declaration.model import Canaries, CustomCanary
from flowaudit.payload.canaries.phone import phone_forms
from flowaudit.payload.canaries.types import infer_custom_type

# Where a plain match may start and end: "" anywhere, "email" not inside a
# longer address, "word" not inside a longer word, "digits" not inside a
# longer number, "number" not inside a longer decimal or after a minus sign.
Edges = str

MIN_ENCODED = 12  # characters of a base64 or hex form (about 9 bytes): shorter ones match by chance
MIN_PLAIN = 4  # characters of a custom canary or a name part searched as text
COORDINATE_DECIMALS = range(6, 1, -1)  # 6 down to 2
PRECISE_DECIMALS = 3  # data-types.yml: "lat/lon with 3 or more decimals" is precise
_HASHES = ("md5", "sha1", "sha256")
_GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


@dataclass(frozen=True, slots=True)
class Variant:
    """One searched form of one canary."""

    canary: str  # "email", "phone", "name", "location", "advertising_id", "custom:<label>"
    data_type: str
    text: str  # as it would appear on the wire (lower-case for folded forms)
    how: str  # "sha256 of the email canary (normalised: trimmed, lowercased), hex"
    folded: bool  # matched without regard to letter case
    edges: Edges = ""
    written: str | None = None  # the canary as written, when a match in another letter case is worth saying so


@dataclass(frozen=True, slots=True)
class CoordinateForms:
    """Latitude and longitude texts (text -> decimals, how it was formed), for coordinates sent as two values."""

    latitude: dict[str, tuple[int, str]]
    longitude: dict[str, tuple[int, str]]


def build_variants(canaries: Canaries) -> tuple[list[Variant], CoordinateForms | None, list[str]]:
    """All variants of all canaries, the coordinate forms, and notes on canaries that cannot be searched."""
    variants: list[Variant] = []
    notes: list[str] = []
    if canaries.email and canaries.email.strip():
        variants.extend(_email(canaries.email))
    if canaries.phone:
        found = list(_phone(canaries.phone))
        if not found:
            notes.append(f"phone canary {canaries.phone!r} has too few digits to be searched")
        variants.extend(found)
    if canaries.name and canaries.name.strip():
        variants.extend(_name(canaries.name))
    if canaries.advertising_id and canaries.advertising_id.strip():
        variants.extend(_advertising_id(canaries.advertising_id))
    coordinates = None
    if canaries.location is not None:
        found, coordinates = _location(*canaries.location)
        variants.extend(found)
    for custom in canaries.custom:
        value = custom.value.strip()
        if len(value) < MIN_PLAIN:
            notes.append(
                f"custom canary {custom.label!r} ({value!r}) is shorter than {MIN_PLAIN} characters:"
                " not searched (it would match by chance)"
            )
            continue
        variants.extend(_custom(custom, value))
    return variants, coordinates, notes


# -- building blocks -------------------------------------------------------


def _encodings(
    canary: str, data_type: str, label: str, text: str, edges: Edges, case_matters: bool = True, binary: bool = True
) -> Iterator[Variant]:
    """``text`` as written (any case), url-encoded, and (``binary``) base64 at every alignment and hex."""
    yield Variant(canary, data_type, text.lower(), label, True, edges, text if case_matters else None)
    seen = {text}
    for encoded, how in (
        (quote(text, safe=""), "url-encoded"),
        (quote_plus(text, safe=""), "url-encoded"),
        (quote(quote(text, safe=""), safe=""), "url-encoded twice"),
    ):
        if encoded not in seen:
            seen.add(encoded)
            yield Variant(canary, data_type, encoded.lower(), f"{label}, {how}", True, edges)
    if not binary:
        return
    raw = text.encode("utf-8")
    for offset in range(3):
        standard = _aligned_base64(raw, offset)
        if len(standard) >= MIN_ENCODED:
            yield Variant(canary, data_type, standard, f"{label}, base64-encoded", False)
            urlsafe = standard.replace("+", "-").replace("/", "_")
            if urlsafe != standard:
                yield Variant(canary, data_type, urlsafe, f"{label}, base64url-encoded", False)
    hexed = raw.hex()
    if len(hexed) >= MIN_ENCODED:
        yield Variant(canary, data_type, hexed, f"{label}, hex-encoded", True)


def _aligned_base64(raw: bytes, offset: int) -> str:
    """The base64 characters that encode ``raw`` alone when it starts ``offset`` bytes into a 3-byte group.

    Characters that mix bits of ``raw`` with bits of its neighbours are cut
    at both ends, so the result appears in any base64 text that holds
    ``raw`` at that alignment, whatever surrounds it.
    """
    encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
    first = -(-offset * 8 // 6)  # first character made only of raw's bits
    last = (offset + len(raw)) * 8 // 6  # characters after this one hold bits of what follows
    return encoded[first:last]


def _hashes(canary: str, data_type: str, label: str, text: str, normalisation: str) -> Iterator[Variant]:
    """MD5, SHA-1 and SHA-256 of ``text``: hex (either case) and base64 (either alphabet, padding optional)."""
    raw = text.encode("utf-8")
    for name in _HASHES:
        digest = hashlib.new(name, raw).digest()
        what = f"{name} of {label} ({normalisation})"
        yield Variant(canary, data_type, digest.hex(), f"{what}, hex", True)
        standard = base64.b64encode(digest).decode("ascii").rstrip("=")
        yield Variant(canary, data_type, standard, f"{what}, base64", False)
        urlsafe = standard.replace("+", "-").replace("/", "_")
        if urlsafe != standard:
            yield Variant(canary, data_type, urlsafe, f"{what}, base64url", False)


# -- per kind of canary ----------------------------------------------------


def _email(written: str) -> Iterator[Variant]:
    label, data_type = "the email canary", "contact.email"
    written = written.strip()
    normal = written.lower()
    yield from _encodings("email", data_type, label, written, "email")
    if normal != written:
        yield from _encodings("email", data_type, label, normal, "email")
    yield from _hashes("email", data_type, label, normal, "normalised: trimmed, lowercased")
    if normal != written:
        yield from _hashes("email", data_type, label, written, "as written")
    local, _, domain = normal.rpartition("@")
    if domain in _GMAIL_DOMAINS:
        gmail = local.split("+", 1)[0].replace(".", "") + "@gmail.com"
        if gmail != normal:
            gmail_label = "the email canary in gmail form (dots and +tag removed)"
            yield from _encodings("email", data_type, gmail_label, gmail, "email")
            yield from _hashes("email", data_type, label, gmail, "gmail form: dots and +tag removed")


def _phone(written: str) -> Iterator[Variant]:
    data_type = "contact.phone"
    for text, form in phone_forms(written).forms:
        yield from _encodings("phone", data_type, f"the phone canary ({form})", text, "digits", case_matters=False)
        yield from _hashes("phone", data_type, "the phone canary", text, form)


def _name(written: str) -> Iterator[Variant]:
    data_type = "contact.name"
    full = " ".join(written.split())
    yield from _encodings("name", data_type, "the name canary", full, "word")
    yield from _hashes("name", data_type, "the name canary", full.lower(), "lowercased")
    parts = full.split(" ")
    if len(parts) < 2:
        return
    for part, which in ((parts[0], "first name"), (parts[-1], "last name")):
        label = f"the {which} of the name canary"
        # Hashes of a name part are unique; the part as text only when long enough not to be a common word.
        yield from _hashes("name", data_type, label, part.lower(), "lowercased")
        if len(part) >= MIN_PLAIN:
            yield Variant("name", data_type, part.lower(), f"{label} (whole word)", True, "word", part)


def _advertising_id(written: str) -> Iterator[Variant]:
    data_type = "identifiers.advertising_id"
    label = "the advertising-id canary"
    text = written.strip()
    yield from _encodings("advertising_id", data_type, label, text.lower(), "word", case_matters=False)
    if text.upper() != text.lower():
        yield from _encodings("advertising_id", data_type, label, text.upper(), "word", case_matters=False)
    for case, normal in ((text.lower(), "lowercased"), (text.upper(), "upper-case")):
        yield from _hashes("advertising_id", data_type, label, case, normal)
    compact = text.replace("-", "")
    if len(compact) == 32 and all(c in "0123456789abcdefABCDEF" for c in compact):
        raw = bytes.fromhex(compact)
        yield Variant("advertising_id", data_type, compact.lower(), f"{label} without dashes", True, "word")
        yield Variant("advertising_id", data_type, raw.decode("latin-1"), f"{label} as 16 raw bytes", False)
        standard = base64.b64encode(raw).decode("ascii").rstrip("=")
        yield Variant("advertising_id", data_type, standard, f"{label} as 16 raw bytes, base64", False)
        urlsafe = standard.replace("+", "-").replace("/", "_")
        if urlsafe != standard:
            yield Variant("advertising_id", data_type, urlsafe, f"{label} as 16 raw bytes, base64url", False)


def _custom(custom: CustomCanary, value: str) -> Iterator[Variant]:
    data_type = custom.data_type or infer_custom_type(custom.label, value)
    canary = f"custom:{custom.label}"
    label = f"the custom canary {custom.label!r}"
    edges = "digits" if value.isdigit() else "word"
    yield from _encodings(canary, data_type, label, value, edges)
    yield from _hashes(canary, data_type, label, value, "as written")
    if value.lower() != value:
        yield from _hashes(canary, data_type, label, value.lower(), "lowercased")


def _decimals(text: str) -> int:
    return len(text) - text.index(".") - 1 if "." in text else 0


def _coordinate_texts(value: float) -> list[tuple[str, list[str]]]:
    """``(how, texts)`` of one coordinate: as given, then rounded and truncated to 6 .. 2 decimals.

    Each rounding is written with its trailing zeros and without them
    (``48.856600`` and ``48.8566``): formatting code does both.
    """
    exact = Decimal(repr(value))
    out = [("as given", [format(exact, "f")])]
    for decimals in COORDINATE_DECIMALS:
        step = Decimal(1).scaleb(-decimals)
        for rounding, how in ((ROUND_HALF_UP, "rounded"), (ROUND_DOWN, "truncated")):
            padded = format(exact.quantize(step, rounding=rounding), "f")
            short = padded.rstrip("0").rstrip(".")
            out.append((f"{how} to {decimals} decimals", [padded] if short == padded else [padded, short]))
    return out


def _location(latitude: float, longitude: float) -> tuple[list[Variant], CoordinateForms]:
    """Pairs as one text (``lat,lon`` and other separators), and the forms of each coordinate alone."""
    lat_forms: dict[str, tuple[int, str]] = {}
    lon_forms: dict[str, tuple[int, str]] = {}
    variants: list[Variant] = []
    seen: set[str] = set()
    for (how, lat_texts), (_, lon_texts) in zip(_coordinate_texts(latitude), _coordinate_texts(longitude), strict=True):
        for i in range(max(len(lat_texts), len(lon_texts))):
            lat_text = lat_texts[min(i, len(lat_texts) - 1)]
            lon_text = lon_texts[min(i, len(lon_texts) - 1)]
            decimals = min(_decimals(lat_text), _decimals(lon_text))
            if decimals < 2:
                continue
            lat_forms.setdefault(lat_text, (_decimals(lat_text), how))
            lon_forms.setdefault(lon_text, (_decimals(lon_text), how))
            data_type = "location.precise" if decimals >= PRECISE_DECIMALS else "location.coarse"
            label = "the location canary" if how == "as given" else f"the location canary ({how})"
            for separator in (",", ", ", ";", " "):
                pair = f"{lat_text}{separator}{lon_text}"
                if pair not in seen:
                    seen.add(pair)
                    # A coordinate pair is text, never an id: base64 or hex of it alone is not sent (and the
                    # decoder already opens base64 text); keeping them out saves some 170 patterns.
                    variants.extend(
                        _encodings("location", data_type, label, pair, "number", case_matters=False, binary=False)
                    )
    return variants, CoordinateForms(lat_forms, lon_forms)
