"""IAB Global Privacy Platform strings: ``gpp=DBABLA~BVQqAAAAAgA.QA``.

A GPP string is a header and one section per privacy regime, joined by
``~``. The header (type 3, version, Fibonacci-coded list of section ids)
follows the GPP Consent String Specification:
https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Core/Consent%20String%20Specification.md
Section ids: https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Sections/Section%20Information.md

Decoded here: the header; section 2 (the EU TCF v2 string itself), section 6
(the US Privacy string) and section 7 (US national, "usnat"): its notice and
opt-out fields and the GPC sub-section. The opt-out fields come before the
variable-length part of the section and sit at the same place in usnat
versions 1 and 2:
https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Sections/US-National/IAB%20Privacy%E2%80%99s%20National%20Privacy%20Technical%20Specification.md
Every other section is listed by id and name and marked "not decoded".
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.consent.signals.bits import BitReader, OutOfBits
from flowaudit.consent.signals.tcf import TcString, decode_tcf
from flowaudit.consent.signals.undecodable import Undecodable, unfilled_macro
from flowaudit.consent.signals.usprivacy import UsPrivacy, decode_us_privacy

FORMAT = "GPP"
_HEADER_TYPE = 3
SECTION_NAMES = {
    1: "tcfeuv1",
    2: "tcfeuv2",
    3: "header",
    4: "signal integrity",
    5: "tcfcav1",
    6: "uspv1",
    7: "usnat",
    8: "usca",
    9: "usva",
    10: "usco",
    11: "usut",
    12: "usct",
}
# usnat opt-out fields: 0 not applicable, 1 opted out, 2 did not opt out.
_OPT_OUT = {0: "n/a", 1: "yes", 2: "no"}
_NOTICE = {0: "n/a", 1: "yes", 2: "no"}


@dataclass(frozen=True, slots=True)
class UsNat:
    """The notice and opt-out fields of the US national section."""

    version: int
    sharing_notice: str
    sale_opt_out_notice: str
    sharing_opt_out_notice: str
    targeted_advertising_opt_out_notice: str
    sale_opt_out: str  # "yes" (opted out), "no", "n/a"
    sharing_opt_out: str
    targeted_advertising_opt_out: str
    gpc: bool | None  # None: no GPC sub-section

    @property
    def opted_out(self) -> bool:
        return "yes" in (self.sale_opt_out, self.sharing_opt_out, self.targeted_advertising_opt_out)

    def summary(self) -> str:
        outs = [
            name
            for name, value in (
                ("sale", self.sale_opt_out),
                ("sharing", self.sharing_opt_out),
                ("targeted advertising", self.targeted_advertising_opt_out),
            )
            if value == "yes"
        ]
        said = f"opted out of {', '.join(outs)}" if outs else "no opt-out"
        gpc = "" if self.gpc is None else f"; GPC {'set' if self.gpc else 'not set'}"
        return f"usnat: {said}{gpc}"


SectionValue = TcString | UsPrivacy | UsNat | Undecodable | None


@dataclass(frozen=True, slots=True)
class GppSection:
    id: int
    name: str
    raw: str
    value: SectionValue  # None: a section flowaudit does not decode

    def summary(self) -> str:
        if self.value is None:
            return f"section {self.id} ({self.name}): not decoded"
        if isinstance(self.value, Undecodable):
            return f"section {self.id} ({self.name}): {self.value.describe()}"
        return f"section {self.id} ({self.name}): {self.value.summary()}"


@dataclass(frozen=True, slots=True)
class GppString:
    raw: str
    version: int
    sections: tuple[GppSection, ...]

    @property
    def section_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.sections)

    def summary(self) -> str:
        return "GPP string: " + "; ".join(s.summary() for s in self.sections)


def decode_gpp(text: str) -> GppString | Undecodable:
    raw = text.strip()
    if not raw:
        return Undecodable(FORMAT, text, "empty value")
    if unfilled_macro(raw):
        return Undecodable(FORMAT, text, "an unfilled macro placeholder, not a GPP string")
    header, *bodies = raw.split("~")
    try:
        reader = BitReader(header)
        kind = reader.uint(6)
        if kind != _HEADER_TYPE:
            return Undecodable(FORMAT, text, f"header type is {kind}, not 3 (a GPP header starts with 'D')")
        version = reader.uint(6)
        ids = _fibonacci_range(reader)
    except OutOfBits as e:
        return Undecodable(FORMAT, text, f"the header ends too early ({e})")
    except ValueError as e:
        return Undecodable(FORMAT, text, str(e))
    if len(ids) != len(bodies):
        return Undecodable(FORMAT, text, f"the header lists {len(ids)} sections but {len(bodies)} follow the header")
    sections = tuple(
        GppSection(id=i, name=SECTION_NAMES.get(i, f"section {i}"), raw=body, value=_section(i, body))
        for i, body in zip(ids, bodies, strict=True)
    )
    return GppString(raw=raw, version=version, sections=sections)


def _fibonacci_range(reader: BitReader) -> list[int]:
    """Int(12) count, then per item IsRange, Fibonacci offset from the last
    id seen, and for a range a Fibonacci length."""
    ids: list[int] = []
    last = 0
    for _ in range(reader.uint(12)):
        is_range = reader.flag()
        start = last + reader.fibonacci()
        end = start + reader.fibonacci() if is_range else start
        ids.extend(range(start, end + 1))
        last = end
    return ids


def _section(section_id: int, body: str) -> SectionValue:
    if section_id == 2:
        return decode_tcf(body)
    if section_id == 6:
        return decode_us_privacy(body)
    if section_id == 7:
        return decode_usnat(body)
    return None


def decode_usnat(text: str) -> UsNat | Undecodable:
    """The core sub-section's leading fields and the optional GPC sub-section."""
    core, *subsections = text.split(".")
    try:
        reader = BitReader(core)
        version = reader.uint(6)
        if version not in (1, 2):
            return Undecodable("GPP usnat", text, f"section version {version} is not 1 or 2")
        notices = [_NOTICE.get(reader.uint(2), "invalid") for _ in range(6)]
        opt_outs = [_OPT_OUT.get(reader.uint(2), "invalid") for _ in range(3)]
        gpc = None
        for sub in subsections:
            sub_reader = BitReader(sub)
            if sub_reader.uint(2) == 1:
                gpc = sub_reader.flag()
    except OutOfBits as e:
        return Undecodable("GPP usnat", text, f"the section ends too early ({e})")
    except ValueError as e:
        return Undecodable("GPP usnat", text, str(e))
    if "invalid" in notices + opt_outs:
        return Undecodable("GPP usnat", text, "a notice or opt-out field holds 3, which the section does not define")
    return UsNat(
        version=version,
        sharing_notice=notices[0],
        sale_opt_out_notice=notices[1],
        sharing_opt_out_notice=notices[2],
        targeted_advertising_opt_out_notice=notices[3],
        sale_opt_out=opt_outs[0],
        sharing_opt_out=opt_outs[1],
        targeted_advertising_opt_out=opt_outs[2],
        gpc=gpc,
    )
