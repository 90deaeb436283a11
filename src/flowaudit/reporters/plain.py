"""The text report for files and pipes (``--format text -o FILE``, or
standard output that is not a terminal).

CI logs and files are read at 80 columns, where box tables squeeze their
columns until ids are cut in pieces (``identifie`` / ``rs.user_id``), which
a reader cannot search for and may misread. So this layout has no tables:
one block per recipient and per finding, lines wrapped at spaces only and
never inside a word, so every id, host and flow reference stays whole (one
longer than the line simply runs past it). Captured text is made visible
(:func:`~flowaudit.inert.one_line`), so it cannot move the cursor
or rewrite a terminal that later shows the file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator

from flowaudit.display import MAX_HOSTS, MAX_LISTED
from flowaudit.display.words import NEVER_REACHED, first_party_word, more_hosts, plural, requests_cell
from flowaudit.inert import one_line
from flowaudit.model import SEVERITIES, AuditResult, Finding, Recipient
from flowaudit.reporters.summary import cited_flows, evidence_line, evidence_phrase, row_evidence, services_named
from flowaudit.reporters.verdict import undecoded_notice, verdict

WIDTH = 80


def wrap(text: str, indent: int = 0, hang: int = 2) -> list[str]:
    """``text`` on lines of at most WIDTH columns, broken at spaces only."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hang),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [" " * indent]


def _v(value: object) -> str:
    return one_line(str(value))


def _list(values: Iterable[str]) -> str:
    return ", ".join(_v(v) for v in values)


def declared_word(r: Recipient) -> str:
    if r.party == "first":
        return first_party_word(r)
    if r.declared:
        return "declared"
    return "NOT DECLARED (unknown company)" if r.party == "unknown" else "NOT DECLARED"


def _recipient(r: Recipient, *, platform: bool) -> list[str]:
    who = _v(r.entity) + (f" ({_v(r.parent)})" if r.parent else "")
    requests = plural(r.flows, "request") if r.reached else requests_cell(r)
    facts = [who, _v(r.category_label)] + ([] if platform else [declared_word(r)]) + [requests]
    out = wrap(" · ".join(facts), 2)
    services = services_named(r)
    if services:
        out += wrap(f"services: {_list(services)}", 4, 4)
    if not platform:
        out += wrap(f"data types: {_list(r.data_types) or ('none found' if r.reached else NEVER_REACHED)}", 4, 4)
        for data_type, items in row_evidence(r, 1):
            out += wrap(f"{_v(data_type)}: {_v(evidence_line(items[0]))}", 6, 4)
    out += wrap(" ".join(filter(None, (f"hosts: {_list(r.hosts[:MAX_HOSTS])}", more_hosts(r.hosts, MAX_HOSTS)))), 4, 4)
    return out


def flow_refs(refs: Iterable[str]) -> str:
    """Evidence references, each file named once: "capture.mitm #1 #2 #9"."""
    by_source: dict[str, list[str]] = {}
    for ref in refs:
        source, _, n = ref.rpartition("#")
        by_source.setdefault(source, []).append(f"#{n}")
    return "; ".join(f"{_v(source)} {' '.join(ns)}" for source, ns in by_source.items())


def finding_hosts(f: Finding, shown: int = 3) -> str:
    """The hosts that carried what a finding reports, as its heading names
    them: "api.mixpanel.com, api.segment.io and 2 more" ("" for none)."""
    hosts = f.hosts or ((f.host,) if f.host else ())
    more = f" and {len(hosts) - shown} more" if len(hosts) > shown else ""
    return _list(hosts[:shown]) + more


def finding_block(f: Finding) -> list[str]:
    """One finding as lines: heading (severity, rule, company, hosts, phase), message, evidence."""
    head = f"{f.severity.upper()} {f.rule}"
    if f.entity or f.host:
        hosts = finding_hosts(f)
        head += f" — {_v(f.entity or '')}" + (f" ({hosts})" if hosts else "")
    if f.phase:
        head += f" [{_v(f.phase)}]"
    out = wrap(head, 2) + wrap(_v(f.message), 4, 0)
    if f.evidence:
        out += wrap(f"evidence, {evidence_phrase(f)}: {flow_refs(cited_flows(f))}", 4, 4)
    return out


def _consent(result: AuditResult) -> Iterator[str]:
    decided = [c for c in result.phase_changes if c.source != "start"]
    if not decided and len(result.phases) < 2 and not result.consent_signals:
        return
    yield ""
    yield "Consent phases"
    for c in result.phase_changes:
        began = "from the start of the capture" if c.source == "start" else c.source
        if c.evidence is not None:
            where = f" ({c.evidence.location})" if c.evidence.location else ""
            began = f"{c.evidence.flow}: {c.evidence.how}{where}"
        yield from wrap(f"{_v(c.phase)} · consent {_v(c.consent)} · began {_v(began)}", 2, 4)
    for r in result.recipients[:MAX_LISTED]:
        if r.party != "first" and r.phase_flows:
            counts = ", ".join(f"{_v(p)} {n}" for p, n in r.phase_flows)
            yield from wrap(f"{_v(r.entity)} ({_v(r.category_label)}) requests per phase: {counts}", 2, 4)
    for s in result.consent_signals:
        yield from wrap(
            f"signal {_v(s.kind)} · {_v(s.meaning)} · {plural(s.flows, 'request')} · first {_v(s.first.flow)}: "
            f"{_v(s.summary)}",
            2,
            4,
        )


def header_lines(result: AuditResult) -> Iterator[tuple[str, str]]:
    """The lines above the report and how loud each is ("", "note" or
    "alarm"), captured text already made visible: the terminal view
    (:mod:`flowaudit.reporters.text`) shows the same lines in colour."""
    if not result.redacted:
        yield "NOT REDACTED (--no-redact): this report may contain tokens, cookies and keys; private use only", "alarm"
    head = f"flowaudit {result.tool_version} · rules {result.rules_version}"
    yield head + (f" · {_v(result.app_name)}" if result.app_name else ""), ""
    if result.declaration:
        yield f"declaration: {_v(result.declaration)}", ""
    else:
        yield "no declaration: every third party counts as undeclared", "note"
    if result.first_party_inferred:
        yield f"first party inferred from the pages in the capture: {_list(result.first_party_inferred)}", ""
    for i in result.inputs:
        line = f"input: {_v(i.path)} ({i.format}, {plural(i.flows, 'flow')})"
        if i.recorded:
            line += f"; {_v(i.recorded)}"
        if i.complete:
            yield line, ""
        else:
            yield f"{line} INCOMPLETE: {_v(i.problem or 'read stopped early')}", "note"
        for warning in i.warnings:
            yield f"  read around in {_v(i.path)}: {_v(warning)}", "note"
    undecoded = undecoded_notice(result)
    if undecoded:
        yield f"NOT FULLY DECODED: {_v(undecoded)}", "note"


def _more(count: int, what: str) -> list[str]:
    """ "and N more ..." under a section cut at :data:`MAX_LISTED` rows."""
    if count <= MAX_LISTED:
        return []
    return wrap(f"and {count - MAX_LISTED} more {what} (all in the JSON report)", 2, 4)


def render_plain(result: AuditResult) -> str:
    v = verdict(result)
    lines = [wrapped for line, _ in header_lines(result) for wrapped in wrap(line)]
    if result.recipients:
        lines += ["", f"Recipients ({plural(v.summary.companies, 'company', 'companies')})"]
        for r in result.recipients[:MAX_LISTED]:
            lines += _recipient(r, platform=False)
        lines += _more(len(result.recipients), "recipients")
    lines += _consent(result)
    if result.platform:
        lines += ["", "Platform traffic (browser or operating system, not the app)"]
        for r in result.platform[:MAX_LISTED]:
            lines += _recipient(r, platform=True)
        lines += _more(len(result.platform), "platform rows")
    if result.findings:
        lines += ["", "Findings"]
        for severity in SEVERITIES:
            found = [f for f in result.findings if f.severity == severity]
            for f in found[:MAX_LISTED]:
                lines += finding_block(f)
            lines += _more(len(found), f"{severity} findings")
    if result.suppressed and result.show_suppressed:
        lines += ["", "Suppressed (not counted)"]
        for s in result.suppressed[:MAX_LISTED]:
            lines += finding_block(s.finding)
            until = f", until {s.expires}" if s.expires else ""
            lines += wrap(f"accepted: {_v(s.statement)} ({s.reason}: {_v(s.source)}{until})", 4, 4)
        lines += _more(len(result.suppressed), "suppressed findings")
    lines += ["", *wrap(v.headline), *wrap(_v(v.story)), *wrap(v.gate)]
    if result.suppressed and not result.show_suppressed:
        lines += wrap(f"{plural(len(result.suppressed), 'finding')} suppressed: --show-suppressed lists them.")
    return "\n".join(line.rstrip() for line in lines) + "\n"
