"""`disclose -o` writes the two store files too, and both round-trip: read back by
`check --declared`, they leave nothing a declaration settles, on real captures."""

from __future__ import annotations

import csv
import plistlib
from pathlib import Path

import pytest

from flowaudit.declaration.combined import APPLE_MANIFEST, PLAY_DATA_SAFETY, sniff
from flowaudit.disclose.draft import DECLARABLE_RULES
from flowaudit.stores.apple import read_manifest
from flowaudit.stores.mapping import load_mapping
from flowaudit.stores.play_template import HEADER, template_rows

from .conftest import DATA, REALWORLD, flowaudit

CORPUS = DATA.parent / "corpus"
APPLE_PURPOSES = {
    f"NSPrivacyCollectedDataTypePurpose{p}"
    for p in ("ThirdPartyAdvertising", "DeveloperAdvertising", "Analytics", "ProductPersonalization",
              "AppFunctionality", "Other")
}  # fmt: skip
CAPTURES = {
    "ios-sdks": [CORPUS / "amplitude/flows.mitm", CORPUS / "appsflyer/flows.mitm"],
    "android-quizduel": [CORPUS / "external/tweasel-quizduel/capture.har"],
    "sentry": [REALWORLD / "sdk/sentry/flows.mitm"],
}


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_store_files_round_trip(tmp_path: Path, name: str) -> None:
    captures = CAPTURES[name]
    out = tmp_path / "draft"
    run = flowaudit("disclose", *captures, "-o", out)
    assert run.code == 0, run.err
    manifest, data_safety = out / "PrivacyInfo.xcprivacy", out / "data_safety.csv"
    assert sniff(str(manifest)) == APPLE_MANIFEST and sniff(str(data_safety)) == PLAY_DATA_SAFETY

    check = flowaudit(
        "check", *captures, "--declared", out / "flowaudit.yml", "--declared", manifest, "--declared", data_safety,
        "--format", "json", "--fail-on", "never",
    )  # fmt: skip
    assert check.code == 0, check.err
    result = check.json()
    assert [f["kind"] for f in result["app"]["declaration_files"]] == [
        "flowaudit", "apple-privacy-manifest", "play-data-safety",
    ]  # fmt: skip
    assert [(f["rule"], f["message"]) for f in result["findings"] if f["rule"] in DECLARABLE_RULES] == []
    # Every type the traffic showed is declared in both files.
    observed = {t for r in result["recipients"] for t in r["data_types"]}
    assert observed
    read = read_manifest(str(manifest))
    mapping = load_mapping()
    declared = {t for item in read.items for t in mapping.find("apple", item.type_id).types}  # type: ignore[union-attr]
    assert observed <= declared


def test_the_manifest_is_what_apple_documents(tmp_path: Path) -> None:
    out = tmp_path / "draft"
    assert flowaudit("disclose", *CAPTURES["ios-sdks"], "-o", out).code == 0
    value = plistlib.loads((out / "PrivacyInfo.xcprivacy").read_bytes())
    assert set(value) == {"NSPrivacyTracking", "NSPrivacyTrackingDomains", "NSPrivacyCollectedDataTypes"}
    assert value["NSPrivacyTracking"] is True  # AppsFlyer (attribution) received ids with the events
    assert value["NSPrivacyTrackingDomains"] == ["api2.appsflyer.com"]  # not Amplitude's analytics host
    apple_types = {row.id for row in load_mapping().apple}
    for item in value["NSPrivacyCollectedDataTypes"]:
        assert set(item) == {
            "NSPrivacyCollectedDataType", "NSPrivacyCollectedDataTypeLinked",
            "NSPrivacyCollectedDataTypeTracking", "NSPrivacyCollectedDataTypePurposes",
        }  # fmt: skip
        assert item["NSPrivacyCollectedDataType"] in apple_types
        assert isinstance(item["NSPrivacyCollectedDataTypeLinked"], bool)
        assert isinstance(item["NSPrivacyCollectedDataTypeTracking"], bool)
        assert set(item["NSPrivacyCollectedDataTypePurposes"]) <= APPLE_PURPOSES
    by_type = {i["NSPrivacyCollectedDataType"]: i for i in value["NSPrivacyCollectedDataTypes"]}
    assert by_type["NSPrivacyCollectedDataTypeHealth"]["NSPrivacyCollectedDataTypeTracking"] is True
    assert by_type["NSPrivacyCollectedDataTypeName"]["NSPrivacyCollectedDataTypeTracking"] is False  # Amplitude only
    text = (out / "PrivacyInfo.xcprivacy").read_text()
    assert text.count("<!-- TODO (flowaudit): ") == len(value["NSPrivacyCollectedDataTypes"])
    # Linked is written true (the plist needs a boolean) and every entry's TODO says traffic cannot tell.
    assert all(i["NSPrivacyCollectedDataTypeLinked"] is True for i in value["NSPrivacyCollectedDataTypes"])
    assert text.count("Linked? Traffic cannot tell: written true") == len(value["NSPrivacyCollectedDataTypes"])


def test_the_csv_has_exactly_the_templates_columns_and_ids(tmp_path: Path) -> None:
    out = tmp_path / "draft"
    assert flowaudit("disclose", *CAPTURES["android-quizduel"], "-o", out).code == 0
    with (out / "data_safety.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == HEADER
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [(t.question, t.response, t.requirement) for t in template_rows()]
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert set(values.values()) <= {"", "TRUE", "FALSE"}
    assert values[("PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID")] == "TRUE"
    sharing = "PSL_DATA_USAGE_RESPONSES:PSL_DEVICE_ID:PSL_DATA_USAGE_COLLECTION_AND_SHARING"
    assert values[(sharing, "PSL_DATA_USAGE_ONLY_SHARED")] == "TRUE"  # Meta received it
    # Purposes are left for the app maker: blank, with a visible TODO in the label column.
    purposes = [r for r in rows[1:] if r[0] == "PSL_DATA_USAGE_RESPONSES:PSL_DEVICE_ID:DATA_USAGE_COLLECTION_PURPOSE"]
    assert all(r[2] == "" for r in purposes)
    assert any("TODO (flowaudit): why is Device or other IDs collected?" in r[4] for r in purposes)


def test_declared_takes_what_check_takes(tmp_path: Path) -> None:
    """--declared repeats and takes privacy manifests, Data safety CSVs and folders, read by check's loader."""
    first = tmp_path / "first"
    assert flowaudit("disclose", *CAPTURES["sentry"], "--app", "Sentry Demo", "-o", first).code == 0
    sdks = tmp_path / "Pods/Sentry"
    sdks.mkdir(parents=True)
    (sdks / "PrivacyInfo.xcprivacy").write_bytes((DATA / "stores/manifests/sentry/PrivacyInfo.xcprivacy").read_bytes())
    again = tmp_path / "again"
    run = flowaudit(
        "disclose", *CAPTURES["sentry"], "--declared", first / "flowaudit.yml", "--declared", tmp_path / "Pods",
        "--declared", first / "data_safety.csv", "--declared", first / "PrivacyInfo.xcprivacy", "-o", again,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "app: Sentry Demo" in (again / "flowaudit.yml").read_text()  # the YAML's keys are kept
    assert (again / "data_safety.csv").read_bytes() == (first / "data_safety.csv").read_bytes()

    # A broken store file is check's exit 2, naming the file; so is a second flowaudit.yml.
    bad = DATA / "stores/bad/sentry-8.11.0-purposes-string.xcprivacy"
    run = flowaudit("disclose", *CAPTURES["sentry"], "--declared", bad)
    assert run.code == 2 and str(bad) in run.err and "Traceback" not in run.err
    run = flowaudit(
        "disclose", *CAPTURES["sentry"], "--declared", first / "flowaudit.yml", "--declared", again / "flowaudit.yml"
    )
    assert run.code == 2 and "a second flowaudit.yml" in run.err


def test_the_written_csv_has_the_real_exports_columns_and_ids(tmp_path: Path) -> None:
    """disclose's CSV against a real Play Console export (FairEmail's): the same header, and every
    row of the export in the same order, but the deletion question Google replaced since."""
    out = tmp_path / "draft"
    assert flowaudit("disclose", *CAPTURES["android-quizduel"], "-o", out).code == 0
    with (out / "data_safety.csv").open(newline="") as f:
        written = list(csv.reader(f))
    with (DATA / "stores/play/fairemail/data_safety_export.csv").open(newline="", encoding="utf-8") as f:
        real = list(csv.reader(f))
    assert written[0] == real[0]
    written_ids = [(r[0], r[1], r[3]) for r in written[1:]]
    real_ids = [(r[0], r[1], r[3]) for r in real[1:] if r[0] != "PSL_DATA_COLLECTION_USER_REQUEST_DELETE"]
    assert [row for row in written_ids if row in set(real_ids)] == real_ids
