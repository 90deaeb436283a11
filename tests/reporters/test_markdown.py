"""The Markdown summary: everything a job page needs, and nothing from a
capture that could become a link, an image, HTML or a table break."""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt

from flowaudit.display.markdown import md_code, md_text
from flowaudit.model import AuditResult
from flowaudit.reporters.markdown import MAX_BYTES, MAX_FINDINGS, render_markdown

from .results import HOSTILE


def test_summary_leads_with_the_verdict_and_lists_everything(full: AuditResult) -> None:
    md = render_markdown(full)
    lines = md.splitlines()
    assert lines[0] == (
        "## flowaudit: Acme Health · 6 findings\\: 1 critical, 2 high, 1 medium, 1 low, 1 info "
        "\\(1 more suppressed, not counted\\)"
    )
    assert "**Gate \\-\\-fail\\-on high\\: FAIL, 3 findings at or above high\\.**" in lines
    assert "health data reached Mixpanel" in md
    assert "#### CRITICAL · Sensitive data to a third party\\: Mixpanel" in md
    assert "value `type 2 diabetes`" in md  # canary values are shown
    assert "decoded `br → ndjson → json`" in md
    assert "> [!WARNING]" in md and "late\\.har is incomplete" in md
    assert "| Mixpanel |  | analytics | **NO** |" in md
    assert full.inputs[0].sha256 in md and "### Suppressed: 1 not counted" in md


def rendered_tags(md: str) -> list[str]:
    """The HTML elements a CommonMark renderer (with GitHub's tables and
    raw HTML on, like GitHub) makes of the summary."""
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)
    return re.findall(r"<([a-zA-Z][\w-]*)", html)


def test_hostile_text_cannot_become_markup(hostile: AuditResult) -> None:
    md = render_markdown(hostile)
    tags = set(rendered_tags(md))
    assert tags <= {
        "h2",
        "h3",
        "h4",
        "p",
        "strong",
        "code",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "ul",
        "li",
        "details",
        "summary",
    }, tags
    # No bare URL for an autolinking renderer (GitHub's) to turn into a link.
    prose = re.sub(r"(`+)(?:(?!\1).)*?\1", "", md)
    assert "http://" not in prose and "https://" not in prose and "www." not in prose
    assert "\u202e" not in md and "\r" not in md
    # Every table row keeps its column count.
    for line in md.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 6, 9), line


def test_code_spans_hold_any_value() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("a|b") == "`a\\|b`"
    assert md_code("x" * 500).endswith("… (200 more characters)`")
    assert md_text("[a](javascript:x)") == "\\[a\\]\\(javascript\\:x\\)"
    for payload in HOSTILE:
        assert "\n" not in md_text(payload) and "\n" not in md_code(payload)


def test_summary_stays_under_github_limit(full: AuditResult) -> None:
    big = full.findings[1]
    findings = tuple(replace(big, id=f"{n:020d}", message="x" * 2000) for n in range(400))
    md = render_markdown(replace(full, findings=findings))
    assert len(md.encode("utf-8")) <= MAX_BYTES
    assert f"{400 - MAX_FINDINGS} more findings" in md


def test_no_findings(full: AuditResult) -> None:
    md = render_markdown(replace(full, findings=(), suppressed=(), inputs=full.inputs[:1]))
    assert md.splitlines()[0] == "## flowaudit: Acme Health · No findings"
    assert "**Gate \\-\\-fail\\-on high\\: pass, no finding at or above high\\.**" in md
    assert "### Findings" not in md
