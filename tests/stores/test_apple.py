"""Reading Apple privacy manifests: the real ones SDKs publish, binary and XML, and broken ones."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.stores.apple import read_manifest

DATA = Path(__file__).resolve().parents[1] / "data/stores"
MANIFESTS = DATA / "manifests"


def test_reads_amplitudes_published_manifest_with_lines_and_keys() -> None:
    manifest = read_manifest(str(MANIFESTS / "amplitude/PrivacyInfo.xcprivacy"))
    assert [(i.type_id, i.linked, i.tracking, i.purposes) for i in manifest.items] == [
        ("NSPrivacyCollectedDataTypeProductInteraction", True, False, ("NSPrivacyCollectedDataTypePurposeAnalytics",)),
        ("NSPrivacyCollectedDataTypeDeviceID", True, False, ("NSPrivacyCollectedDataTypePurposeAnalytics",)),
        ("NSPrivacyCollectedDataTypeCoarseLocation", True, False, ("NSPrivacyCollectedDataTypePurposeAnalytics",)),
    ]
    second = manifest.items[1]
    lines = (MANIFESTS / "amplitude/PrivacyInfo.xcprivacy").read_text().splitlines()
    assert "<key>NSPrivacyCollectedDataTypeTracking</key>" in lines[second.tracking_place.line - 1]
    assert second.tracking_place.key == "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataTypeTracking"
    assert "<key>NSPrivacyCollectedDataTypes</key>" in lines[manifest.collected_place.line - 1]


def test_every_published_manifest_reads() -> None:
    read = {p.parent.name: read_manifest(str(p)) for p in sorted(MANIFESTS.glob("*/PrivacyInfo.xcprivacy"))}
    assert set(read) == {"amplitude", "bugsnag", "mixpanel", "posthog", "segment", "sentry"}
    assert read["mixpanel"].items == () and read["mixpanel"].tracking is False
    assert [i.type_id for i in read["sentry"].items] == [
        "NSPrivacyCollectedDataTypeCrashData",
        "NSPrivacyCollectedDataTypePerformanceData",
        "NSPrivacyCollectedDataTypeOtherDiagnosticData",
    ]
    # Segment's manifest holds two values that are not Apple data types: read, kept, never dropped.
    assert "App Name" in [i.type_id for i in read["segment"].items]


def test_binary_plist_reads_the_same_without_lines(tmp_path: Path) -> None:
    source = MANIFESTS / "bugsnag/PrivacyInfo.xcprivacy"
    binary = tmp_path / "PrivacyInfo.xcprivacy"
    binary.write_bytes(plistlib.dumps(plistlib.loads(source.read_bytes()), fmt=plistlib.FMT_BINARY))
    xml, read = read_manifest(str(source)), read_manifest(str(binary))
    assert [i.type_id for i in read.items] == [i.type_id for i in xml.items]
    assert read.items[0].place.line is None and read.items[0].place.key == "NSPrivacyCollectedDataTypes[0]"


def test_sentry_8_11_purposes_as_a_string_is_refused_with_the_fix() -> None:
    """sentry-cocoa 8.11.0 shipped purposes as a <string>; 8.12.0 fixed it (getsentry/sentry-cocoa#3276)."""
    path = DATA / "bad/sentry-8.11.0-purposes-string.xcprivacy"
    with pytest.raises(FlowauditError) as caught:
        read_manifest(str(path))
    err = caught.value
    assert err.line == 14
    assert "`NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataTypePurposes` must be an <array>" in err.message
    assert err.hint is not None and "<array><string>NSPrivacyCollectedDataTypePurposeAppFunctionality" in err.hint


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        (b"<?xml version='1.0'?><plist><dict><key>x</dict></plist>", "not a valid XML property list", 1),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE plist [<!ENTITY a "aaaa">]>\n<plist><dict/></plist>',
            "not a valid XML property list",
            None,
        ),
        (b"<plist version='1.0'><array/></plist>", "the manifest must be a <dict>", 1),
        (
            b"<plist><dict>\n<key>NSPrivacyTrackingDomain</key><array/></dict></plist>",
            "unknown key 'NSPrivacyTrackingDomain' (did you mean 'NSPrivacyTrackingDomains'?)",
            2,
        ),
        (b"bplist00garbage", "not a valid binary property list", None),
    ],
)
def test_broken_manifests_name_file_line_and_fix(tmp_path: Path, text: bytes, fragment: str, line: int | None) -> None:
    path = tmp_path / "PrivacyInfo.xcprivacy"
    path.write_bytes(text)
    with pytest.raises(FlowauditError) as caught:
        read_manifest(str(path))
    assert fragment in str(caught.value)
    assert caught.value.path == str(path)
    if line is not None:
        assert caught.value.line == line


def _nested(depth: int) -> list[object]:
    root: list[object] = []
    current = root
    for _ in range(depth):
        child: list[object] = []
        current.append(child)
        current = child
    return root


@pytest.mark.parametrize(
    "raw",
    [
        b"<plist><dict><key>NSPrivacyTracking</key>" + b"<array>" * 10**5 + b"</array>" * 10**5 + b"</dict></plist>",
        plistlib.dumps({"NSPrivacyAccessedAPITypes": _nested(500)}, fmt=plistlib.FMT_BINARY),
    ],
    ids=["xml", "binary"],
)
def test_hostile_nesting_is_refused_quickly(tmp_path: Path, raw: bytes) -> None:
    """Far deeper than a manifest nests: refused before any per-value work (lines, schema, messages)."""
    path = tmp_path / "PrivacyInfo.xcprivacy"
    path.write_bytes(raw)
    with pytest.raises(FlowauditError, match="nested deeper than 16 levels"):
        read_manifest(str(path))


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "PrivacyInfo.xcprivacy"
    path.write_bytes(b"<plist>" + b" " * (3 * 1024 * 1024) + b"</plist>")
    with pytest.raises(FlowauditError, match="too large for a privacy manifest"):
        read_manifest(str(path))
