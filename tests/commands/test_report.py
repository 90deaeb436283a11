"""`flowaudit report RESULT.json --format FMT -o PATH` end to end: a saved
result becomes any format without the captures; bad files get one clear
message and exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ..resultschema import valid_result_text
from .conftest import assert_clean_error, flowaudit

ROOT = Path(__file__).resolve().parents[2]
CAPTURE = ROOT / "examples/acme-health/capture.mitm"
DECLARATION = ROOT / "examples/acme-health/flowaudit.yml"


@pytest.fixture(scope="module")
def result_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "result.json"
    run = flowaudit("check", CAPTURE, "--declared", DECLARATION, "--format", "json", "-o", path)
    assert run.code == 1, run.err
    return path


def test_every_format_from_a_saved_result(result_json: Path, tmp_path: Path) -> None:
    formats = ["csv", "html", "json", "junit", "markdown", "sarif", "text"]
    run = flowaudit("report", result_json, *[a for f in formats for a in ("--format", f)], "-o", tmp_path / "out")
    assert run.code == 0, run.err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "flowaudit.csv",
        "flowaudit.html",
        "flowaudit.json",
        "flowaudit.junit.xml",
        "flowaudit.md",
        "flowaudit.sarif",
        "flowaudit.txt",
    ]
    # The JSON comes back as it went in.
    assert valid_result_text((tmp_path / "out/flowaudit.json").read_text()) == json.loads(result_json.read_text())
    assert "Mixpanel" in (tmp_path / "out/flowaudit.html").read_text()


def test_report_matches_check(result_json: Path, tmp_path: Path) -> None:
    """The same result gives the same report, straight from check or via the JSON."""
    direct = tmp_path / "direct.sarif"
    flowaudit("check", CAPTURE, "--declared", DECLARATION, "--format", "sarif", "-o", direct)
    via = tmp_path / "via.sarif"
    assert flowaudit("report", result_json, "--format", "sarif", "-o", via).code == 0
    direct_run, via_run = (json.loads(p.read_text())["runs"][0] for p in (direct, via))
    for part in ("tool", "results", "properties"):
        assert direct_run[part] == via_run[part], part


def test_one_format_to_standard_output(result_json: Path) -> None:
    run = flowaudit("report", result_json, "--format", "markdown")
    assert run.code == 0 and run.out.startswith("## flowaudit: Acme Health · 12 findings\\: 2 critical")


def test_not_a_result(tmp_path: Path) -> None:
    assert_clean_error(
        flowaudit("report", ROOT / "tests/data/realworld/sdk/mixpanel/flows.har"), "flows.har", "not a flowaudit result"
    )
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema_version": 2, "tool": {"name": "flowaudit"}}))
    assert_clean_error(flowaudit("report", newer, "--format", "html"), "newer.json", "schema_version 2", "upgrade")
    older = tmp_path / "older.json"
    older.write_text(json.dumps({"schema_version": 0, "tool": {"name": "flowaudit", "version": "0.0.9"}}))
    assert_clean_error(
        flowaudit("report", older), "older.json", "schema_version 0 (written by flowaudit 0.0.9), an older format"
    )
    broken = tmp_path / "broken.json"
    data = json.loads((ROOT / "reports/acme-health/flowaudit.json").read_text(encoding="utf-8"))
    data["findings"][3]["severity"] = "urgent"
    broken.write_text(json.dumps(data))
    assert_clean_error(flowaudit("report", broken), "broken.json", "`findings[3].severity` must be one of")
    assert_clean_error(flowaudit("report", tmp_path / "missing.json"), "missing.json", "no such file")


def test_several_formats_need_a_folder(result_json: Path) -> None:
    assert_clean_error(flowaudit("report", result_json, "--format", "html", "--format", "csv"), "no output folder")


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("fmt", ["text", "junit", "csv", "markdown", "html", "sarif", "json"])
def test_an_edited_result_cannot_drive_the_terminal(result_json: Path, tmp_path: Path, fmt: str) -> None:
    """A result is a file anyone may have edited: its rule ids, version, timestamps and flow
    references are rendered too, and a control sequence or a line break in them is spelled
    out in every format as in a capture's text (issue 15 item 7)."""
    evil = "\x1b[2J\x1b[1;32mPASS\x1b[0m\n::error::forged\r\x9b31m"
    result = json.loads(result_json.read_text())
    result["tool"]["version"] = evil
    result["created"] = evil
    result["findings"][0]["rule"] = evil
    result["findings"][0]["evidence"][0]["flow"] = f"{evil}#1"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(result))
    run = flowaudit("report", edited, "--format", fmt)
    assert run.code == 0, run.err
    shown = run.out.replace("\r\n", "\n")
    assert not CONTROL.search(shown), CONTROL.search(shown)
    assert not [line for line in shown.splitlines() if line.lstrip().startswith("::")]
