"""`flowaudit diff` end to end: the same capture with one tracker removed reports
exactly that change, in every format, from captures or from saved results."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from mitmproxy import io

from .conftest import REALWORLD, assert_clean_error, flowaudit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/acme-health"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """The example capture, and the same capture without its Mixpanel requests."""
    before, after = tmp_path / "before.mitm", tmp_path / "after.mitm"
    shutil.copy(EXAMPLE / "capture.mitm", before)
    shutil.copy(EXAMPLE / "flowaudit.yml", tmp_path / "flowaudit.yml")
    with before.open("rb") as src, after.open("wb") as dst:
        writer = io.FlowWriter(dst)
        kept = [f for f in io.FlowReader(src).stream() if not f.request.host.endswith("mixpanel.com")]
        for flow in kept:
            writer.add(flow)
    assert len(kept) == 6  # 10 flows, 4 of them Mixpanel's (see examples/acme-health/README.md)
    return before, after


def test_removing_one_tracker_reports_exactly_that(pair: tuple[Path, Path]) -> None:
    before, after = pair
    run = flowaudit("diff", before.name, after.name, "--format", "json", cwd=before.parent)
    assert run.code == 0, run.err
    d = run.json()
    assert d["kind"] == "flowaudit-diff"
    assert d["recipients"]["appeared"] == [] and d["recipients"]["changed"] == []
    [gone] = d["recipients"]["disappeared"]
    assert (gone["entity"], gone["declared"], gone["flows"]) == (
        "Mixpanel",
        {"old": False, "new": None},
        {"old": 4, "new": 0},
    )
    assert gone["hosts"]["disappeared"] == ["api-js.mixpanel.com", "api.mixpanel.com"]
    fixed = {(f["rule"], f["entity"]) for f in d["findings"]["fixed"]}
    assert {("undeclared-recipient", "Mixpanel"), ("sensitive-data-to-third-party", "Mixpanel")} <= fixed
    assert all("Mixpanel" in f["entity"] for f in d["findings"]["fixed"])
    # Nothing new: the identifiers Mixpanel shared with Segment and Sentry are still shared by
    # those two, and that finding's id follows the value, not the set of companies.
    assert d["findings"]["new"] == []
    assert d["summary"]["verdict"] == "pass" and d["notes"] == []
    assert (d["old"]["kind"], d["old"]["declaration"]) == ("capture", "flowaudit.yml")


def test_adding_a_tracker_fails_with_the_new_finding(pair: tuple[Path, Path]) -> None:
    before, after = pair
    run = flowaudit("diff", after.name, before.name, cwd=before.parent)
    assert run.code == 1
    flat = " ".join(run.out.split())
    assert "1 company started receiving requests: Mixpanel." in flat
    assert re.search(r"Findings: \d+ new, \d+ fixed, \d+ unchanged\.", flat)
    assert "FAIL (new findings at or above high)" in flat
    assert flowaudit("diff", after.name, before.name, "--fail-on", "never", cwd=before.parent).code == 0


def test_saved_results_compare_like_the_captures(pair: tuple[Path, Path], tmp_path: Path) -> None:
    before, after = pair
    for capture in pair:
        out = tmp_path / f"{capture.stem}.json"
        assert flowaudit("check", capture.name, "--format", "json", "-o", out, cwd=tmp_path).code in (0, 1)
    from_results = flowaudit("diff", "before.json", "after.json", "--format", "json", cwd=tmp_path).json()
    from_captures = flowaudit("diff", before.name, after.name, "--format", "json", cwd=tmp_path).json()
    for key in ("recipients", "findings", "summary"):
        assert from_results[key] == from_captures[key], key
    assert from_results["old"]["kind"] == "result"
    mixed = flowaudit("diff", "before.json", after.name, "--format", "json", cwd=tmp_path)
    assert mixed.json()["summary"] == from_captures["summary"]


def test_every_format_to_a_folder(pair: tuple[Path, Path]) -> None:
    before, after = pair
    out = before.parent / "out"
    args = ["--format", "text", "--format", "json", "--format", "markdown", "--format", "html", "-o", out]
    run = flowaudit("diff", before.name, after.name, *args, cwd=before.parent)
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == [
        "flowaudit-diff.html",
        "flowaudit-diff.json",
        "flowaudit-diff.md",
        "flowaudit-diff.txt",
    ]
    assert "1 company no longer receives requests: Mixpanel" in (out / "flowaudit-diff.txt").read_text().replace(
        "\n", " "
    )
    md = (out / "flowaudit-diff.md").read_text()
    assert "| **disappeared** | Mixpanel |" in md and "### Fixed findings" in md
    html = (out / "flowaudit-diff.html").read_text()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing loads from the network
    assert "<script" not in html and "Mixpanel" in html
    json.loads((out / "flowaudit-diff.json").read_text())


def test_sides_that_are_neither_capture_nor_result(tmp_path: Path) -> None:
    readme = REALWORLD / "README.md"
    capture = REALWORLD / "sdk/mixpanel/flows.mitm"
    assert_clean_error(flowaudit("diff", readme, capture), "neither a capture nor a flowaudit JSON result")
    assert_clean_error(flowaudit("diff", tmp_path / "missing.json", capture), "no such file or folder")
    sarif = tmp_path / "x.json"
    sarif.write_text('{"version": "2.1.0", "runs": []}')
    assert_clean_error(flowaudit("diff", sarif, capture), "not a flowaudit result")


def test_results_are_checked_against_the_schema(tmp_path: Path) -> None:
    capture = REALWORLD / "sdk/mixpanel/flows.mitm"
    result = json.loads(flowaudit("check", capture, "--format", "json").out)
    result["recipients"][0]["party"] = "second"
    (tmp_path / "bad.json").write_text(json.dumps(result))
    assert_clean_error(
        flowaudit("diff", tmp_path / "bad.json", capture), "bad.json", "`recipients[0].party` must be one of: first"
    )
    (tmp_path / "old.json").write_text(json.dumps(result | {"schema_version": 0}))
    assert_clean_error(flowaudit("diff", capture, tmp_path / "old.json"), "old.json", "schema_version 0", "again")


def test_a_baselined_result_is_no_change(tmp_path: Path) -> None:
    """Suppression is one CI run's policy, not a change in the app."""
    capture = REALWORLD / "sdk/mixpanel/flows.mitm"
    plain = flowaudit("check", capture, "--format", "json")
    (tmp_path / "a.json").write_text(plain.out)
    baselined = flowaudit("check", capture, "--baseline", tmp_path / "a.json", "--format", "json")
    assert baselined.code == 0 and baselined.json()["findings"] == []
    (tmp_path / "b.json").write_text(baselined.out)
    d = flowaudit("diff", "a.json", "b.json", "--format", "json", cwd=tmp_path).json()
    assert d["findings"] == {"new": [], "fixed": []}
    assert d["summary"]["unchanged_findings"] == len(plain.json()["findings"])


def test_a_capture_side_with_no_readable_flow_fails_unless_allowed(tmp_path: Path) -> None:
    """As for `check`: a diff against nothing would report every finding as removed, or none as new."""
    capture = REALWORLD / "sdk/mixpanel/flows.mitm"
    damaged = tmp_path / "damaged.har"
    damaged.write_text('{"log": {"entries": [{"request": ')
    for old, new in ((damaged, capture), (capture, damaged)):
        assert_clean_error(flowaudit("diff", old, new), "damaged.har", "no readable flow", "--allow-empty")
    accepted = flowaudit("diff", capture, damaged, "--allow-empty", "--format", "json")
    assert accepted.code == 0, accepted.err
    assert [r["entity"] for r in json.loads(accepted.out)["recipients"]["disappeared"]] == ["Mixpanel"]
