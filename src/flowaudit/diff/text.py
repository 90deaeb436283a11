"""The diff as text: a colour view for a terminal (:func:`renderable`) and a
plain layout for files and pipes (:func:`render_text`).

The plain layout is the one CI logs show, read at 80 columns: like
:mod:`flowaudit.reporters.plain` it has no tables, so no id, host or flow
reference is folded mid-word. Captured text is shown inert in both."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.diff.model import RecipientChange, ResultDiff
from flowaudit.diff.words import declared_word, gate_verdict, headline, sentences, side_line, verdict_word
from flowaudit.display.terminal import safe
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.inert import one_line
from flowaudit.model import Finding
from flowaudit.reporters.plain import finding_block, wrap

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


def _signed_list(label: str, added: tuple[str, ...], removed: tuple[str, ...], *, mark_sensitive: bool = False) -> str:
    def one(sign: str, value: str) -> str:
        return f"{sign} {one_line(value)}" + (" (sensitive)" if mark_sensitive and is_sensitive(value) else "")

    signed = [one("+", v) for v in added] + [one("-", v) for v in removed]
    return f"{label}: {', '.join(signed)}"


def _recipient_lines(c: RecipientChange) -> list[str]:
    facts = [
        c.change.upper(),
        one_line(c.entity),
        one_line(", ".join(c.categories)),
        f"declared {_declared(c).replace(' ', '')}",  # each fact one word: a line never breaks inside it
        f"requests {c.flows_old}→{c.flows_new}",
    ]
    out = wrap(" · ".join(facts), 2)
    if c.data_types_added or c.data_types_removed:
        out += wrap(_signed_list("data types", c.data_types_added, c.data_types_removed, mark_sensitive=True), 4, 4)
    if c.hosts_added or c.hosts_removed:
        out += wrap(_signed_list("hosts", c.hosts_added, c.hosts_removed), 4, 4)
    return out


def render_text(diff: ResultDiff) -> str:
    """The plain layout, for files and pipes (see the module's docstring)."""
    lines = [
        "flowaudit diff",
        *wrap(f"old: {one_line(side_line(diff.old))}"),
        *wrap(f"new: {one_line(side_line(diff.new))}"),
    ]
    lines += [w for note in diff.notes for w in wrap(f"note: {one_line(note)}")]
    if diff.recipients:
        lines += ["", "Recipients"]
        lines += [w for c in diff.recipients for w in _recipient_lines(c)]
    for title, findings in (("New findings", diff.new_findings), ("Fixed findings", diff.fixed_findings)):
        if findings:
            lines += ["", title]
            lines += [w for f in findings for w in finding_block(f)]
    lines += ["", *wrap(one_line(" ".join(sentences(diff)))), *wrap(f"{verdict_word(diff)} ({headline(diff)})")]
    return "\n".join(line.rstrip() for line in lines) + "\n"
