"""Every format states the same numbers and names, on real captures.

Each capture is audited once and rendered in every format; the counts and
names each format prints are read back from it and compared with
:func:`summarize`: a report that says "3 third parties" while the JSON says
8 recipients is the mistake this guards against. Real captures: the bundled
example, the real SDK and browser recordings of tests/data/realworld, and
every capture of the external corpus (recorded by others).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from flowaudit.model import SEVERITIES, AuditResult
from flowaudit.pipeline import audit_captures
from flowaudit.reporters import get_reporter
from flowaudit.reporters.diagram import layout
from flowaudit.reporters.github import annotation_lines, escape_property
from flowaudit.reporters.summary import Summary, evidence_phrase, summarize
from flowaudit.reporters.verdict import verdict

from ..resultschema import valid_result_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme-health"
CAPTURE_SUFFIXES = (".mitm", ".har")


def _captures() -> list[tuple[str, Path, Path | None]]:
    out: list[tuple[str, Path, Path | None]] = [("example", EXAMPLE / "capture.mitm", EXAMPLE / "flowaudit.yml")]
    for folder in ("sdk", "browser"):
        for capture in sorted((ROOT / "tests" / "data" / "realworld" / folder).glob("*/flows.mitm")):
            out.append((f"realworld-{capture.parent.name}", capture, None))
    external = ROOT / "tests" / "corpus" / "external"
    for capture in sorted(p for p in external.rglob("*") if p.suffix in CAPTURE_SUFFIXES):
        out.append((f"external-{capture.relative_to(external)}", capture, None))
    return out


CAPTURES = _captures()


@cache
def audited(capture: Path, declared: Path | None) -> AuditResult:
    return audit_captures([str(capture)], (str(declared),) if declared else ())


def words(text: str) -> str:
    """Text as a reader sees it: one space between words, Markdown escapes undone."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def check_every_format(result: AuditResult) -> Summary:
    s = summarize(result)
    v = verdict(result)
    assert len(set(s.third_parties)) == len(s.third_parties)
    assert set(s.undeclared) <= set(s.third_parties)
    said = [words(v.headline), words(v.story), words(v.gate)]

    rendered = {fmt: get_reporter(fmt).render(result) for fmt in ("text", "html", "markdown")}
    rendered["html"] = html.unescape(re.sub(r"<[^>]+>", " ", rendered["html"]))
    for fmt, text in rendered.items():
        for sentence in said:
            assert sentence in words(text), (fmt, sentence)
    for f in result.findings[:40]:  # the markdown cuts long lists; its first findings are all there
        if f.evidence:
            phrase = evidence_phrase(f)
            assert all(f"{phrase}" in words(text) for text in rendered.values()), (f.id, phrase)
            assert (
                phrase
                == f"{len({e.flow for e in f.evidence})} request{'s' * (len({e.flow for e in f.evidence}) != 1)} cited"
            )
    if result.recipients:
        assert f"Recipients ({s.companies} compan" in words(rendered["text"])
        assert f"Recipients ({s.companies} compan" in words(rendered["html"])

    doc = valid_result_text(get_reporter("json").render(result))
    summary = doc["summary"]
    assert summary["findings"] == dict(s.findings)
    assert summary["findings"] == {sev: sum(f["severity"] == sev for f in doc["findings"]) for sev in SEVERITIES}
    assert summary["headline"] == s.headline
    assert summary["third_parties"] == len(summary["companies"]["third_party"]) == len(s.third_parties)
    assert summary["undeclared_recipients"] == len(summary["companies"]["undeclared"]) == len(s.undeclared)
    assert summary["companies"]["third_party"] == list(s.third_parties)
    assert summary["companies"]["undeclared"] == list(s.undeclared)
    assert summary["recipients"] == len({r["entity_id"] for r in doc["recipients"]})
    assert summary["verdict"] == s.gate.verdict and summary["nothing_to_audit"] == s.nothing_to_audit

    run = json.loads(get_reporter("sarif").render(result))["runs"][0]
    assert run["properties"]["findings"] == dict(s.findings)
    assert run["properties"]["headline"] == s.headline and run["properties"]["verdict"] == s.gate.verdict
    assert (run["properties"]["thirdParties"], run["properties"]["undeclared"]) == (
        list(s.third_parties),
        list(s.undeclared),
    )
    active = [r for r in run["results"] if "suppressions" not in r]
    assert {sev: sum(r["properties"]["severity"] == sev for r in active) for sev in SEVERITIES} == dict(s.findings)

    junit = ET.fromstring(get_reporter("junit").render(result).split("\n", 1)[1])
    props = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert props["headline"] == s.headline and props["verdict"] == s.gate.verdict
    assert props["third_parties"] == ", ".join(s.third_parties) and props["undeclared"] == ", ".join(s.undeclared)
    assert int(junit.get("failures") or 0) <= s.gate.failing  # a failing test case holds one or more findings

    rows = list(csv.DictReader(io.StringIO(get_reporter("csv").render(result).removeprefix("\ufeff"))))
    assert rows[0]["kind"] == "summary" and rows[0]["message"].startswith(s.headline)
    assert all(sentence in words(rows[0]["message"]) for sentence in said)
    assert sum(r["kind"] == "finding" for r in rows) == s.total_findings

    notice = annotation_lines(result)[0]
    assert notice.startswith(f"::notice title={escape_property('flowaudit: ' + s.headline)}::")
    return s


@pytest.mark.parametrize(("name", "capture", "declared"), CAPTURES, ids=[c[0] for c in CAPTURES])
def test_every_format_says_the_same(name: str, capture: Path, declared: Path | None) -> None:
    check_every_format(audited(capture, declared))
    check_every_format(replace(audited(capture, declared), fail_on="never"))


def test_the_example_in_numbers() -> None:
    s = check_every_format(audited(EXAMPLE / "capture.mitm", EXAMPLE / "flowaudit.yml"))
    assert s.third_parties == ("Mixpanel", "Segment", "Sentry")
    assert s.undeclared == ("Mixpanel",)
    assert s.headline.startswith("12 findings: 2 critical")


def test_no_gate_shows_no_pass_in_any_human_format() -> None:
    """The HIV-test shop case: critical findings and --fail-on never. Nothing may read as a pass."""
    result = replace(audited(EXAMPLE / "capture.mitm", EXAMPLE / "flowaudit.yml"), fail_on="never")
    for fmt in ("text", "html", "markdown"):
        text = get_reporter(fmt).render(result)
        assert not re.search(r"\bPASS\b", text), fmt
        assert "No gate: run with --fail-on never" in words(html.unescape(text)), fmt
    assert valid_result_text(get_reporter("json").render(result))["summary"]["verdict"] == "none"
    page = get_reporter("html").render(result)
    assert '<section class="verdict alarm"' in page and '<p class="gate none">' in page


def test_an_empty_capture_says_there_was_nothing_to_audit() -> None:
    example = audited(EXAMPLE / "capture.mitm", EXAMPLE / "flowaudit.yml")
    empty = replace(example, recipients=(), findings=(), suppressed=(), flows=len(example.platform))
    for result in (empty, replace(empty, platform=(), flows=0)):
        s = check_every_format(result)
        assert s.nothing_to_audit and s.headline.startswith("Nothing to audit")
        for fmt in ("text", "html", "markdown"):
            text = words(html.unescape(get_reporter(fmt).render(result)))
            assert "all of them were declared" not in text and "PASS" not in text, fmt
        page = get_reporter("html").render(result)
        assert '<p class="gate none">' in page  # not green: nothing passed
        assert ('href="#platform"' in page) == bool(result.platform)  # no link to a section that is not there
        d = layout(result)
        assert d.app_y + d.app_h <= d.height  # the app box is not cut off in an empty picture
