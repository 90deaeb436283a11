"""Every diff format keeps captured text inert: a crafted host or company name
cannot become markup, a link, or a terminal escape."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from flowaudit.diff.compute import diff_results
from flowaudit.diff.html import render_html
from flowaudit.diff.markdown import render_markdown
from flowaudit.diff.model import Side
from flowaudit.diff.text import render_text
from flowaudit.diff.to_json import render_json
from flowaudit.model import AuditResult, Recipient
from flowaudit.reporters.json_load import result_from_dict
from flowaudit.reporters.json_result import result_to_dict

from ..markup import active_markup
from ..reporters.results import HOSTILE, hostile_result

EVIL = "<img src=x onerror=alert(1)>[link](https://evil.example)\u202egnp.exe\x1b[31m"


def side(label: str, recipients: tuple[Recipient, ...]) -> Side:
    return Side(label, "capture", AuditResult("0.1.0", "r", (), None, None, recipients, (), (), 1))


def crafted_diff():
    evil = Recipient(EVIL, "domain:evil", "unknown", "unknown", False, (EVIL,), 1, ("health.health",))
    return diff_results(side("old.mitm", ()), side(EVIL, (evil,)))


def test_html_escapes_and_shows_hidden_characters() -> None:
    html = render_html(crafted_diff())
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\u202e" not in html and "\\u202e" in html
    assert "\x1b" not in html
    assert 'class="chip sensitive"' in html  # health data marked


def test_markdown_cannot_link_or_embed() -> None:
    md = render_markdown(crafted_diff())
    prose = re.sub(r"`[^`]*`", "", md)  # code spans render literally
    assert not re.search(r"(?<!\\)<img", prose)  # every other < is escaped
    assert "](https://evil.example)" not in prose
    assert "\u202e" not in md


def test_text_and_json_keep_the_value_but_not_the_escape() -> None:
    assert "\x1b" not in render_text(crafted_diff())
    d = json.loads(render_json(crafted_diff()))
    assert d["recipients"]["appeared"][0]["entity"] == EVIL  # JSON carries the data as it is


def test_html_of_hostile_results_read_back_from_json_stays_inert() -> None:
    """Every text field of both results, read back from their JSON as `diff` reads
    saved results, is hostile; the page has no element or attribute that runs or loads."""
    hostile = hostile_result()
    (finding,) = hostile.findings
    old = result_from_dict(result_to_dict(hostile), "old.json")
    new = result_from_dict(result_to_dict(replace(hostile, findings=(replace(finding, id=EVIL),))), "new.json")
    d = diff_results(Side(EVIL, "result", old), Side(HOSTILE[0], "result", new))
    assert d.new_findings and d.fixed_findings  # both findings tables are rendered
    html = render_html(d)
    assert active_markup(html) == ["<link>"]  # only the page's own favicon link (a data: URL)
    assert "&lt;script&gt;document.title=" in html


def test_no_gate_is_no_pass_in_any_format() -> None:
    """--fail-on never: the diff says there is no gate, never "pass" (as `check` does)."""
    evil = Recipient("Meta", "meta", "advertising", "third", False, ("graph.facebook.com",), 1, ("health.health",))
    diff = diff_results(side("old.mitm", ()), side("new.mitm", (evil,)), fail_on="never")
    page = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", render_html(diff), flags=re.S))
    for text in (render_text(diff), render_markdown(diff), page):
        assert not re.search(r"\bpass\b", text, re.IGNORECASE)
        assert re.search(r"no gate", text, re.IGNORECASE)
    assert json.loads(render_json(diff))["summary"]["verdict"] == "none"
    assert '<section class="verdict none"' in render_html(diff)


def test_text_for_files_never_folds_an_id_or_host() -> None:
    """CI logs read the diff at 80 columns: lines break at spaces only, so every
    host, data type and flow reference stays whole and searchable."""
    long_host = "very-long-tracking-subdomain-for-a-cookie-sync.partners.example-adtech.com"
    meta = Recipient(
        "Meta Platforms, Inc.",
        "meta",
        "advertising",
        "third",
        False,
        ("graph.facebook.com", long_host),
        12,
        ("identifiers.advertising_id", "health.reproductive"),
    )
    text = render_text(diff_results(side("old.mitm", ()), side("new.mitm", (meta,))))
    words = text.split()
    for whole in (long_host, "identifiers.advertising_id", "health.reproductive", "0→12"):
        assert whole in words or whole + "," in words
    assert all(len(line) <= 80 or " " not in line.strip() for line in text.splitlines())
    assert "Inc.." not in text
