"""JUnit XML: parsed with junitparser (what CI plugins do), a test case per
recipient and rule, failures exactly for the findings that fail the audit,
unique names."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from junitparser import Failure, JUnitXml, Skipped

from flowaudit.engine.ruleset import RULES
from flowaudit.model import AuditResult
from flowaudit.reporters.junit import JunitReporter

from .captures import run_flowaudit

ROOT = Path(__file__).resolve().parents[2]


def parse(result: AuditResult, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "r.junit.xml"
    path.write_text(JunitReporter().render(result), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def cases(xml: JUnitXml) -> dict[tuple[str, str], object]:
    out = {}
    for suite in xml:
        for case in suite:
            key = (case.classname, case.name)
            assert key not in out, f"duplicate test case {key}"
            out[key] = case
    return out


def test_a_case_per_recipient_and_rule(full: AuditResult, tmp_path: Path) -> None:
    xml = parse(full, tmp_path)
    found = cases(xml)
    suites = [s.name for s in xml]
    assert len(suites) == len(set(suites))
    for r in full.recipients:
        for rule in RULES:
            assert (f"{r.entity} ({r.category})", rule) in found


def test_failures_are_the_findings_at_or_above_fail_on(full: AuditResult, tmp_path: Path) -> None:
    found = cases(parse(full, tmp_path))
    failed = {key for key, case in found.items() if any(isinstance(r, Failure) for r in case.result)}
    assert failed == {
        ("Mixpanel (analytics)", "sensitive-data-to-third-party"),
        ("Mixpanel (analytics)", "undeclared-recipient"),
        ("Sentry (crash_reporting)", "undeclared-data-type"),
    }
    assert "jane.doe@example.com" in found[("Sentry (crash_reporting)", "undeclared-data-type")].result[0].text
    # Below --fail-on high: a passing case that still tells.
    shared = found[("Mixpanel, Segment", "identifier-shared-across-companies")]
    assert shared.is_passed and "Below --fail-on high" in shared.system_out
    skipped = [key for key, case in found.items() if any(isinstance(r, Skipped) for r in case.result)]
    assert skipped == [("status.example", "unknown-third-party")]


def test_totals_add_up(full: AuditResult, tmp_path: Path) -> None:
    xml = parse(full, tmp_path)  # the counts as written, not recomputed
    statuses = Counter(
        "failure" if any(isinstance(r, Failure) for r in c.result) else "skipped" if c.is_skipped else "passed"
        for s in xml
        for c in s
    )
    assert (xml.tests, xml.failures, xml.skipped) == (sum(statuses.values()), statuses["failure"], statuses["skipped"])
    for suite in xml:
        assert suite.tests == len(list(suite))


def test_fail_on_never_has_no_failures(full: AuditResult, tmp_path: Path) -> None:
    found = cases(parse(replace(full, fail_on="never"), tmp_path))
    assert not [k for k, c in found.items() if any(isinstance(r, Failure) for r in c.result)]


def test_hostile_result_is_well_formed_xml(hostile: AuditResult, tmp_path: Path) -> None:
    xml = parse(hostile, tmp_path)
    [case] = [c for s in xml for c in s if any(isinstance(r, Failure) for r in c.result)]
    assert "\\u202e" in case.result[0].text and "\u202e" not in case.result[0].text


def test_real_capture_junit_parses(tmp_path: Path) -> None:
    out = tmp_path / "r.junit.xml"
    run = run_flowaudit(
        "check",
        ROOT / "examples/acme-health/capture.mitm",
        "--declared",
        ROOT / "examples/acme-health/flowaudit.yml",
        "--format",
        "junit",
        "-o",
        out,
    )
    assert run.returncode == 1, run.stderr
    found = cases(JUnitXml.fromfile(str(out)))
    mixpanel = found[("Mixpanel (analytics)", "undeclared-recipient")]
    assert any(isinstance(r, Failure) for r in mixpanel.result)
