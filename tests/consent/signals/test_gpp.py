"""GPP strings: the header and string examples of the IAB GPP spec, usnat
test vectors of IAB's reference library, and a usnat string seen in real
traffic, cross-checked with @iabgpp/cmpapi 3.2.0 while writing these tests.

GPP spec: https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Core/Consent%20String%20Specification.md
"""

from __future__ import annotations

import pytest

from flowaudit.consent.signals.gpp import GppString, UsNat, decode_gpp, decode_usnat
from flowaudit.consent.signals.tcf import TcString
from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.consent.signals.usprivacy import UsPrivacy

TCF_SECTION = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"


def _gpp(text: str) -> GppString:
    result = decode_gpp(text)
    assert isinstance(result, GppString), result
    return result


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # GPP spec "GPP String Examples" 1-3 (headers DBABMA, DBACNYA, DBABjw).
        (f"DBABMA~{TCF_SECTION}", (2,)),
        (f"DBACNYA~{TCF_SECTION}~1YNN", (2, 6)),
        (f"DBABjw~{TCF_SECTION}~1YNN", (5, 6)),
        # GPP spec "Header Examples" 1 and 2, without the trailing padding character.
        (f"DBABM~{TCF_SECTION}", (2,)),
        (f"DBACNY~{TCF_SECTION}~1YNN", (2, 6)),
    ],
)
def test_spec_headers_list_their_sections(text: str, ids: tuple[int, ...]) -> None:
    assert _gpp(text).section_ids == ids


def test_spec_example_two_decodes_tcf_and_us_privacy_sections() -> None:
    gpp = _gpp(f"DBACNYA~{TCF_SECTION}~1YNN")
    tcf, usp = (s.value for s in gpp.sections)
    assert isinstance(tcf, TcString) and tcf.cmp_id == 31
    assert isinstance(usp, UsPrivacy) and usp.opted_out == "no"
    assert [s.name for s in gpp.sections] == ["tcfeuv2", "uspv1"]


def test_canadian_tcf_section_is_listed_not_decoded() -> None:
    gpp = _gpp(f"DBABjw~{TCF_SECTION}~1YNN")
    assert gpp.sections[0].name == "tcfcav1"
    assert gpp.sections[0].value is None
    assert "section 5 (tcfcav1): not decoded" in gpp.summary()


def test_real_usnat_string_with_gpc_set_and_unset() -> None:
    # OneTrust's OTGPPConsent cookie and OpenRTB regs.gpp as seen in real
    # traffic (ESPN, 2024-2026): SaleOptOut/SharingOptOut/TargetedAdvertising
    # OptOut = 2 (did not opt out); the GPC sub-section is "QA" (0) or, with the
    # browser's GPC flag on, "YA" (1).
    off = _gpp("DBABLA~BVQqAAAAAAJY.QA").sections[0]
    on = _gpp("DBABLA~BVQqAAAAAAJY.YA").sections[0]
    assert (off.id, off.name) == (7, "usnat")
    assert isinstance(off.value, UsNat) and isinstance(on.value, UsNat)
    assert off.value.sale_opt_out == off.value.sharing_opt_out == off.value.targeted_advertising_opt_out == "no"
    assert off.value.sharing_notice == "yes"
    assert not off.value.opted_out
    assert (off.value.gpc, on.value.gpc) == (False, True)


def test_reference_library_vector_with_all_opt_outs() -> None:
    # IABTechLab/iabgpp-es, modules/cmpapi/test/encoder/section/UsNatV1.test.ts,
    # "should encode to BVQVAAAAAUA.YA": the three opt-outs = 1, GPC = true.
    usnat = decode_usnat("BVQVAAAAAUA.YA")
    assert isinstance(usnat, UsNat)
    assert (usnat.sale_opt_out, usnat.sharing_opt_out, usnat.targeted_advertising_opt_out) == ("yes", "yes", "yes")
    assert usnat.opted_out and usnat.gpc is True
    assert "opted out of sale, sharing, targeted advertising" in usnat.summary()


def test_usnat_without_gpc_subsection() -> None:
    usnat = decode_usnat("BAAAAAAAAQA")  # iabgpp-es: default section, GPC segment left out
    assert isinstance(usnat, UsNat)
    assert usnat.gpc is None and usnat.sale_opt_out == "n/a"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DBABLA", "lists 1 sections but 0 follow"),
        ("DBABLA~a~b", "lists 1 sections but 2 follow"),
        (TCF_SECTION, "header type is 2"),
        ("D", "ends too early"),
        ("DB*BLA~x", "not base64url"),
        ("${GPP_STRING_755}", "macro"),
        ("", "empty"),
    ],
)
def test_malformed_gpp(text: str, reason: str) -> None:
    result = decode_gpp(text)
    assert isinstance(result, Undecodable)
    assert reason in result.reason


def test_malformed_sections_are_reported_inside_a_readable_string() -> None:
    gpp = _gpp("DBACNYA~CPXx~1YXN")
    tcf, usp = (s.value for s in gpp.sections)
    assert isinstance(tcf, Undecodable) and "ends too early" in tcf.reason
    assert isinstance(usp, Undecodable)
    # A vector of the reference library with out-of-range field values (3).
    bad = decode_usnat("BbbbGxsbFbA.YA")
    assert isinstance(bad, Undecodable) and "holds 3" in bad.reason
