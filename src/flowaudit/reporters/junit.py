"""JUnit XML, the format every CI system can show as tests.

One test suite per recipient, one test case per rule in it: a rule with a
finding at or above ``--fail-on`` is a failure, so the red tests are exactly
what made the audit fail; a finding below that level stays a passing test
with the finding in its output. Findings about no recipient row (a declared
company never contacted, an identifier shared across companies) get a suite
of their own. Suite and test names are unique.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from flowaudit.display import MAX_HOSTS, MAX_LISTED
from flowaudit.display.words import plural
from flowaudit.engine.ruleset import RULES
from flowaudit.inert import visible
from flowaudit.model import AuditResult, Finding, Recipient, SuppressedFinding, at_or_above
from flowaudit.reporters.summary import evidence_line, row_evidence
from flowaudit.reporters.verdict import verdict, warnings


def _text(value: object) -> str:
    return visible(str(value))


def recipient_label(r: Recipient) -> str:
    return f"{r.entity} ({r.category_label})"


def _at(f: Finding, hosts: set[str]) -> bool:
    """Whether a finding about a recipient's company is about this row: at one of its hosts, or at none."""
    return f.host is None or f.host in hosts


def _finding_of(item: Finding | SuppressedFinding) -> Finding:
    return item.finding if isinstance(item, SuppressedFinding) else item


def _fails(result: AuditResult, f: Finding) -> bool:
    return at_or_above(f.severity, result.fail_on)


def _details(findings: Iterable[Finding]) -> str:
    """The findings in full, the first :data:`MAX_LISTED` of them: a test case of the suite that
    gathers thousands of recipients must not make a CI log of megabytes. The rest are counted."""
    lines = []
    listed = list(findings)
    for f in listed[:MAX_LISTED]:
        lines.append(f"[{f.severity}] {f.title} (id {f.id})")
        lines.append(f.message)
        if f.data_types:
            lines.append(f"data types: {', '.join(f.data_types)}")
        if f.phase:
            lines.append(f"phase: {f.phase}")
        for e in f.evidence:
            where = f" at {e.location}" if e.location else ""
            value = f" value {e.excerpt}" if e.excerpt else ""
            lines.append(f"  evidence {e.flow}: {e.request}{where}{value}".rstrip())
        lines.append("")
    if len(listed) > MAX_LISTED:
        lines.append(f"and {plural(len(listed) - MAX_LISTED, 'more finding')} (all in the JSON report)")
    return "\n".join(lines).rstrip() + "\n"


def _testcase(
    suite: ET.Element, result: AuditResult, classname: str, rule: str, found: list[Finding | SuppressedFinding]
) -> None:
    """Failure for findings at or above --fail-on; skipped when the rule's
    only findings were suppressed; the rest noted in the output."""
    case = ET.SubElement(suite, "testcase", {"classname": _text(classname), "name": rule, "time": "0"})
    active = [f for f in found if isinstance(f, Finding)]
    suppressed = [s for s in found if isinstance(s, SuppressedFinding)]
    failing = [f for f in active if _fails(result, f)]
    if failing:
        worst = failing[0]
        message = worst.title if len(failing) == 1 else f"{len(failing)} findings: {worst.title}, ..."
        failure = ET.SubElement(case, "failure", {"type": rule, "message": _text(f"{worst.severity}: {message}")})
        failure.text = _text(_details(failing))
    elif suppressed and not active:
        s = suppressed[0]
        until = f", until {s.expires}" if s.expires else ""
        ET.SubElement(case, "skipped", {"message": _text(f"suppressed ({s.reason} {s.source}{until}): {s.statement}")})
    notes = []
    passing = [f for f in active if not _fails(result, f)]
    if passing:
        notes.append(f"Below --fail-on {result.fail_on}, not a failure:\n{_details(passing)}")
    if suppressed:
        notes.append(f"Suppressed, not counted:\n{_details(s.finding for s in suppressed)}")
    if notes:
        ET.SubElement(case, "system-out").text = _text("\n".join(notes))


def _suite(parent: ET.Element, name: str, properties: dict[str, str]) -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", {"name": _text(name)})
    props = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        ET.SubElement(props, "property", {"name": key, "value": _text(value)})
    return suite


def _unique(name: str, taken: set[str]) -> str:
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name} #{n}"
    taken.add(out)
    return out


def _count(suite: ET.Element, created: str | None) -> tuple[int, int, int]:
    cases = suite.findall("testcase")
    failures = sum(1 for c in cases if c.find("failure") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    if created:
        suite.set("timestamp", created.removesuffix("Z"))
    return len(cases), failures, skipped


def to_junit(result: AuditResult) -> ET.Element:
    root = ET.Element("testsuites", {"name": _text(f"flowaudit: {result.app_name or 'audit'}")})
    everything: list[Finding | SuppressedFinding] = [*result.findings, *result.suppressed]
    rules = list(dict.fromkeys([*RULES, *(_finding_of(f).rule for f in everything)]))
    taken: set[str] = {"flowaudit"}
    v = verdict(result)
    custody = _suite(
        root,
        "flowaudit",
        {
            "flowaudit_version": result.tool_version,
            "rules_version": result.rules_version,
            "declaration": result.declaration or "",
            "fail_on": result.fail_on,
            "verdict": v.summary.gate.verdict,
            "headline": v.headline,
            "third_parties": ", ".join(v.summary.third_parties),
            "undeclared": ", ".join(v.summary.undeclared),
            "redacted": "yes" if result.redacted else "NO (--no-redact)",
            "not_fully_decoded": str(result.undecoded),
            **{f"input.{n}": f"{i.path} sha256:{i.sha256}" for n, i in enumerate(result.inputs, 1)},
        },
    )
    notes = [
        v.headline,
        v.story,
        v.gate,
        *(
            f"input: {i.path} ({i.format}), {i.flows} flows, {'complete' if i.complete else 'INCOMPLETE'}"
            + (f"; {i.recorded}" if i.recorded else "")
            for i in result.inputs
        ),
        *warnings(result),
    ]
    ET.SubElement(custody, "system-out").text = _text("\n".join(notes) + "\n")
    claimed: set[int] = set()
    # A recipient's findings are those about its company at one of its hosts (or at
    # none): looked up per company, so a capture to many domains is not recipients x findings.
    by_entity: dict[str | None, list[int]] = {}
    for i, f in enumerate(everything):
        by_entity.setdefault(_finding_of(f).entity, []).append(i)

    def claim(r: Recipient) -> list[int]:
        """The findings about ``r`` that no earlier recipient claimed."""
        hosts = set(r.hosts)
        mine = [i for i in by_entity.get(r.entity, ()) if i not in claimed and _at(_finding_of(everything[i]), hosts)]
        claimed.update(mine)
        return mine

    for r in result.recipients[:MAX_LISTED]:
        name = _unique(recipient_label(r), taken)
        suite = _suite(
            root,
            name,
            {
                "entity": r.entity,
                "category": r.category_label,
                "party": r.party,
                "declared": "yes" if r.declared else "no",
                "hosts": " ".join(r.hosts[:MAX_HOSTS]),
                # a company reached through thousands of names: the rest counted, listed in the JSON and CSV
                **({"hosts_not_listed": str(len(r.hosts) - MAX_HOSTS)} if len(r.hosts) > MAX_HOSTS else {}),
                "requests": str(r.flows),
                "attempts": str(r.attempts),
                "data_types": " ".join(r.data_types),
                # per data type, the request that shows it
                **{f"evidence.{dt}": evidence_line(items[0]) for dt, items in row_evidence(r, 1)},
            },
        )
        mine = claim(r)
        for rule in rules:
            _testcase(
                suite, result, name, rule, [everything[i] for i in mine if _finding_of(everything[i]).rule == rule]
            )
    rest = result.recipients[MAX_LISTED:]
    if rest:
        # Past MAX_LISTED, recipients share one suite, a test case per rule: a CI test view
        # of a hundred thousand suites helps no one. Each is in the JSON and CSV reports.
        name = _unique(f"{plural(len(rest), 'more recipient')} (each in the JSON and CSV reports)", taken)
        suite = _suite(root, name, {"recipients": str(len(rest)), "requests": str(sum(r.flows for r in rest))})
        mine = [i for r in rest for i in claim(r)]
        for rule in rules:
            _testcase(
                suite, result, name, rule, [everything[i] for i in mine if _finding_of(everything[i]).rule == rule]
            )
    others: dict[str, list[Finding | SuppressedFinding]] = {}
    for i, f in enumerate(everything):
        if i not in claimed:
            others.setdefault(_finding_of(f).entity or "(no recipient)", []).append(f)
    for entity, found in others.items():
        name = _unique(entity, taken)
        suite = _suite(root, name, {"entity": entity})
        for rule in dict.fromkeys(_finding_of(f).rule for f in found):
            _testcase(suite, result, name, rule, [f for f in found if _finding_of(f).rule == rule])
    tests = failures = skipped = 0
    for suite in root.findall("testsuite"):
        counted = _count(suite, result.created)
        tests, failures, skipped = tests + counted[0], failures + counted[1], skipped + counted[2]
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    root.set("time", "0")
    return root


class JunitReporter:
    name = "junit"
    extension = "junit.xml"

    def render(self, result: AuditResult) -> str:
        root = to_junit(result)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
