"""GitHub Actions: annotations escaped as the runner decodes them, and the
step summary appended, only when running there."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from flowaudit.display import MAX_LISTED
from flowaudit.model import AuditResult
from flowaudit.reporters.github import annotation_lines, escape_data, escape_property, publish

from .captures import run_flowaudit

ROOT = Path(__file__).resolve().parents[2]


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape_data("moc.elgoog\u202e.evil\x1b[2J") == "moc.elgoog\\u202e.evil\\u001b[2J"


def test_one_annotation_per_finding_on_its_declaration_line(full: AuditResult) -> None:
    summary, *lines = annotation_lines(full)
    assert summary.startswith("::notice title=flowaudit%3A 6 findings%3A 1 critical%2C 2 high%2C")
    assert "Gate --fail-on high: FAIL, 3 findings at or above high." in summary
    assert len(lines) == len(full.findings)
    assert lines[0].startswith(
        "::error file=flowaudit.yml,line=7,"
        "title=Sensitive data to a third party%3A Mixpanel [sensitive-data-to-third-party]::"
    )
    levels = [line.split(" ", 1)[0] for line in lines]
    assert levels == ["::error", "::error", "::error", "::warning", "::warning", "::notice"]
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_annotations_stop_at_the_cap_and_say_how_many_more(full: AuditResult) -> None:
    many = replace(full, findings=tuple(replace(full.findings[-1], id=f"f{n}") for n in range(MAX_LISTED + 3)))
    summary, *lines = annotation_lines(many)
    assert len(lines) == MAX_LISTED + 1
    assert lines[-1] == (
        "::notice title=flowaudit%3A more findings::and 3 more findings not annotated "
        "(all in the JSON, SARIF and CSV reports)"
    )


def test_a_crafted_message_cannot_start_a_command(hostile: AuditResult) -> None:
    [_, line] = annotation_lines(hostile)
    assert "\n" not in line and "\r" not in line
    assert line.count("::") >= 2 and "%0D%0A::error::injected%250A" in line


def test_publish_only_under_github_actions(full: AuditResult, tmp_path: Path) -> None:
    stream = io.StringIO()
    publish(full, {}, stream)
    assert stream.getvalue() == ""
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    publish(full, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, stream)
    assert stream.getvalue().count("::error ") == 3
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## flowaudit: Acme Health · 6 findings")  # appended, not replaced
    publish(replace(full, findings=()), {"GITHUB_STEP_SUMMARY": str(summary)}, stream)
    assert summary.read_text(encoding="utf-8").count("## flowaudit:") == 2


def test_check_under_github_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    run = run_flowaudit(
        "check",
        "examples/acme-health/capture.mitm",
        "--declared",
        "examples/acme-health/flowaudit.yml",
        "--format",
        "json",
        cwd=ROOT,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert run.returncode == 1
    assert run.stdout.startswith("{")  # the report on stdout is untouched
    assert "::error file=examples/acme-health/flowaudit.yml,line=" in run.stderr
    assert "::notice file=examples/acme-health/flowaudit.yml" in run.stderr
    assert "## flowaudit: Acme Health · 12 findings\\: 2 critical" in summary.read_text(encoding="utf-8")
    assert "**Gate \\-\\-fail\\-on high\\: FAIL" in summary.read_text(encoding="utf-8")
