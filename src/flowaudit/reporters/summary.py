"""The numbers every format states, computed once.

A journalist quotes the HTML, a CI job reads the JSON, an engineer skims
the terminal: if they disagree about how many companies received data or
which ones were not declared, none of them can be trusted. So every count
and every list of names a report prints comes from :func:`summarize`, and
no format counts on its own.

Companies are counted by ``entity_id``, never by recipient row (a company
may have a row per category), and each is named once. The gate (``--fail-on``)
is kept apart from what was found: findings are facts about the traffic,
the gate is a threshold the user chose, and "no gate" (``--fail-on never``)
is not a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flowaudit.display.words import plural
from flowaudit.model import AuditResult, Evidence, Finding, Recipient, at_or_above

# Data-type groups worth naming when they reach a third party: what a
# journalist would lead with (docs/contract.md: the WSJ case).
SENSITIVE_GROUPS: tuple[tuple[str, str], ...] = (("health", "Health data"), ("sensitive", "Sensitive data"))


@dataclass(frozen=True, slots=True)
class Gate:
    """The ``--fail-on`` threshold and how the findings fared against it."""

    fail_on: str  # a severity, or "never"
    failing: int  # findings at or above fail_on (0 under "never")

    @property
    def asked(self) -> bool:
        return self.fail_on != "never"

    @property
    def failed(self) -> bool:
        return self.asked and self.failing > 0

    @property
    def verdict(self) -> str:
        """ "fail", "pass", or "none" when no gate was asked for."""
        if not self.asked:
            return "none"
        return "fail" if self.failed else "pass"

    @property
    def sentence(self) -> str:
        """The gate's verdict in words, for a line of its own."""
        if not self.asked:
            return "No gate: run with --fail-on never, so findings do not change the exit status."
        if self.failed:
            return f"Gate --fail-on {self.fail_on}: FAIL, {plural(self.failing, 'finding')} at or above {self.fail_on}."
        return f"Gate --fail-on {self.fail_on}: pass, no finding at or above {self.fail_on}."


@dataclass(frozen=True, slots=True)
class Summary:
    flows: int  # every request read
    app_flows: int  # requests to the app's recipients (first and third party)
    platform_flows: int  # the browser's or operating system's own requests
    companies: int  # distinct companies among the recipients, first party included
    first_parties: tuple[str, ...]  # names, each once
    third_parties: tuple[str, ...]  # third or unknown party, each once, in result order
    undeclared: tuple[str, ...]  # third parties not declared (unknown ones included)
    # third parties the app only tried to contact (looked up, failed connections), never reached
    tried_only: tuple[str, ...]
    with_personal_data: tuple[str, ...]  # third parties that received some data type
    sensitive: tuple[tuple[str, tuple[str, ...]], ...]  # ("Health data", names reached)
    findings: Mapping[str, int]  # per severity, every severity present
    suppressed: int
    undecoded: int  # requests that could not be fully decoded (data they carry may be missing)
    gate: Gate
    declared: bool  # a declaration was given
    app_attempts: int = 0  # lookups and failed connections towards the app's recipients

    @property
    def total_findings(self) -> int:
        return sum(self.findings.values())

    @property
    def nothing_to_audit(self) -> bool:
        """No request went to anyone but the platform: there was nothing of the app's to judge."""
        return self.app_flows == 0 and self.app_attempts == 0

    @property
    def findings_phrase(self) -> str:
        """ "12 findings: 2 critical, 7 high, 2 medium, 1 info", or "no findings"."""
        if not self.total_findings:
            return "no findings"
        found = ", ".join(f"{n} {s}" for s, n in self.findings.items() if n)
        return f"{plural(self.total_findings, 'finding')}: {found}"

    @property
    def headline(self) -> str:
        """What the data shows, first thing in every human format; never the gate's word."""
        if self.nothing_to_audit:
            if not self.flows:
                return "Nothing to audit: the capture holds no requests"
            return (
                f"Nothing to audit: all {plural(self.flows, 'request')} in the capture were the browser's or "
                "operating system's own"
            )
        phrase = self.findings_phrase
        return phrase[0].upper() + phrase[1:]

    @property
    def worst(self) -> str | None:
        """The most severe level with a finding, for the headline's colour."""
        return next((s for s, n in self.findings.items() if n), None)


def _names(rows: Iterable[Recipient]) -> tuple[str, ...]:
    """Each company once, by ``entity_id``, named as its first row names it."""
    seen: dict[str, str] = {}
    for r in rows:
        seen.setdefault(r.entity_id, r.entity)
    return tuple(dict.fromkeys(seen.values()))


def summarize(result: AuditResult) -> Summary:
    third = [r for r in result.recipients if r.party != "first"]
    sensitive = []
    for group, label in SENSITIVE_GROUPS:
        reached = _names(r for r in third if any(t.split(".", 1)[0] == group for t in r.data_types))
        if reached:
            sensitive.append((label, reached))
    return Summary(
        flows=result.flows,
        app_flows=sum(r.flows for r in result.recipients),
        platform_flows=sum(r.flows for r in result.platform),
        companies=len({r.entity_id for r in result.recipients}),
        first_parties=_names(r for r in result.recipients if r.party == "first"),
        third_parties=_names(third),
        undeclared=_undeclared(third),
        tried_only=_tried_only(third),
        with_personal_data=_names(r for r in third if r.data_types),
        sensitive=tuple(sensitive),
        findings=MappingProxyType(result.counts()),
        suppressed=len(result.suppressed),
        undecoded=result.undecoded,
        gate=Gate(result.fail_on, sum(1 for f in result.findings if at_or_above(f.severity, result.fail_on))),
        declared=result.declaration is not None,
        app_attempts=sum(r.attempts for r in result.recipients),
    )


def _tried_only(third: list[Recipient]) -> tuple[str, ...]:
    """Companies none of whose rows anything reached: the app only tried them."""
    reached = {r.entity_id for r in third if r.reached}
    return _names(r for r in third if r.entity_id not in reached)


def _undeclared(third: list[Recipient]) -> tuple[str, ...]:
    """A company is undeclared when none of its rows is declared."""
    declared = {r.entity_id for r in third if r.declared}
    return _names(r for r in third if r.entity_id not in declared)


def services_named(r: Recipient) -> tuple[str, ...]:
    """The services a company row was reached through, when they say more than its name
    (Google: Google Analytics, reCAPTCHA; not Mixpanel: Mixpanel)."""
    return tuple(s for s in r.services if s != r.entity)


# Evidence items a recipient row shows per data type: at least one, so every (company,
# data type) a report states can be checked in the capture; a few more in the JSON.
ROW_EVIDENCE = 3


def row_evidence(r: Recipient, per_type: int = ROW_EVIDENCE) -> tuple[tuple[str, tuple[Evidence, ...]], ...]:
    """Each data type of a company row with its first ``per_type`` pieces of evidence
    (request, location, decoding, masked value, and why it counts), in the row's order.
    An audit keeps evidence for every type it reports (tests/engine/test_row_evidence.py);
    a type without any (a result read from an older JSON file) is left out here."""
    by_type: dict[str, list[Evidence]] = {dt: [] for dt in r.data_types}
    for e in r.evidence:
        if e.data_type in by_type and len(by_type[e.data_type]) < per_type:
            by_type[e.data_type].append(e)
    return tuple((dt, tuple(items)) for dt, items in by_type.items() if items)


def reason(e: Evidence) -> str:
    """Why a piece of evidence counts, in one line every format shows the same way: what
    matched, what the value is beyond its data type, and the documentation of the field."""
    text = e.how
    if e.property:
        text += f"; {e.property}"
    if e.source:
        text += f" [{e.source}]"
    return text


def evidence_line(e: Evidence, *, data_type: bool = False) -> str:
    """One piece of evidence as plain text, the same in every text format: "capture.har#12
    POST https://… at body > json:idfa decoded json (identifiers.advertising_id) value 8309…
    (36 chars): <reason>" (the data type only when asked: a row's line already names it)."""
    parts = [e.flow, e.request]
    if e.location:
        parts.append(f"at {e.location}")
    if e.decoding:
        parts.append(f"decoded {' > '.join(e.decoding)}")
    if data_type and e.data_type:
        parts.append(f"({e.data_type})")
    if e.excerpt:
        parts.append(f"value {e.excerpt}")
    line = " ".join(p for p in parts if p)
    return f"{line}: {reason(e)}" if e.how else line


def cited_flows(f: Finding) -> tuple[str, ...]:
    """The requests a finding cites, each once, in the order cited."""
    return tuple(dict.fromkeys(e.flow for e in f.evidence))


def evidence_phrase(f: Finding) -> str:
    """ "3 requests cited": how many requests a finding's evidence cites, said the
    same way in every format. The message says how many carried it in all
    ("in 12 requests, 5 shown", flowaudit.carried.requests_phrase); the
    evidence never claims to be all of them."""
    return f"{plural(len(cited_flows(f)), 'request')} cited"
