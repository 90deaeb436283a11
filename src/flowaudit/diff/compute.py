"""Comparing two audit results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flowaudit.diff.model import RecipientChange, ResultDiff, Side
from flowaudit.model import SEVERITIES, AuditResult, Finding, Recipient


@dataclass
class _Company:
    """A company's rows of one result, merged."""

    entity: str
    party: str
    categories: list[str] = field(default_factory=list)
    declared: bool = False
    data_types: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    flows: int = 0


def _companies(rows: Iterable[Recipient]) -> dict[str, _Company]:
    out: dict[str, _Company] = {}
    for r in rows:
        company = out.setdefault(r.entity_id, _Company(r.entity, r.party))
        for category in r.categories or (r.category,):
            if category not in company.categories:
                company.categories.append(category)
        company.declared = company.declared or r.declared
        company.data_types.update(r.data_types)
        company.hosts.update(r.hosts)
        company.flows += r.flows
    return out


def _change(entity_id: str, old: _Company | None, new: _Company | None) -> RecipientChange | None:
    present = new or old
    assert present is not None
    before_types = old.data_types if old else set()
    after_types = new.data_types if new else set()
    before_hosts = old.hosts if old else set()
    after_hosts = new.hosts if new else set()
    declared_old = old.declared if old else None
    declared_new = new.declared if new else None
    if old is None:
        change = "appeared"
    elif new is None:
        change = "disappeared"
    elif before_types != after_types or before_hosts != after_hosts or declared_old != declared_new:
        change = "changed"
    else:
        return None
    return RecipientChange(
        entity=present.entity,
        entity_id=entity_id,
        change=change,
        party=present.party,
        categories=tuple(present.categories),
        declared_old=declared_old,
        declared_new=declared_new,
        data_types_added=tuple(sorted(after_types - before_types)),
        data_types_removed=tuple(sorted(before_types - after_types)),
        hosts_added=tuple(sorted(after_hosts - before_hosts)),
        hosts_removed=tuple(sorted(before_hosts - after_hosts)),
        flows_old=old.flows if old else 0,
        flows_new=new.flows if new else 0,
    )


_ORDER = {"appeared": 0, "disappeared": 1, "changed": 2}


def _by_severity(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.entity or "", f.id)))


def _all_findings(result: AuditResult) -> list[Finding]:
    """Suppressed findings count too: a diff is about what the app does, and
    suppressions are one CI run's policy (a finding one side's baseline hid
    must not show up as new)."""
    return [*result.findings, *(s.finding for s in result.suppressed)]


def diff_results(old: Side, new: Side, fail_on: str = "high") -> ResultDiff:
    """What changed from ``old`` to ``new``. Platform (browser and OS) traffic
    is not the app's and is left out."""
    before, after = _companies(old.result.recipients), _companies(new.result.recipients)
    changes = [
        change
        for entity_id in before.keys() | after.keys()
        if (change := _change(entity_id, before.get(entity_id), after.get(entity_id))) is not None
    ]
    changes.sort(key=lambda c: (_ORDER[c.change], c.entity.lower(), c.entity_id))
    old_findings, new_findings = _all_findings(old.result), _all_findings(new.result)
    old_ids = {f.id for f in old_findings}
    new_ids = {f.id for f in new_findings}
    return ResultDiff(
        old=old,
        new=new,
        recipients=tuple(changes),
        new_findings=_by_severity(f for f in new_findings if f.id not in old_ids),
        fixed_findings=_by_severity(f for f in old_findings if f.id not in new_ids),
        unchanged_findings=len(old_ids & new_ids),
        fail_on=fail_on,
        notes=tuple(_notes(old.result, new.result)),
    )


def _declared(result: AuditResult) -> tuple[tuple[str, str | None], ...]:
    """Every declaration file an audit read, as (path, SHA-256): store files too (a result
    written before flowaudit recorded them has only its one declaration)."""
    if result.declaration_files:
        return tuple((f.path, f.sha256) for f in result.declaration_files)
    return ((result.declaration, result.declaration_sha256),) if result.declaration else ()


def _notes(old: AuditResult, new: AuditResult) -> Iterable[str]:
    if old.rules_version != new.rules_version:
        yield (
            f"the two audits used different rules ({old.rules_version} and {new.rules_version}): "
            "a change may come from the catalog rather than the app"
        )
    if _declared(old) != _declared(new):
        yield (
            f"the two audits used different declarations ({old.declaration or 'none'} and "
            f"{new.declaration or 'none'}): findings depend on the declaration"
        )
    for side, result in (("old", old), ("new", new)):
        for i in result.inputs:
            if not i.complete:
                yield f"{side} input {i.path} is incomplete ({i.problem}): what it lacks may show as disappeared"
