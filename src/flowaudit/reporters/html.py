"""The HTML report: one self-contained file a person can read, forward,
print, and trust.

Self-contained and inert by construction: the stylesheet is inlined and
pinned by its hash in a Content-Security-Policy that allows nothing else
(no script, no network, images only as ``data:``), so even a mistake in
escaping could not run code or make the file phone home. Escaping is still
done properly (:mod:`flowaudit.display.page`): Jinja2 autoescapes every
value, and every value is first made visible so direction tricks and
control characters show as what they are. The page needs no JavaScript
and prints to PDF (print stylesheet, no collapsed content).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, FunctionLoader
from markupsafe import Markup, escape

from flowaudit.display import MAX_HOSTS, MAX_LISTED
from flowaudit.display.page import new_environment, style_hash, stylesheet, template_source
from flowaudit.display.words import NEVER_REACHED, more_hosts, requests_cell
from flowaudit.inert import visible
from flowaudit.model import SEVERITIES, AuditResult, Finding, Recipient
from flowaudit.reporters.diagram import kind, layout
from flowaudit.reporters.phases import dropped_changes_sentence, service_rows, tcf_details
from flowaudit.reporters.sarif import rule_for
from flowaudit.reporters.summary import evidence_phrase, row_evidence
from flowaudit.reporters.verdict import verdict

MAX_REQUEST = 400  # characters of a request line shown
MAX_EXCERPT = 600


def _template_source(name: str) -> str:
    return template_source("flowaudit.reporters", name)


@cache
def _environment() -> Environment:
    env = new_environment(loader=FunctionLoader(_template_source))
    env.filters["shorten"] = shorten
    env.filters["code_spans"] = code_spans
    env.globals.update(
        evidence_phrase=evidence_phrase,
        row_evidence=row_evidence,
        kind=kind,
        requests_cell=requests_cell,
        dropped_changes_sentence=dropped_changes_sentence,
        tcf_details=tcf_details,
        path_steps=path_steps,
        rule_help=lambda f: rule_for(f.rule, f.severity).help,
    )
    return env


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def code_spans(text: str) -> Markup:
    """Rule help text with its `backticked` names as <code>, all escaped."""
    parts = text.split("`")
    return Markup("").join(
        Markup("<code>{}</code>").format(visible(p)) if n % 2 else escape(visible(p)) for n, p in enumerate(parts)
    )


def path_steps(location: str) -> list[str]:
    """ "body > form:data > json:$email" as its steps."""
    return [step for step in re.split(r"\s+>\s+", location) if step]


@dataclass(frozen=True, slots=True)
class TimelineCell:
    flows: int | None  # None when the result says only in which phases a recipient was seen
    seen: bool
    flagged: bool  # a finding is about this recipient in this phase
    width: float  # bar length, 0 to 1 of the busiest cell


@dataclass(frozen=True, slots=True)
class TimelineRow:
    recipient: Recipient
    cells: tuple[TimelineCell, ...]
    services: tuple[str, ...] = ()  # set when the company has several rows: which one this is


@dataclass(frozen=True, slots=True)
class Timeline:
    phases: tuple[str, ...]
    rows: tuple[TimelineRow, ...]
    totals: tuple[int, ...] | None  # requests per phase, when counted
    flagged: tuple[Finding, ...]  # findings tied to a phase


def timeline(result: AuditResult) -> Timeline | None:
    """Requests per recipient and capture phase, when the capture has phases."""
    phases = list(result.phases)
    for r in result.recipients:
        phases += [p for p in (*r.phases, *(p for p, _ in r.phase_flows)) if p not in phases]
    if not phases:
        return None
    rows = [r for r in result.recipients if r.phases or r.phase_flows]
    biggest = max((n for r in rows for w in service_rows(r) for _, n in w.phase_flows), default=0)
    flagged = tuple(f for f in result.findings if f.phase)
    out = []
    for r in rows:
        for w in service_rows(r):
            counts = dict(w.phase_flows)
            services = w.services if len(r.rows) > 1 else ()
            cells = []
            for p in phases:
                n = counts.get(p, 0) if w.phase_flows else None
                seen = bool(n) if n is not None else p in r.phases
                flag = _flagged(flagged, r, services, p)
                cells.append(TimelineCell(n, seen, flag, n / biggest if n and biggest else 0.0))
            out.append(TimelineRow(r, tuple(cells), services))
    totals = None
    if all(r.phase_flows for r in rows):
        totals = tuple(sum(dict(r.phase_flows).get(p, 0) for r in rows) for p in phases)
    return Timeline(tuple(phases), tuple(out), totals, flagged)


def _flagged(findings: tuple[Finding, ...], r: Recipient, services: tuple[str, ...], phase: str) -> bool:
    """A finding flags the cell of the row it is about (its services, when the
    company has several rows) in every phase where its requests were made."""
    return any(
        f.entity == r.entity
        and phase in (f.phases or (f.phase,))
        and (not services or not f.services or set(f.services) == set(services))
        for f in findings
    )


def rerun_command(result: AuditResult) -> str:
    """The command that repeats this audit, quoted for a POSIX shell."""
    words = ["flowaudit", "check", *(i.path for i in result.inputs)]
    if result.declaration:
        words += ["--declared", result.declaration]
    if result.fail_on != "high":
        words += ["--fail-on", result.fail_on]
    if not result.redacted:
        words.append("--no-redact")
    return " ".join(shlex.quote(w) for w in words)


def render_html(result: AuditResult) -> str:
    css = stylesheet()
    by_severity = [(s, [f for f in result.findings if f.severity == s]) for s in SEVERITIES]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=result,
            css=Markup(css),
            csp_style=style_hash(css),
            verdict=verdict(result),
            diagram=layout(result),
            by_severity=[(s, fs) for s, fs in by_severity if fs],
            counts=result.counts(),
            timeline=timeline(result),
            rerun=rerun_command(result),
            third_party_flows=sum(r.flows for r in result.recipients if r.party != "first"),
            MAX_HOSTS=MAX_HOSTS,
            more_hosts=more_hosts,
            MAX_LISTED=MAX_LISTED,
            NEVER_REACHED=NEVER_REACHED,
            MAX_REQUEST=MAX_REQUEST,
            MAX_EXCERPT=MAX_EXCERPT,
        )
    )


class HtmlReporter:
    name = "html"
    extension = "html"

    def render(self, result: AuditResult) -> str:
        return render_html(result)
