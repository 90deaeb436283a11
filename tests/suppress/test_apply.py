"""Taking accepted findings out of a result: ignore-file entries and baselines."""

from __future__ import annotations

import datetime

from flowaudit.datatypes import load_vocabulary
from flowaudit.model import AuditResult, Finding
from flowaudit.suppress.apply import apply_suppressions, covers
from flowaudit.suppress.model import Baseline, IgnoreFile, Suppression


def finding(fid: str, rule: str = "undeclared-recipient", entity: str = "Meta", host: str = "graph.facebook.com",
            data_types: tuple[str, ...] = (), severity: str = "high") -> Finding:  # fmt: skip
    return Finding(fid, rule, severity, f"{rule}: {entity}", "message", entity, host, data_types)


def result(*findings: Finding) -> AuditResult:
    return AuditResult("0", "r", (), None, None, (), (), tuple(findings), 1)


def entry(rule: str = "undeclared-recipient", entity: str | None = "meta", host: str | None = None,
          data_types: frozenset[str] | None = None) -> Suppression:  # fmt: skip
    return Suppression(
        rule=rule,
        entity_names=frozenset({entity}) if entity else frozenset(),
        entity=entity,
        host=host,
        data_types=data_types,
        statement="accepted for the reason given",
        expires=datetime.date(2999, 1, 1),
        path="ignore.yml",
        line=3,
    )


V = load_vocabulary()


def test_rule_entity_and_host_must_all_match() -> None:
    f = finding("a")
    assert covers(entry(), f, V)
    assert not covers(entry(rule="unknown-third-party"), f, V)
    assert not covers(entry(entity="google"), f, V)
    assert covers(entry(entity=None, host="facebook.com"), f, V)  # a domain covers its subdomains
    assert not covers(entry(entity=None, host="book.com"), f, V)  # ... by labels, not characters
    assert not covers(entry(host="facebook.net"), f, V)


def test_data_types_cover_a_finding_only_if_all_its_types_are_listed() -> None:
    listed = frozenset({"contact.email", "usage.interactions"})
    assert covers(entry(data_types=listed), finding("a", data_types=("contact.email",)), V)
    assert covers(entry(data_types=listed), finding("a"), V)
    assert not covers(entry(data_types=listed), finding("a", data_types=("contact.email", "health.health")), V)
    # a finding naming a group (declared-not-observed) is checked by its members
    usage = frozenset(V.expand("usage"))
    assert covers(entry(data_types=usage), finding("a", data_types=("usage",)), V)
    assert not covers(entry(data_types=listed), finding("a", data_types=("usage",)), V)


def test_suppressed_findings_leave_the_verdict_but_stay_in_the_result() -> None:
    kept, accepted, old = finding("new", entity="Google"), finding("acc"), finding("old", entity="Segment")
    applied = apply_suppressions(
        result(kept, accepted, old),
        IgnoreFile("ignore.yml", (entry(), entry(entity="stripe"))),
        Baseline("base.json", frozenset({"old", "acc"})),
        show=True,
    )
    r = applied.result
    assert [f.id for f in r.findings] == ["new"]
    assert [(s.finding.id, s.reason, s.source) for s in r.suppressed] == [
        ("acc", "ignore-file", "ignore.yml:3"),  # the entry wins over the baseline: it says why
        ("old", "baseline", "base.json"),
    ]
    assert r.suppressed[0].expires == "2999-01-01" and r.suppressed[0].statement.startswith("accepted")
    assert r.show_suppressed
    assert [e.entity for e in applied.unused] == ["stripe"]
    assert r.failed()  # "new" is high


def test_nothing_to_apply_changes_nothing() -> None:
    r = result(finding("a"))
    applied = apply_suppressions(r, None, None)
    assert applied.result.findings == r.findings and applied.result.suppressed == () and applied.unused == ()
