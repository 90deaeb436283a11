"""`check --declared` with the store declarations app makers already file: real SDK
privacy manifests (tests/data/stores/manifests, each beside its licence) merged with
an app's own, and a Data safety CSV, audited against real traffic of the same SDKs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..stores.test_play import data_safety
from .conftest import DATA, assert_clean_error, flowaudit

MANIFESTS = DATA / "stores/manifests"
CORPUS = DATA.parent / "corpus"
APP_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>NSPrivacyTracking</key>
	<false/>
	<key>NSPrivacyTrackingDomains</key>
	<array/>
	<key>NSPrivacyCollectedDataTypes</key>
	<array>
		<dict>
			<key>NSPrivacyCollectedDataType</key>
			<string>NSPrivacyCollectedDataTypeUserID</string>
			<key>NSPrivacyCollectedDataTypeLinked</key>
			<true/>
			<key>NSPrivacyCollectedDataTypeTracking</key>
			<false/>
			<key>NSPrivacyCollectedDataTypePurposes</key>
			<array>
				<string>NSPrivacyCollectedDataTypePurposeAppFunctionality</string>
			</array>
		</dict>
	</array>
</dict>
</plist>
"""


def ios_app(root: Path) -> Path:
    """An iOS project as Xcode sees it: the app's manifest, and Amplitude's and Sentry's under Pods/."""
    (root / "MyApp").mkdir(parents=True)
    (root / "MyApp/PrivacyInfo.xcprivacy").write_text(APP_MANIFEST)
    for sdk in ("amplitude", "sentry"):
        (root / "Pods" / sdk).mkdir(parents=True)
        shutil.copy(MANIFESTS / sdk / "PrivacyInfo.xcprivacy", root / "Pods" / sdk / "PrivacyInfo.xcprivacy")
    return root


def by_rule(result: dict, rule: str) -> list[dict]:
    return [f for f in result["findings"] if f["rule"] == rule]


def line_of(path: Path, line: int) -> str:
    return path.read_text().splitlines()[line - 1]


def test_ios_app_with_sdk_manifests_against_real_amplitude_and_appsflyer_traffic(tmp_path: Path) -> None:
    app = ios_app(tmp_path / "project")
    run = flowaudit(
        "check", CORPUS / "amplitude/flows.mitm", CORPUS / "appsflyer/flows.mitm",
        "--declared", app, "--format", "json", "--fail-on", "never",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = run.json()
    own = str(app / "MyApp/PrivacyInfo.xcprivacy")
    amplitude = str(app / "Pods/amplitude/PrivacyInfo.xcprivacy")
    assert [(f["path"], f["kind"]) for f in result["app"]["declaration_files"]] == [
        (own, "apple-privacy-manifest"),
        (amplitude, "apple-privacy-manifest"),
        (str(app / "Pods/sentry/PrivacyInfo.xcprivacy"), "apple-privacy-manifest"),
    ]

    # AppsFlyer (attribution) was contacted; no manifest lists its domain.
    [domain] = by_rule(result, "tracking-domain-not-declared")
    assert (domain["entity"], domain["hosts"], domain["severity"]) == ("AppsFlyer", ["api2.appsflyer.com"], "high")
    assert domain["declaration_file"] == own and domain["declaration_key"] == "NSPrivacyTrackingDomains"
    assert "<key>NSPrivacyTrackingDomains</key>" in line_of(Path(own), domain["declaration_line"])

    # AppsFlyer got ids with the events, while the merged label says they are not used for tracking:
    # the user id against the app's own entry, the device id against Amplitude's, each in its own file.
    tracking = {f["data_types"][0]: f for f in by_rule(result, "store-tracking-not-declared")}
    assert set(tracking) >= {"identifiers.user_id", "identifiers.device_id"}
    assert tracking["identifiers.user_id"]["declaration_file"] == own
    assert tracking["identifiers.device_id"]["declaration_file"] == amplitude
    assert tracking["identifiers.device_id"]["declaration_key"] == (
        "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataTypeTracking"
    )
    assert all(f["entity"] == "AppsFlyer" for f in tracking.values())

    # Health data reached Amplitude and AppsFlyer; no manifest declares it.
    undeclared = {f["data_types"][0]: f for f in by_rule(result, "store-undeclared-data-type")}
    assert "NSPrivacyCollectedDataTypeHealth" in undeclared["health.health"]["message"]
    assert set(undeclared["health.health"]["hosts"]) == {"api2.amplitude.com", "api2.appsflyer.com"}
    # Declared by some manifest, so not undeclared: the user id (app), the IP address and device ids (Amplitude).
    assert not {"identifiers.user_id", "network.ip_address", "identifiers.advertising_id"} & set(undeclared)
    # Sentry declares crash and performance data this capture never shows.
    unseen = {(f["declaration_file"], f["declaration_key"]) for f in by_rule(result, "store-declared-not-observed")}
    assert (str(app / "Pods/sentry/PrivacyInfo.xcprivacy"), "NSPrivacyCollectedDataTypes[0]") in unseen


def test_sarif_shows_store_findings_on_the_manifest(tmp_path: Path) -> None:
    app = ios_app(tmp_path / "project")
    run = flowaudit(
        "check", CORPUS / "appsflyer/flows.mitm", "--declared", app, "--format", "sarif", "--fail-on", "never",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 0, run.err
    results = json.loads(run.out)["runs"][0]["results"]
    [domain] = [r for r in results if r["ruleId"] == "tracking-domain-not-declared"]
    location = domain["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "project/MyApp/PrivacyInfo.xcprivacy"
    assert "NSPrivacyTrackingDomains" in line_of(app / "MyApp/PrivacyInfo.xcprivacy", location["region"]["startLine"])


def test_segments_manifest_entries_that_are_not_apple_types_are_listed(realworld: Path) -> None:
    manifest = MANIFESTS / "segment/PrivacyInfo.xcprivacy"
    run = flowaudit("check", realworld / "sdk/segment/flows.mitm", "--declared", manifest, "--format", "json")
    result = run.json()
    assert run.code == 1  # undeclared data types are high
    not_understood = by_rule(result, "store-declaration-not-understood")
    odd = sorted((f["declaration_line"], f["message"].split("'")[1]) for f in not_understood)
    assert odd == [(21, "App Name"), (33, "App Version")]
    assert all(line_of(manifest, line).strip() == "<dict>" for line, _ in odd)  # the entry itself
    assert all(f["severity"] == "low" for f in not_understood)
    undeclared = {f["data_types"][0] for f in by_rule(result, "store-undeclared-data-type")}
    assert {"contact.email", "identifiers.user_id", "health.health"} <= undeclared


def test_mixpanels_empty_manifest_declares_nothing(realworld: Path) -> None:
    run = flowaudit(
        "check", realworld / "sdk/mixpanel/flows.mitm", "--declared", MANIFESTS / "mixpanel/PrivacyInfo.xcprivacy",
        "--format", "json",
    )  # fmt: skip
    undeclared = by_rule(run.json(), "store-undeclared-data-type")
    assert {f["data_types"][0] for f in undeclared} >= {"contact.email", "health.health", "identifiers.user_id"}
    assert all("declares no collected data type" in f["message"] for f in undeclared)


def test_data_safety_csv_against_a_real_android_app(tmp_path: Path) -> None:
    """QuizDuel's real traffic (tweasel): Meta received device ids and app events."""
    csv_path = tmp_path / "data_safety.csv"
    csv_path.write_text(
        data_safety(
            {
                ("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", ""): "TRUE",
                ("PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID"): "TRUE",
                (
                    "PSL_DATA_USAGE_RESPONSES:PSL_DEVICE_ID:PSL_DATA_USAGE_COLLECTION_AND_SHARING",
                    "PSL_DATA_USAGE_ONLY_COLLECTED",
                ): "TRUE",
            }
        )
    )
    run = flowaudit(
        "check", CORPUS / "external/tweasel-quizduel/capture.har", "--declared", csv_path, "--format", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = run.json()
    shared = by_rule(result, "store-shared-not-declared")
    assert {f["data_types"][0] for f in shared} >= {"identifiers.advertising_id", "identifiers.device_id"}
    assert all("Meta" in f["entity"] for f in shared)
    assert all(
        line_of(csv_path, f["declaration_line"]).startswith(
            "PSL_DATA_USAGE_RESPONSES:PSL_DEVICE_ID:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED"
        )
        for f in shared
    )
    undeclared = {f["data_types"][0]: f for f in by_rule(result, "store-undeclared-data-type")}
    assert "usage.interactions" in undeclared
    row = line_of(csv_path, undeclared["usage.interactions"]["declaration_line"])
    assert row.startswith("PSL_DATA_TYPES_APP_ACTIVITY,PSL_USER_INTERACTION,,")


def test_flowaudit_yml_includes_store_files(tmp_path: Path, realworld: Path) -> None:
    shutil.copy(MANIFESTS / "sentry/PrivacyInfo.xcprivacy", tmp_path / "PrivacyInfo.xcprivacy")
    (tmp_path / "flowaudit.yml").write_text(
        "app: Acme\ninclude: [PrivacyInfo.xcprivacy]\nrecipients:\n  - entity: Sentry\n    data: [diagnostics]\n"
    )
    run = flowaudit("check", realworld / "sdk/sentry/flows.mitm", "--format", "json", cwd=tmp_path)
    result = run.json()
    assert [f["kind"] for f in result["app"]["declaration_files"]] == ["flowaudit", "apple-privacy-manifest"]
    assert not by_rule(result, "undeclared-recipient")
    undeclared = {f["data_types"][0] for f in by_rule(result, "store-undeclared-data-type")}
    assert "diagnostics.crash" not in undeclared and "contact.email" in undeclared


def test_a_broken_manifest_is_exit_2_with_line_and_fix(realworld: Path) -> None:
    bad = DATA / "stores/bad/sentry-8.11.0-purposes-string.xcprivacy"
    run = flowaudit("check", realworld / "sdk/sentry/flows.mitm", "--declared", bad)
    assert_clean_error(
        run,
        f"{bad}:14:",
        "NSPrivacyCollectedDataTypePurposes` must be an <array>",
        "hint: wrap the value in an array",
    )


def test_an_include_that_is_not_a_store_file_is_exit_2(tmp_path: Path, realworld: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "flowaudit.yml").write_text("app: Acme\ninclude:\n  - notes.txt\n")
    run = flowaudit("check", realworld / "sdk/sentry/flows.mitm", "--declared", tmp_path / "flowaudit.yml")
    assert_clean_error(run, "flowaudit.yml:3:", "neither a privacy manifest nor a Data safety CSV")
