"""Comparing two results: companies appear, disappear or change; findings are new or fixed."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.diff.compute import diff_results
from flowaudit.diff.model import Side
from flowaudit.diff.words import sentences
from flowaudit.model import AuditResult, DeclarationFile, Finding, Recipient, SuppressedFinding


def row(entity: str, category: str = "analytics", *, declared: bool = False, hosts: tuple[str, ...] = (),
        data_types: tuple[str, ...] = (), party: str = "third", flows: int = 1) -> Recipient:  # fmt: skip
    return Recipient(entity, entity.lower(), category, party, declared, hosts or (f"api.{entity.lower()}.com",),
                     flows, data_types)  # fmt: skip


def finding(fid: str, severity: str = "high", rule: str = "undeclared-recipient") -> Finding:
    return Finding(fid, rule, severity, "t", f"message {fid}", "E", None)


def side(
    label: str,
    recipients: tuple[Recipient, ...],
    findings: tuple[Finding, ...] = (),
    *,
    rules: str = "r1",
    declaration: str = "flowaudit.yml",
    suppressed: tuple[SuppressedFinding, ...] = (),
) -> Side:
    result = AuditResult(
        tool_version="0.1.0",
        rules_version=rules,
        inputs=(),
        app_name=None,
        declaration=declaration,
        recipients=recipients,
        platform=(),
        findings=findings,
        flows=5,
        suppressed=suppressed,
    )
    return Side(label, "result", result)


def test_exactly_what_changed() -> None:
    old = side(
        "old",
        (row("Meta", "advertising", data_types=("contact.email",)), row("Mixpanel"), row("Sentry", declared=True)),
        (finding("meta"), finding("mix")),
    )
    new = side(
        "new",
        (
            row("Meta", "advertising", data_types=("contact.email", "health.health")),
            row("Meta", "social", hosts=("graph.facebook.com",)),
            row("Sentry", declared=True),
            row("Braze", "customer_engagement"),
        ),
        (finding("meta"), finding("braze", "critical")),
    )
    d = diff_results(old, new)
    assert [(c.change, c.entity) for c in d.recipients] == [
        ("appeared", "Braze"),
        ("disappeared", "Mixpanel"),
        ("changed", "Meta"),
    ]
    meta = d.recipients[2]
    assert meta.categories == ("advertising", "social")  # one company, its rows together
    assert meta.data_types_added == ("health.health",) and meta.data_types_removed == ()
    assert meta.hosts_added == ("graph.facebook.com",)
    assert (meta.flows_old, meta.flows_new) == (1, 2)
    assert [f.id for f in d.new_findings] == ["braze"]
    assert [f.id for f in d.fixed_findings] == ["mix"]
    assert d.unchanged_findings == 1
    assert d.failed()
    text = " ".join(sentences(d))
    assert "1 company started receiving requests: Braze." in text
    assert "1 company no longer receives requests: Mixpanel." in text
    assert "Sensitive data newly reaches: Meta." in text


def test_same_result_is_no_change() -> None:
    s = side("a", (row("Meta"),), (finding("x"),))
    d = diff_results(s, s)
    assert not d.changed and not d.failed() and d.unchanged_findings == 1
    assert sentences(d) == (
        "No change: the same recipients received the same data types, and the findings are the same.",
    )


def test_fail_on_decides_which_new_findings_fail() -> None:
    old, new = side("a", ()), side("b", (), (finding("low", "low"),))
    assert not diff_results(old, new).failed()
    assert diff_results(old, new, fail_on="low").failed()
    assert not diff_results(old, new, fail_on="never").failed()


def test_a_finding_one_side_suppressed_is_not_new() -> None:
    f = finding("x")
    old = side("a", (), suppressed=(SuppressedFinding(f, "baseline", "in base.json", "base.json"),))
    new = side("b", (), (f,))
    d = diff_results(old, new)
    assert d.new_findings == () and d.unchanged_findings == 1


def test_notes_say_what_limits_the_comparison() -> None:
    d = diff_results(side("a", (), rules="r1", declaration="a.yml"), side("b", (), rules="r2", declaration="b.yml"))
    assert any("different rules (r1 and r2)" in n for n in d.notes)
    assert any("different declarations (a.yml and b.yml)" in n for n in d.notes)


def test_a_changed_store_declaration_is_a_different_declaration() -> None:
    """Same flowaudit.yml, but the privacy manifest beside it changed between the audits."""
    yml = DeclarationFile("flowaudit.yml", "flowaudit", "aa")
    old, new = side("a", ()), side("b", ())
    before = DeclarationFile("P.xcprivacy", "apple-privacy-manifest", "11")
    after = replace(before, sha256="22")
    old = replace(old, result=replace(old.result, declaration_files=(yml, before)))
    new = replace(new, result=replace(new.result, declaration_files=(yml, after)))
    assert any("different declarations" in n for n in diff_results(old, new).notes)
    assert not any("different declarations" in n for n in diff_results(old, old).notes)
