"""`-o FILE` without --format: the format comes from the file's extension,
an unknown extension is an error, and text never lands in a `.html` file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowaudit.commands.output import choose_formats
from flowaudit.errors import FlowauditError
from flowaudit.reporters import REPORTERS

from ..resultschema import valid_result_text
from .conftest import assert_clean_error, flowaudit

ROOT = Path(__file__).resolve().parents[2]
CAPTURE = ROOT / "examples/acme-health/capture.mitm"
DECLARATION = ROOT / "examples/acme-health/flowaudit.yml"
ALL = tuple(REPORTERS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.html", "html"),
        ("REPORT.HTM", "html"),
        ("result.json", "json"),
        ("scan.sarif", "sarif"),
        ("flowaudit.junit.xml", "junit"),
        ("summary.md", "markdown"),
        ("table.csv", "csv"),
        ("report.txt", "text"),
        ("report", "text"),
    ],
)
def test_the_extension_names_the_format(name: str, expected: str) -> None:
    assert choose_formats((), name, ALL) == (expected,)


def test_what_is_asked_wins_where_no_file_is_named(tmp_path: Path) -> None:
    assert choose_formats((), None, ALL) == ("text",)
    assert choose_formats(("json",), "-", ALL) == ("json",)
    assert choose_formats(("json", "html", "json"), str(tmp_path), ALL) == ("json", "html")
    assert choose_formats(("json",), "result.log", ALL) == ("json",)  # an extension that names no format


@pytest.mark.parametrize(
    ("formats", "name", "available", "message"),
    [
        ((), "report.pdf", ALL, "cannot tell the report format from the extension .pdf"),
        (("text",), "report.html", ALL, "--format text would write text into a .html file, which names html"),
        ((), "changes.sarif", ("text", "json", "markdown", "html"), "from the extension .sarif"),
    ],
)
def test_a_mismatch_is_an_error(formats: tuple[str, ...], name: str, available: tuple[str, ...], message: str) -> None:
    with pytest.raises(FlowauditError, match=message.replace(".", r"\.")):
        choose_formats(formats, name, available)


def test_check_writes_html_for_report_html(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run = flowaudit("check", CAPTURE, "--declared", DECLARATION, "-o", out)
    assert run.code == 1, run.err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_check_refuses_an_unknown_extension_and_text_in_html(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("check", CAPTURE, "-o", tmp_path / "report.pdf"), "report.pdf", ".pdf")
    run = flowaudit("check", CAPTURE, "--format", "text", "-o", tmp_path / "report.html")
    assert_clean_error(run, "report.html", "--format text would write text into a .html file")
    assert not (tmp_path / "report.html").exists() and not (tmp_path / "report.pdf").exists()


def test_report_and_diff_follow_the_extension(tmp_path: Path) -> None:
    result = tmp_path / "result.json"
    assert flowaudit("check", CAPTURE, "--declared", DECLARATION, "-o", result).code == 1
    assert valid_result_text(result.read_text(encoding="utf-8"))["schema_version"] == 1
    assert flowaudit("report", result, "-o", tmp_path / "scan.sarif").code == 0
    assert json.loads((tmp_path / "scan.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert flowaudit("diff", result, result, "-o", tmp_path / "changes.md").code == 0
    assert (tmp_path / "changes.md").read_text(encoding="utf-8").startswith("## flowaudit diff")
    assert_clean_error(flowaudit("diff", result, result, "-o", tmp_path / "changes.sarif"), ".sarif")
