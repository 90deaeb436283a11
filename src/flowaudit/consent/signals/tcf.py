"""IAB Europe Transparency & Consent Framework v2 strings ("TC strings").

A TC string travels in ``gdpr_consent=`` URL parameters, the
``euconsent-v2`` cookie and OpenRTB ``user.consent``; it records which
purposes and which vendors the user consented to. Field widths and order
are those of the core string table in "Transparency and Consent String
with Global Vendor & CMP List Formats", IAB Tech Lab, v2.0:
https://github.com/InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework/blob/master/TCFv2/IAB%20Tech%20Lab%20-%20Consent%20string%20and%20vendor%20list%20formats%20v2.md#the-core-string

Publisher restrictions are walked (to find where the core string ends and
to count them) but not kept: no rule of flowaudit reads them. The other
segments (disclosed vendors, allowed vendors, publisher TC) are named,
not decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flowaudit.consent.signals.bits import BitReader, OutOfBits
from flowaudit.consent.signals.undecodable import Undecodable, unfilled_macro

FORMAT = "TCF v2"
# The purposes TCF v2.0 defines (v2.2 adds an 11th). All ten consented
# means the user accepted everything; some, a partial choice.
STANDARD_PURPOSES = frozenset(range(1, 11))
# SegmentType of the optional segments (3 bits), from the same spec.
_SEGMENTS = {1: "disclosed-vendors", 2: "allowed-vendors", 3: "publisher-tc"}
_MAX_VENDOR_ID = 65535
# Vendor ids a one-line summary lists before it only counts the rest (real strings list hundreds).
SUMMARY_VENDORS = 20


@dataclass(frozen=True, slots=True)
class TcString:
    raw: str
    version: int
    created: datetime
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str
    vendor_list_version: int
    policy_version: int
    is_service_specific: bool
    use_non_standard_texts: bool
    special_feature_opt_ins: frozenset[int]
    purposes_consented: frozenset[int]
    purposes_legitimate_interest: frozenset[int]
    purpose_one_treatment: bool
    publisher_country: str
    vendors_consented: frozenset[int]
    vendors_legitimate_interest: frozenset[int]
    publisher_restrictions: int  # how many restriction entries
    segments: tuple[str, ...] = ()  # names of the segments after the core string

    @property
    def choice(self) -> str:
        """ "granted", "partial" or "refused", judged on the purposes consented."""
        if not self.purposes_consented:
            return "refused"
        return "granted" if STANDARD_PURPOSES <= self.purposes_consented else "partial"

    def summary(self) -> str:
        """One line: who wrote it against which lists, then every choice it records."""
        return (
            f"TCF v2 string from CMP {self.cmp_id} (vendor list version {self.vendor_list_version}, "
            f"policy version {self.policy_version}): purposes consented {_ids(self.purposes_consented)}; "
            f"purposes by legitimate interest {_ids(self.purposes_legitimate_interest)}; "
            f"special features opted in {_ids(self.special_feature_opt_ins)}; "
            f"vendors consented {_ids(self.vendors_consented, SUMMARY_VENDORS)}; "
            f"vendors by legitimate interest {_ids(self.vendors_legitimate_interest, SUMMARY_VENDORS)}"
        )


def _ids(ids: frozenset[int], at_most: int | None = None) -> str:
    """ "1,2,3", "none", or the first ``at_most`` and how many in all."""
    if not ids:
        return "none"
    ordered = sorted(ids)
    if at_most is not None and len(ordered) > at_most:
        return f"{','.join(map(str, ordered[:at_most]))},… ({len(ordered)} in all)"
    return ",".join(map(str, ordered))


def decode_tcf(text: str) -> TcString | Undecodable:
    """Decode a TC string; anything unreadable comes back as :class:`Undecodable`."""
    raw = text.strip()
    if not raw:
        return Undecodable(FORMAT, text, "empty value")
    if unfilled_macro(raw):
        return Undecodable(FORMAT, text, "an unfilled macro placeholder, not a TC string")
    core, *rest = raw.split(".")
    try:
        reader = BitReader(core)
        version = reader.uint(6)
        if version != 2:
            if version == 1:
                return Undecodable(FORMAT, text, "a TCF v1 string (deprecated format), not decoded")
            return Undecodable(FORMAT, text, f"version field is {version}, not 2")
        created = _deciseconds(reader.uint(36))
        last_updated = _deciseconds(reader.uint(36))
        cmp_id = reader.uint(12)
        cmp_version = reader.uint(12)
        consent_screen = reader.uint(6)
        language = reader.letters(2)
        vendor_list_version = reader.uint(12)
        policy_version = reader.uint(6)
        service_specific = reader.flag()
        non_standard = reader.flag()
        special_features = reader.bitfield(12)
        purposes = reader.bitfield(24)
        purposes_li = reader.bitfield(24)
        purpose_one_treatment = reader.flag()
        country = reader.letters(2)
        vendors = _vendor_section(reader)
        vendors_li = _vendor_section(reader)
        restrictions = _skip_publisher_restrictions(reader)
        segments = tuple(_segment_name(segment) for segment in rest)
    except OutOfBits as e:
        return Undecodable(FORMAT, text, f"the string ends too early ({e})")
    except ValueError as e:
        return Undecodable(FORMAT, text, str(e))
    return TcString(
        raw=raw,
        version=version,
        created=created,
        last_updated=last_updated,
        cmp_id=cmp_id,
        cmp_version=cmp_version,
        consent_screen=consent_screen,
        consent_language=language,
        vendor_list_version=vendor_list_version,
        policy_version=policy_version,
        is_service_specific=service_specific,
        use_non_standard_texts=non_standard,
        special_feature_opt_ins=special_features,
        purposes_consented=purposes,
        purposes_legitimate_interest=purposes_li,
        purpose_one_treatment=purpose_one_treatment,
        publisher_country=country,
        vendors_consented=vendors,
        vendors_legitimate_interest=vendors_li,
        publisher_restrictions=restrictions,
        segments=segments,
    )


def _deciseconds(value: int) -> datetime:
    return datetime.fromtimestamp(value / 10, tz=UTC)


def _vendor_section(reader: BitReader) -> frozenset[int]:
    """MaxVendorId, IsRangeEncoding, then a bit field or a list of ranges."""
    max_vendor = reader.uint(16)
    if not reader.flag():
        return reader.bitfield(max_vendor)
    vendors: set[int] = set()
    for start, end in _ranges(reader):
        if end > max_vendor:
            raise ValueError(f"vendor range {start}-{end} goes past MaxVendorId {max_vendor}")
        vendors.update(range(start, end + 1))
    return frozenset(vendors)


def _ranges(reader: BitReader) -> list[tuple[int, int]]:
    """NumEntries (12 bits), then per entry IsARange, a start id and, for a range, an end id."""
    out = []
    for _ in range(reader.uint(12)):
        is_range = reader.flag()
        start = reader.uint(16)
        end = reader.uint(16) if is_range else start
        if start < 1 or end < start or end > _MAX_VENDOR_ID:
            raise ValueError(f"vendor range {start}-{end} is not a valid range")
        out.append((start, end))
    return out


def _skip_publisher_restrictions(reader: BitReader) -> int:
    """NumPubRestrictions, then per entry PurposeId (6), RestrictionType (2) and ranges."""
    count = reader.uint(12)
    for _ in range(count):
        reader.uint(6)
        reader.uint(2)
        _ranges(reader)
    return count


def _segment_name(segment: str) -> str:
    if not segment:
        raise ValueError("empty segment after a '.'")
    segment_type = BitReader(segment).uint(3)
    return _SEGMENTS.get(segment_type, f"unknown segment type {segment_type}")
