"""The diff as one self-contained HTML page, in the HTML report's style.

Rendered by :func:`flowaudit.display.page.render_page` with the HTML
report's Jinja2 settings (autoescape, every value made visible),
stylesheet and Content-Security-Policy: no script, no network, styles
pinned by hash; the study's matrix is rendered the same way.
"""

from __future__ import annotations

from flowaudit.diff.model import ResultDiff
from flowaudit.diff.words import declared_word, gate_verdict, headline, sentences, side_line, verdict_word
from flowaudit.display.page import render_page

_EXTRA_CSS = """
.change { font-weight: 700; text-transform: uppercase; font-size: 12px; letter-spacing: .05em; }
.change.appeared { color: var(--undeclared); }
.change.disappeared { color: var(--pass); }
.change.changed { color: var(--unknown); }
.signed { margin: 0; padding: 0; list-style: none; }
.signed .added::before { content: "+ "; color: var(--undeclared); font-weight: 700; }
.signed .removed::before { content: "\\2212  "; color: var(--pass); font-weight: 700; }
.signed .removed { color: var(--muted); }
"""


def render_html(diff: ResultDiff) -> str:
    return render_page(
        "flowaudit.diff",
        "diff.html.j2",
        _EXTRA_CSS,
        d=diff,
        headline=headline(diff),
        sentences=sentences(diff),
        old_line=side_line(diff.old),
        new_line=side_line(diff.new),
        declared_word=declared_word,
        verdict_word=verdict_word,
        gate_verdict=gate_verdict,
    )
