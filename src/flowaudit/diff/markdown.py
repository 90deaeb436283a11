"""The diff as Markdown: what a pull request comment shows.

Captured values are escaped with the Markdown report's own helpers, so a
crafted host cannot become a link, an image or raw HTML.
"""

from __future__ import annotations

from flowaudit.diff.model import RecipientChange, ResultDiff
from flowaudit.diff.words import declared_word, headline, sentences, side_line, verdict_word
from flowaudit.display.markdown import md_code, md_text
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.model import Finding


def _signed(added: tuple[str, ...], removed: tuple[str, ...], *, mark_sensitive: bool = False) -> str:
    cells = [
        f"{sign} {md_code(v)}" + (" **sensitive**" if mark_sensitive and is_sensitive(v) else "")
        for sign, values in (("\\+", added), ("\\-", removed))
        for v in values
    ]
    return "<br>".join(cells)


def _declared(c: RecipientChange) -> str:
    old, new = declared_word(c.declared_old), declared_word(c.declared_new)
    return old if old == new else f"{old} → {new}"


def _findings(title: str, findings: tuple[Finding, ...]) -> list[str]:
    out = [f"### {title}", "", "| Severity | Rule | What | Id |", "|---|---|---|---|"]
    out += [f"| {f.severity} | {md_code(f.rule)} | {md_text(f.message)} | {md_code(f.id)} |" for f in findings]
    return [*out, ""]


def render_markdown(diff: ResultDiff) -> str:
    out = [
        f"## flowaudit diff · {verdict_word(diff)}",
        "",
        f"**{verdict_word(diff)}: {md_text(headline(diff))}**",
        "",
        *(md_text(s) for s in sentences(diff)),
        "",
        f"- old: {md_text(side_line(diff.old))}",
        f"- new: {md_text(side_line(diff.new))}",
        "",
    ]
    for note in diff.notes:
        out += ["> [!NOTE]", f"> {md_text(note)}", ""]
    if diff.recipients:
        out += [
            "### Recipients",
            "",
            "| Change | Company | Category | Declared | Data types | Hosts | Requests |",
            "|---|---|---|---|---|---|---:|",
        ]
        for c in diff.recipients:
            cells = [
                f"**{c.change}**",
                md_text(c.entity),
                md_text(", ".join(c.categories)),
                _declared(c),
                _signed(c.data_types_added, c.data_types_removed, mark_sensitive=True),
                _signed(c.hosts_added, c.hosts_removed),
                f"{c.flows_old} → {c.flows_new}",
            ]
            out.append(f"| {' | '.join(cells)} |")
        out.append("")
    if diff.new_findings:
        out += _findings("New findings", diff.new_findings)
    if diff.fixed_findings:
        out += _findings("Fixed findings", diff.fixed_findings)
    return "\n".join(out)
