"""The terminal report: who received data, declared or not, and the findings.

This is the live view, for a terminal at least 120 columns wide; a file, a
pipe or a narrower terminal gets :mod:`flowaudit.reporters.plain` instead,
which never cuts an id in pieces.

Everything that came from a capture is hostile: host names and paths are
shown as plain ``Text`` (never parsed as rich markup) with control characters
made visible, so a crafted capture cannot restyle or rewrite the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from flowaudit.display import MAX_HOSTS, MAX_LISTED
from flowaudit.display.terminal import declared_cell, safe
from flowaudit.display.words import more_hosts, plural, requests_cell
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.model import SEVERITIES, AuditResult, Recipient
from flowaudit.reporters.phase_table import phase_table
from flowaudit.reporters.plain import finding_hosts, flow_refs, header_lines, render_plain
from flowaudit.reporters.summary import cited_flows, evidence_phrase, row_evidence, services_named
from flowaudit.reporters.verdict import verdict

_SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def _lines(values: tuple[str, ...]) -> Text:
    return Text("\n").join(safe(v) for v in values)


def _data_types(r: Recipient) -> Text:
    """Each data type on its line, with the request and place that show it (dim)."""
    out = Text()
    for i, (data_type, items) in enumerate(row_evidence(r, 1)):
        if i:
            out.append("\n")
        out.append(data_type, style="bold magenta" if is_sensitive(data_type) else "")
        flow, location = items[0].flow, items[0].location
        out.append_text(Text.assemble(" #", safe(f"{flow.rpartition('#')[2]} {location}"), style="dim"))
    return out


def _recipient_table(title: str, rows: tuple[Recipient, ...], *, platform: bool = False) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    table.add_column("Company", overflow="fold")
    table.add_column("Category")
    if not platform:
        table.add_column("Declared")
    table.add_column("Requests", justify="right")
    if not platform:
        table.add_column("Data types", overflow="fold", ratio=2)
    table.add_column("Hosts", overflow="fold", ratio=1)
    if len(rows) > MAX_LISTED:
        table.caption = f"and {len(rows) - MAX_LISTED} more rows (all in the JSON report)"
    for r in rows[:MAX_LISTED]:
        company = safe(r.entity)
        if r.parent:
            company.append_text(Text.assemble(" (", safe(r.parent), ")", style="dim"))
        for service in services_named(r):  # one a line: the column stays narrow
            company.append_text(Text.assemble("\n", safe(service), style="dim"))
        cells: list[RenderableType] = [company, safe(r.category_label)]
        if not platform:
            cells.append(declared_cell(r))
        cells.append(Text(requests_cell(r)))
        if not platform:
            cells.append(_data_types(r))
        cells.append(_lines(tuple(filter(None, (*r.hosts[:MAX_HOSTS], more_hosts(r.hosts, MAX_HOSTS))))))
        table.add_row(*cells)
    return table


def _findings_table(result: AuditResult) -> Table:
    """One block per finding: severity, then rule and who, the message, the flows."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.title = "Findings"
    table.title_justify = "left"
    table.title_style = "bold"
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    shown = [f for severity in SEVERITIES for f in [f for f in result.findings if f.severity == severity][:MAX_LISTED]]
    if len(shown) < len(result.findings):
        table.caption = f"and {len(result.findings) - len(shown)} more findings (all in the JSON report)"
    for f in shown:
        detail = Text(f.rule, style="bold")
        if f.entity or f.host:
            detail.append(" — ")
            detail.append_text(safe(f.entity or ""))
            hosts = finding_hosts(f)
            if hosts:
                detail.append_text(Text.assemble(" (", safe(hosts), ")"))
        if f.phase:
            detail.append_text(Text.assemble(" [", safe(f.phase), "]", style="dim"))
        detail.append("\n")
        detail.append_text(safe(f.message))
        if f.evidence:
            detail.append(f"\nevidence, {evidence_phrase(f)}: ", style="dim")
            detail.append_text(safe(flow_refs(cited_flows(f))))
        table.add_row(Text(f.severity.upper(), style=_SEVERITY_STYLE[f.severity]), detail)
    return table


def _suppressed_table(result: AuditResult) -> Table:
    table = Table(title="Suppressed (not counted)", title_justify="left", title_style="bold", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Who", max_width=28, overflow="fold")
    table.add_column("Why", overflow="fold", ratio=1)
    if len(result.suppressed) > MAX_LISTED:
        table.caption = f"and {len(result.suppressed) - MAX_LISTED} more (all in the JSON report)"
    for s in result.suppressed[:MAX_LISTED]:
        f = s.finding
        why = safe(s.statement)
        why.append(f"\n{s.reason}: ", style="dim")
        why.append_text(safe(s.source))
        if s.expires:
            why.append(f", until {s.expires}", style="dim")
        table.add_row(Text(f.severity, style="dim"), Text(f.rule), safe(f.entity or f.host or ""), why)
    return table


_HEADER_STYLE = {"": "", "note": "yellow", "alarm": "bold white on red"}


def _header(result: AuditResult) -> Iterator[RenderableType]:
    """The same lines as the plain text's header (captured text already made visible), in colour."""
    for line, loudness in header_lines(result):
        yield Text(line, style=_HEADER_STYLE[loudness])


_TONE_STYLE = {"alarm": "bold red", "warn": "bold yellow", "calm": "bold", "empty": "bold yellow"}


def _verdict(result: AuditResult) -> Text:
    """What was found (the headline), who received it, and apart from both the gate."""
    v = verdict(result)
    text = Text(v.headline, style=_TONE_STYLE[v.tone])
    text.append("\n")
    text.append_text(safe(v.story))
    text.append("\n")
    gate = v.summary.gate
    text.append(v.gate, style="red" if gate.failed else ("green" if gate.asked and v.tone != "empty" else "dim"))
    if result.suppressed:
        shown = "listed above" if result.show_suppressed else "--show-suppressed lists them"
        text.append(f"\n{plural(len(result.suppressed), 'finding')} suppressed ({shown}).", style="dim")
    if not result.complete:
        text.append("\nSome input was incomplete, see above.", style="yellow")
    return text


# Below this many columns the tables squeeze ids into pieces; a narrower
# terminal gets the plain layout that files and pipes get.
TABLES_FROM = 120


class _TerminalReport:
    """Tables and colours on a terminal wide enough for them, else the plain layout."""

    def __init__(self, result: AuditResult) -> None:
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= TABLES_FROM:
            yield _tables(self.result)
        else:
            yield Text(render_plain(self.result).rstrip("\n"), no_wrap=True, overflow="ignore")


def renderable(result: AuditResult) -> RenderableType:
    return _TerminalReport(result)


def _tables(result: AuditResult) -> RenderableType:
    parts: list[RenderableType] = list(_header(result))
    parts.append(_recipient_table("Recipients", result.recipients))
    phases = phase_table(result)
    if phases is not None:
        parts.append(phases)
    if result.platform:
        parts.append(
            _recipient_table(
                "Platform traffic (browser or operating system, not the app)",
                result.platform,
                platform=True,
            )
        )
    if result.findings:
        parts.append(_findings_table(result))
    if result.suppressed and result.show_suppressed:
        parts.append(_suppressed_table(result))
    parts.append(_verdict(result))
    return Group(*parts)


class TextReporter:
    name = "text"
    extension = "txt"

    def render(self, result: AuditResult) -> str:
        return render_plain(result)
