"""The terminal report: who received data, declared or not, and the findings.

This is the live view, for a terminal that has a width and colours; a file
or a pipe gets :mod:`flowaudit.reporters.plain` instead, which never cuts
an id in pieces.

Everything that came from a capture is hostile: host names and paths are
shown as plain ``Text`` (never parsed as rich markup) with control characters
made visible, so a crafted capture cannot restyle or rewrite the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.model import AuditResult, Recipient
from flowaudit.reporters.inert import one_line
from flowaudit.reporters.phase_table import phase_table
from flowaudit.reporters.plain import finding_hosts, flow_refs, render_plain
from flowaudit.reporters.summary import cited_flows, evidence_phrase, plural
from flowaudit.reporters.verdict import undecoded_notice, verdict

_SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def safe(value: object) -> Text:
    """Captured text as inert terminal text: never parsed as markup, control
    and bidi characters spelled out so they cannot rewrite the terminal."""
    return Text(one_line(str(value)))


def _lines(values: tuple[str, ...]) -> Text:
    return Text("\n").join(safe(v) for v in values)


def _data_types(data_types: tuple[str, ...]) -> Text:
    out = Text()
    for i, data_type in enumerate(data_types):
        if i:
            out.append(", ")
        sensitive = data_type.startswith("health.") or data_type == "sensitive.traits"
        out.append(data_type, style="bold magenta" if sensitive else "")
    return out


def declared_cell(r: Recipient) -> Text:
    if r.party == "first":
        return Text("first party (inferred)" if r.party_inferred else "first party", style="green")
    if r.party == "unknown":
        return Text("unknown", style="yellow")
    return Text("yes", style="green") if r.declared else Text("NO", style="bold red")


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
    for r in rows:
        company = safe(r.entity)
        if r.parent:
            company.append_text(Text.assemble(" (", safe(r.parent), ")", style="dim"))
        for service in (s for s in r.services if s != r.entity):  # one a line: the column stays narrow
            company.append_text(Text.assemble("\n", safe(service), style="dim"))
        cells: list[RenderableType] = [company, safe(r.category_label)]
        if not platform:
            cells.append(declared_cell(r))
        cells.append(Text(str(r.flows)))
        if not platform:
            cells.append(_data_types(r.data_types))
        cells.append(_lines(r.hosts))
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
    for f in result.findings:
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
    for s in result.suppressed:
        f = s.finding
        why = safe(s.statement)
        why.append(f"\n{s.reason}: ", style="dim")
        why.append_text(safe(s.source))
        if s.expires:
            why.append(f", until {s.expires}", style="dim")
        table.add_row(Text(f.severity, style="dim"), Text(f.rule), safe(f.entity or f.host or ""), why)
    return table


def _header(result: AuditResult) -> Iterator[RenderableType]:
    if not result.redacted:
        yield Text(
            "NOT REDACTED (--no-redact): this report may contain tokens, cookies and keys; private use only",
            style="bold white on red",
        )
    head = Text("flowaudit ", style="bold")
    head.append(f"{result.tool_version} · rules {result.rules_version}")
    if result.app_name:
        head.append(" · ")
        head.append_text(safe(result.app_name))
    yield head
    if result.declaration:
        yield Text.assemble("declaration: ", safe(result.declaration))
    else:
        yield Text("no declaration: every third party counts as undeclared", style="yellow")
    if result.first_party_inferred:
        yield Text.assemble(
            "first party inferred from the pages in the capture: ", safe(", ".join(result.first_party_inferred))
        )
    for i in result.inputs:
        line = Text.assemble("input: ", safe(i.path), f" ({i.format}, {plural(i.flows, 'flow')})")
        if i.recorded:
            line.append_text(Text.assemble("; ", safe(i.recorded)))
        if not i.complete:
            line.append("  INCOMPLETE: ", style="bold yellow")
            line.append_text(safe(i.problem or "read stopped early"))
        yield line
    undecoded = undecoded_notice(result)
    if undecoded:
        yield Text.assemble(("NOT FULLY DECODED: ", "bold yellow"), safe(undecoded))


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


def renderable(result: AuditResult) -> RenderableType:
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
