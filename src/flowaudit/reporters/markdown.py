"""The Markdown summary: what a pull request or a CI job page shows.

Everything that came from a capture is escaped so that it renders as the
text it is: values go in code spans (no links, no images, no HTML inside
them), prose has every Markdown and HTML punctuation mark backslash-escaped,
so a crafted host name cannot become a link, an image that loads from the
network, or raw HTML. The summary is bounded in size (GitHub takes at most
1 MiB per step summary): long lists are cut with a pointer to the full
reports.
"""

from __future__ import annotations

from flowaudit.display import MAX_HOSTS
from flowaudit.display.markdown import md_code, md_text
from flowaudit.display.words import first_party_word, more_hosts, requests_cell
from flowaudit.model import SEVERITIES, AuditResult, Evidence, Finding, Recipient
from flowaudit.reporters.summary import evidence_phrase, reason, row_evidence, services_named
from flowaudit.reporters.verdict import verdict

MAX_FINDINGS = 100
MAX_RECIPIENTS = 200
MAX_BYTES = 900_000  # under GitHub's 1 MiB step-summary limit


def _codes(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(md_code(v) for v in values)


def _hosts(hosts: tuple[str, ...]) -> str:
    """The first :data:`MAX_HOSTS` hosts of a row, then how many more."""
    return ", ".join(filter(None, (_codes(hosts[:MAX_HOSTS]), md_text(more_hosts(hosts, MAX_HOSTS)))))


def _declared(r: Recipient) -> str:
    if r.party == "first":
        return first_party_word(r)
    if r.declared:
        return "yes"
    return "**NO** (unknown company)" if r.party == "unknown" else "**NO**"


def _recipient_rows(rows: tuple[Recipient, ...], *, platform: bool = False) -> list[str]:
    if platform:
        out = ["| Company | Parent | Hosts | Requests |", "|---|---|---|---:|"]
    else:
        out = [
            "| Company | Parent | Category | Declared | Hosts | Requests | Data types | Phases |",
            "|---|---|---|---|---|---:|---|---|",
        ]
    for r in rows[:MAX_RECIPIENTS]:
        services = services_named(r)
        company = md_text(r.entity) + (f" \\({md_text(', '.join(services))}\\)" if services else "")
        common = [company, md_text(r.parent or "")]
        if platform:
            out.append(f"| {' | '.join([*common, _hosts(r.hosts), requests_cell(r)])} |")
        else:
            cells = [
                *common,
                md_text(r.category_label),
                _declared(r),
                _hosts(r.hosts),
                requests_cell(r),
                _codes(r.data_types),
                _codes(r.phases),
            ]
            out.append(f"| {' | '.join(cells)} |")
    if len(rows) > MAX_RECIPIENTS:
        out.append(f"\n{len(rows) - MAX_RECIPIENTS} more rows: see the HTML or JSON report.")
    return out


def _evidence(e: Evidence) -> list[str]:
    line = f"- {md_code(e.flow)}"
    if e.request:
        line += f" {md_code(e.request)}"
    out = [line]
    detail = []
    if e.location:
        detail.append(f"at {md_code(e.location)}")
    if e.decoding:
        detail.append(f"decoded {md_code(' → '.join(e.decoding))}")
    if e.data_type:
        detail.append(md_code(e.data_type))
    if e.excerpt:
        detail.append(f"value {md_code(e.excerpt)}")
    if e.how:
        detail.append(f"({md_text(reason(e))})")
    if detail:
        out.append(f"  - {' · '.join(detail)}")
    return out


def _row_evidence(rows: tuple[Recipient, ...]) -> list[str]:
    """For each company row, each data type it received with the request that shows it."""
    out: list[str] = []
    for r in rows[:MAX_RECIPIENTS]:
        shown = row_evidence(r, 1)
        if not shown:
            continue
        out += [f"<details><summary>{md_text(r.entity)}: what shows each data type</summary>", ""]
        for data_type, items in shown:
            out.append(f"- {md_code(data_type)}")
            out += [f"  {line}" for e in items for line in _evidence(e)]
        out += ["", "</details>", ""]
    return out


def _finding(f: Finding, *, with_evidence: bool) -> list[str]:
    out = [f"#### {f.severity.upper()} · {md_text(f.title)}", "", md_text(f.message), ""]
    meta = [f"rule {md_code(f.rule)}", f"id {md_code(f.id)}"]
    if f.data_types:
        meta.append(f"data types {_codes(f.data_types)}")
    if f.phase:
        meta.append(f"phase {md_code(f.phase)}")
    out += [" · ".join(meta), ""]
    if with_evidence and f.evidence:
        out += [f"<details><summary>Evidence: {evidence_phrase(f)}</summary>", ""]
        for e in f.evidence:
            out += _evidence(e)
        out += ["", "</details>", ""]
    return out


def render_markdown(result: AuditResult, *, with_evidence: bool = True) -> str:
    v = verdict(result)
    title = md_text(result.app_name) if result.app_name else "audit"
    out = [f"## flowaudit: {title} · {md_text(v.headline)}", "", md_text(v.story), "", f"**{md_text(v.gate)}**", ""]
    for w in v.warnings:
        out += ["> [!WARNING]", f"> {md_text(w)}", ""]
    if result.findings:
        out += ["### Findings", ""]
        ordered = sorted(result.findings, key=lambda f: SEVERITIES.index(f.severity))
        for f in ordered[:MAX_FINDINGS]:
            out += _finding(f, with_evidence=with_evidence)
        if len(ordered) > MAX_FINDINGS:
            out += [f"{len(ordered) - MAX_FINDINGS} more findings: see the HTML or JSON report.", ""]
    if result.suppressed:
        out += [f"### Suppressed: {len(result.suppressed)} not counted", ""]
        if result.show_suppressed:
            out += ["| Severity | Finding | Why it is accepted | Decided in | Until |", "|---|---|---|---|---|"]
            for sup in result.suppressed[:MAX_FINDINGS]:
                out.append(
                    f"| {sup.finding.severity} | {md_text(sup.finding.title)} {md_code(sup.finding.id)} "
                    f"| {md_text(sup.statement)} | {sup.reason} {md_code(sup.source)} | {md_code(sup.expires or '')} |"
                )
            out.append("")
        else:
            out += ["An ignore file or baseline accepted them; `--show-suppressed` lists them.", ""]
    out += ["### Recipients", "", *_recipient_rows(result.recipients), ""]
    if with_evidence:
        out += _row_evidence(result.recipients)
    if result.platform:
        out += ["### Platform traffic (browser or operating system, not the app)", ""]
        out += [*_recipient_rows(result.platform, platform=True), ""]
    out += ["### Custody", "", "| Input | Format | Requests | Complete | SHA-256 |", "|---|---|---:|---|---|"]
    for i in result.inputs:
        complete = "yes" if i.complete else f"**NO**: {md_text(i.problem or 'reading stopped early')}"
        path = md_code(i.path) + (f" ({md_text(i.recorded)})" if i.recorded else "")
        out.append(f"| {path} | {i.format} | {i.flows} | {complete} | {md_code(i.sha256)} |")
    facts = [f"flowaudit {md_code(result.tool_version)}", f"rules {md_code(result.rules_version)}"]
    facts.append(f"declaration {md_code(result.declaration)}" if result.declaration else "no declaration")
    if result.created:
        facts.append(f"created {md_code(result.created)}")
    facts.append("secrets redacted" if result.redacted else "**NOT redacted (\\-\\-no\\-redact)**")
    out += ["", " · ".join(facts), ""]
    text = "\n".join(out)
    if with_evidence and len(text.encode("utf-8")) > MAX_BYTES:
        return render_markdown(result, with_evidence=False)
    return text


class MarkdownReporter:
    name = "markdown"
    extension = "md"

    def render(self, result: AuditResult) -> str:
        return render_markdown(result)
