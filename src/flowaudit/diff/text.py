"""The diff for the terminal. Captured text is shown inert (see reporters.text)."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.diff.model import RecipientChange, ResultDiff
from flowaudit.diff.words import declared_word, gate_verdict, headline, sentences, side_line, verdict_word
from flowaudit.display.terminal import safe
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.model import Finding

_CHANGE_STYLE = {"appeared": "bold red", "disappeared": "green", "changed": "yellow"}


_GATE_STYLE = {"fail": "bold red", "pass": "bold green", "none": "bold"}


def _signed(added: tuple[str, ...], removed: tuple[str, ...], *, mark_sensitive: bool = False) -> Text:
    out = Text()
    for sign, values, style in (("+", added, "red"), ("-", removed, "green")):
        for value in values:
            if out:
                out.append("\n")
            strong = mark_sensitive and is_sensitive(value)
            out.append(f"{sign} ", style=style)
            out.append_text(safe(value))
            if strong:
                out.append(" (sensitive)", style="bold magenta")
    return out


def _recipients(diff: ResultDiff) -> Table:
    table = Table(title="Recipients", title_justify="left", title_style="bold")
    for column in ("Change", "Company", "Category", "Declared", "Data types", "Hosts"):
        table.add_column(column, overflow="fold")
    table.add_column("Requests", justify="right", no_wrap=True)
    for c in diff.recipients:
        table.add_row(
            Text(c.change, style=_CHANGE_STYLE[c.change]),
            safe(c.entity),
            safe(", ".join(c.categories)),
            Text(_declared(c)),
            _signed(c.data_types_added, c.data_types_removed, mark_sensitive=True),
            _signed(c.hosts_added, c.hosts_removed),
            Text(f"{c.flows_old} → {c.flows_new}"),
        )
    return table


def _declared(c: RecipientChange) -> str:
    old, new = declared_word(c.declared_old), declared_word(c.declared_new)
    return old if old == new else f"{old} → {new}"


def _findings(title: str, findings: tuple[Finding, ...]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("What", overflow="fold", ratio=1)
    table.add_column("Id", no_wrap=True)
    for f in findings:
        table.add_row(Text(f.severity), Text(f.rule), safe(f.message), Text(f.id, style="dim"))
    return table


def renderable(diff: ResultDiff) -> RenderableType:
    parts: list[RenderableType] = [
        Text("flowaudit diff", style="bold"),
        Text.assemble("old: ", safe(side_line(diff.old))),
        Text.assemble("new: ", safe(side_line(diff.new))),
    ]
    parts += [Text.assemble(("note: ", "yellow"), safe(note)) for note in diff.notes]
    if diff.recipients:
        parts.append(_recipients(diff))
    if diff.new_findings:
        parts.append(_findings("New findings", diff.new_findings))
    if diff.fixed_findings:
        parts.append(_findings("Fixed findings", diff.fixed_findings))
    summary = safe(" ".join(sentences(diff)) + " ")
    summary.append(f"{verdict_word(diff)} ({headline(diff)})", style=_GATE_STYLE[gate_verdict(diff)])
    parts.append(summary)
    return Group(*parts)


def render_text(diff: ResultDiff) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None, legacy_windows=False).print(renderable(diff))
    return buffer.getvalue()
