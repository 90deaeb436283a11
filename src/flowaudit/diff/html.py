"""The diff as one self-contained HTML page, in the HTML report's style.

Rendered with the HTML report's Jinja2 environment (autoescape, every value
made visible by :mod:`flowaudit.reporters.inert`), stylesheet and
Content-Security-Policy: no script, no network, styles pinned by hash.
:func:`render_page` is that recipe for any standalone page; the study's
matrix uses it too.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from flowaudit.diff.model import ResultDiff
from flowaudit.diff.words import declared_word, gate_verdict, headline, sentences, side_line, verdict_word
from flowaudit.reporters.html import _environment, style_hash, stylesheet

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


@cache
def _template(package: str, name: str) -> Template:
    source = resources.files(package).joinpath("templates", name).read_text(encoding="utf-8")
    return _environment().from_string(source)


def render_page(package: str, name: str, extra_css: str, **context: Any) -> str:
    """Render ``<package>/templates/<name>`` with the report's stylesheet plus
    ``extra_css``, both allowed by hash in the page's CSP and nothing else."""
    css = stylesheet()
    assert "</" not in extra_css  # inlined raw in a <style> element
    return _template(package, name).render(
        css=Markup(css),
        extra_css=Markup(extra_css),
        csp_style=f"{style_hash(css)} {style_hash(extra_css)}",
        **context,
    )


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
