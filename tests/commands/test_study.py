"""`flowaudit study` over the real captures, one folder per app (tests/data/realworld):
the matrix, every app's reports and the manifest, byte-identical on a re-run."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from ..resultschema import valid_result_text
from .conftest import DECLARATIONS, REALWORLD, assert_clean_error, flowaudit

APPS = {  # app folder -> the capture copied into it
    "mixpanel-sdk": "sdk/mixpanel/flows.mitm",
    "segment-sdk": "sdk/segment/flows.mitm",
    "sentry-sdk": "sdk/sentry/flows.mitm",
    "sentry-gzip-sdk": "sdk/sentry-gzip/flows.mitm",
    "mixpanel-web": "browser/mixpanel/flows.har",
}


@pytest.fixture
def study(tmp_path: Path) -> Path:
    root = tmp_path / "apps"
    for app, capture in APPS.items():
        (root / app).mkdir(parents=True)
        shutil.copy(REALWORLD / capture, root / app / Path(capture).name)
    # one app with its own declaration (Mixpanel declared), the others without
    shutil.copy(DECLARATIONS / "mixpanel.yml", root / "mixpanel-sdk" / "flowaudit.yml")
    (root / "NOTES.txt").write_text("study notes, not an app\n")
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_study_of_the_real_captures(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = flowaudit("study", study, "-o", out, "--jobs", "2")
    assert run.code == 0, run.err
    assert "5 of 5 apps audited" in run.err

    rows = list(csv.reader(io.StringIO((out / "matrix.csv").read_text(encoding="utf-8").removeprefix("\ufeff"))))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:6] == ["app", "status", "declaration", "requests", "undeclared_companies", "sensitive_companies"]
    assert header[6:] == ["Mixpanel", "Sentry", "Segment"]  # most widespread first
    assert sorted(body) == sorted(APPS)
    mixpanel_sdk, web = body["mixpanel-sdk"], body["mixpanel-web"]
    assert mixpanel_sdk["Mixpanel"].startswith("declared") and mixpanel_sdk["declaration"] == "yes"
    # its declaration (tests/data/declarations/mixpanel.yml) covers usage data only
    assert "contact.email (undeclared)" in mixpanel_sdk["Mixpanel"]
    assert "usage.interactions" in mixpanel_sdk["Mixpanel"] and "usage.interactions (" not in mixpanel_sdk["Mixpanel"]
    assert "health.health (sensitive)" in web["Mixpanel"] and web["sensitive_companies"] == "1"
    assert web["Mixpanel"].startswith("UNDECLARED") and web["requests"] == "5"  # 2 of the 5 are Chromium's own
    assert "Google" not in header  # platform traffic is not a company the app sent to
    assert body["segment-sdk"]["Segment"].startswith("UNDECLARED") and body["segment-sdk"]["Mixpanel"] == ""
    assert all(row["status"] == "audited" for row in body.values())

    for app in APPS:
        result = valid_result_text((out / "apps" / app / "flowaudit.json").read_text())
        assert result["inputs"][0]["sha256"] == sha256(REALWORLD / APPS[app])
        assert (out / "apps" / app / "flowaudit.html").is_file()
    html = (out / "matrix.html").read_text()
    assert 'href="apps/mixpanel-web/flowaudit.html"' in html and "default-src 'none'" in html

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == ["flowaudit", "study", str(study), "-o", str(out), "--jobs", "2"]
    assert manifest["tool"]["rules_version"] == result["tool"]["rules_version"]
    assert manifest["skipped"] == ["NOTES.txt"]
    by_app = {a["app"]: a for a in manifest["apps"]}
    assert by_app["mixpanel-sdk"]["declaration"] == {
        "path": "mixpanel-sdk/flowaudit.yml",
        "sha256": sha256(DECLARATIONS / "mixpanel.yml"),
    }
    assert by_app["mixpanel-web"]["inputs"][0]["path"] == "mixpanel-web/flows.har"
    assert all(a["inputs"][0]["sha256"] == sha256(REALWORLD / APPS[a["app"]]) for a in manifest["apps"])
    for output in manifest["outputs"]:  # every file written, with its hash
        assert sha256(out / output["path"]) == output["sha256"], output["path"]
    assert {o["path"] for o in manifest["outputs"]} == {
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    }

    # a second team re-running the same command gets the same bytes
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert flowaudit("study", study, "-o", out, "--jobs", "2").code == 0
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == first


def test_an_app_that_cannot_be_audited_does_not_stop_the_study(study: Path, tmp_path: Path) -> None:
    (study / "broken").mkdir()
    (study / "broken" / "flows.har").write_text('{"log": {"entries": [')
    (study / "broken" / "flowaudit.yml").write_text("recipients: [{entity: Mixpanl}]\n")
    out = tmp_path / "out"
    run = flowaudit("study", study, "-o", out)
    assert run.code == 2 and "Traceback" not in run.err
    # each app's error, then one closing error; the progress bar comes before them
    assert "flowaudit: error: broken: " in run.err and "unknown entity 'Mixpanl'" in run.err
    assert run.err.rstrip().splitlines()[-2].endswith("1 of 6 apps could not be audited: broken")
    rows = list(csv.reader(io.StringIO((out / "matrix.csv").read_text().removeprefix("\ufeff"))))
    [row] = [r for r in rows if r[0] == "broken"]
    assert row[1].startswith("error: ") and "unknown entity 'Mixpanl'" in row[1] and len(rows) == 7
    manifest = json.loads((out / "manifest.json").read_text())
    [broken] = [a for a in manifest["apps"] if a["app"] == "broken"]
    assert broken["status"] == "error" and "Mixpanl" in broken["error"] and broken["reports"] == []


def test_a_folder_without_apps(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("study", tmp_path), "no app in this study folder")
    assert_clean_error(flowaudit("study", tmp_path / "nope"), "no such folder")


def test_an_app_folder_named_in_another_encoding_is_audited(study: Path, tmp_path: Path) -> None:
    """Its name reaches every report and the manifest; writing them aborted the study."""
    shutil.copytree(study / "segment-sdk", study / os.fsdecode(b"caf\xe9"))
    out = tmp_path / "out"
    run = flowaudit("study", study, "-o", out)
    assert run.code == 0, run.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "caf\ufffd" in [a["app"] for a in manifest["apps"]]
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    written = out / "apps" / os.fsdecode(b"caf\xe9") / "flowaudit.json"  # the folder keeps its own name
    assert outputs["apps/caf\ufffd/flowaudit.json"] == sha256(written)  # the hash of what was written


def test_an_app_whose_captures_hold_no_readable_flow_was_not_audited(study: Path, tmp_path: Path) -> None:
    """As `check` says of it: it was listed "audited" with 0 requests, as if it sent nothing."""
    (study / "nothing").mkdir()
    (study / "nothing" / "flows.har").write_text('{"log": {"version": "1.2", "entries": []}}')
    out = tmp_path / "out"
    run = flowaudit("study", study, "-o", out)
    assert run.code == 2 and "no readable flow in the input: nothing was audited" in run.err
    # The hint on a line of its own, as check prints it, and not offering --allow-empty, which study lacks.
    assert "\n  hint: check that the capture is the right file" in run.err
    assert "\\n" not in run.err and "--allow-empty" not in run.err
    manifest = json.loads((out / "manifest.json").read_text())
    [nothing] = [a for a in manifest["apps"] if a["app"] == "nothing"]
    assert nothing["status"] == "error" and nothing["reports"] == []
