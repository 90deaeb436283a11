"""TCF v2 TC strings: real strings from IAB's specification and from real
traffic, checked field by field against values published with them (and,
for vendors, against IAB's reference decoder @iabtcf/core 1.5.6, run by hand
while writing these tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowaudit.consent.signals.tcf import TcString, decode_tcf
from flowaudit.consent.signals.undecodable import Undecodable

SPEC = (
    "https://github.com/InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework/blob/master/"
    "TCFv2/IAB%20Tech%20Lab%20-%20Consent%20string%20and%20vendor%20list%20formats%20v2.md"
)

# The service-specific example of the IAB spec (SPEC, "TC String Format"). Its
# fields are published with the Perl parser GDPR::IAB::TCFv2:
# https://metacpan.org/pod/GDPR::IAB::TCFv2::Parser (created epoch 1228644257,
# last updated 1326215413, CMP 21 version 7, screen 2, "EN", vendor list 23,
# purposes 1, 3, 9 and 10 consented).
SERVICE_SPECIFIC = (
    "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA.argAC0gAAAAAAAAAAAA"
)
# SPEC, "Signaling OOB", example 1: core string plus disclosed vendors.
OOB_EXAMPLE = (
    "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAA"
    "gAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw"
)
# SPEC, global-scope example with all four segments.
FOUR_SEGMENTS = (
    "COw4XqLOw4XqLAAAAAENAXCAAAAAAAAAAAAAAAAAAAAA.IFukWSQgAIQwgI0QEByFAAAAeIAACAIgSAAQAIAgEQACEABAAAgAQFAEAIAAAGBAAgAAA"
    "AQAIFAAMCQAAgAAQiRAEQAAAAANAAIAAggAIYQFAAARmggBC3ZCYzU2yIA.QFukWSQgAIQwgI0QEByFAAAAeIAACAIgSAAQAIAgEQACEABAAAgAQF"
    "AEAIAAAGBAAgAAAAQAIFAAMCQAAgAAQiRAEQAAAAANAAIAAggAIYQFAAARmggBC3ZCYzU2yIA.YAAAAAAAAAAAAAAAAAA"
)
# Real traffic: user.consent of a Google Authorized Buyers bid request for
# lepoint.fr (October 2025), printed in
# https://github.com/proxistore/parse-protobuf-demo/blob/main/README.md
# It has 9 publisher restrictions and a range-encoded legitimate-interest section.
BID_REQUEST = (
    "CQZVOgAQZVOgAAGABCENB-FsAP_gAEPgAAqIKbMBbGJMSSFgcTp1YOsAaYgewVACqsAgBgKBAQABiBICtIQUkGAAIAhAhiAAAAIACEBAAABlAABA"
    "AAAAIAAAACAMCAAAABAAICAAAAABQgAACEAJAQAAAAAQxEBEAAEAgQIE6JpUwAxAAAAACAAAAAAAAACAAAAIAAAAAAAAAQAAAAgAAAAAAAIAAAAAA"
    "BAAEAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAEDIYCQACgAHgAkABUAEcARwA7gB9gEAAIQARwA_4CPQExALEAWoAxYBkIBISA5ABQAFQAOAAggBkAG"
    "oAPAAmABVADeAH4AQgAjgBWgDDAGUAOcAdwA-wB-gEAANEAbQBR4C2AF5gMNgZGBkgDVwHJjoEMAFAAVAA4ACCAGQAagA8ACYAFWALgAugBiADeAH4"
    "AUYArQBhgDKAHOAO4AfYA_QCLAEdANoAmQBR4C2AF5gL6AYaAx6BkYGSANXAcmBHYcABACgQgFgAUABqAFUALgAYgA3gB-AHOAO4A2gDIyUA8ACgAH"
    "AAeABMACqAFwAMQAjgBRgCtAUeApoBbAC84GRgZIUgNQAUABUADgAIIAZABoADwAJgAVQAxAB-AFGAK0AZQA5wB-gEWAI6AbQBTQC2AF5gL6AYbAy"
    "MDJAHJgQ5AjsVAAgAKKAAwAoABbAI4WgBgA1AHcApoAAA.f_wAAAAAAAAA"
)


def _decoded(text: str) -> TcString:
    result = decode_tcf(text)
    assert isinstance(result, TcString), result
    return result


def test_service_specific_example_matches_its_published_fields() -> None:
    tc = _decoded(SERVICE_SPECIFIC)
    assert tc.version == 2
    assert int(tc.created.timestamp()) == 1228644257
    assert int(tc.last_updated.timestamp()) == 1326215413
    assert (tc.cmp_id, tc.cmp_version, tc.consent_screen) == (21, 7, 2)
    assert tc.consent_language == "EN"
    assert tc.vendor_list_version == 23
    assert {1, 3, 9, 10} <= tc.purposes_consented
    assert tc.purposes_consented == frozenset({1, 3, 9, 10})
    assert tc.segments == ("publisher-tc",)
    assert tc.choice == "partial"


def test_oob_example_purposes_vendors_and_segment() -> None:
    tc = _decoded(OOB_EXAMPLE)
    assert tc.cmp_id == 27
    assert tc.created == datetime.fromtimestamp(1582243059.3, tz=UTC)
    assert tc.purposes_consented == frozenset({1, 2, 3})
    assert tc.vendors_consented == frozenset({2, 6, 8})
    assert tc.segments == ("disclosed-vendors",)


def test_all_four_segments_are_named() -> None:
    tc = _decoded(FOUR_SEGMENTS)
    assert tc.segments == ("disclosed-vendors", "allowed-vendors", "publisher-tc")
    assert tc.purposes_consented == frozenset()
    assert tc.choice == "refused"


def test_real_bid_request_string_with_ranges_and_publisher_restrictions() -> None:
    tc = _decoded(BID_REQUEST)
    assert tc.cmp_id == 6
    assert tc.publisher_country == "FR"
    assert tc.purposes_consented == frozenset(range(1, 12))  # TCF v2.2: 11 purposes
    assert tc.choice == "granted"
    assert len(tc.vendors_consented) == 158
    assert max(tc.vendors_consented) == 1334
    assert {1, 2, 10, 12, 13, 15, 16, 20, 21, 25} <= tc.vendors_consented
    assert len(tc.vendors_legitimate_interest) == 18  # range-encoded section
    assert tc.publisher_restrictions == 9
    assert tc.segments == ("publisher-tc",)


def test_latest_spec_example_signals_no_consent() -> None:
    # SPEC, "Full TC String passing" (updated sample, 2025).
    tc = _decoded("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA")
    assert tc.cmp_id == 880
    assert tc.publisher_country == "DE"
    assert tc.vendors_consented == frozenset({1, 2, 3, 4})
    assert tc.choice == "refused"
    assert "purposes consented none" in tc.summary()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("${GDPR_CONSENT_755}", "macro"),
        # TCF v1.1 example string (its spec: "Example Vendor Consent String").
        ("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA", "TCF v1"),
        ("CLcVDx", "ends too early"),
        ("CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdf!", "not base64url"),
        ("DBABMA", "version field is 3"),  # a GPP header where a TC string belongs
        (SERVICE_SPECIFIC.split(".")[0][:60], "ends too early"),  # cut in the vendor section
        (SERVICE_SPECIFIC.split(".")[0] + "..x", "empty segment"),
    ],
)
def test_malformed_strings_are_undecodable_with_a_reason(text: str, reason: str) -> None:
    result = decode_tcf(text)
    assert isinstance(result, Undecodable)
    assert reason in result.reason
    assert result.format == "TCF v2"
    assert result.describe().startswith("undecodable TCF v2 value:")
