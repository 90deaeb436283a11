"""What changed between two audits, as frozen values every format renders.

Recipients are compared per company (``entity_id``), across its category
rows: a newsroom asks "does the app still send to Meta?", not "to Meta's
advertising row". Findings are compared by their stable ids, so "new" and
"fixed" mean the same thing as for a baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.model import SEVERITIES, AuditResult, Finding


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two audits: what the user named and the result it gave."""

    label: str  # the path as the user named it
    kind: str  # "capture" (audited now) or "result" (a saved JSON result)
    result: AuditResult


@dataclass(frozen=True, slots=True)
class RecipientChange:
    entity: str
    entity_id: str
    change: str  # "appeared", "disappeared" or "changed"
    party: str  # "third" or "unknown" ("first" when the app maker's own domains changed)
    categories: tuple[str, ...]  # of the side where it is present (the new one when both)
    declared_old: bool | None  # None: not contacted on that side
    declared_new: bool | None
    data_types_added: tuple[str, ...]
    data_types_removed: tuple[str, ...]
    hosts_added: tuple[str, ...]
    hosts_removed: tuple[str, ...]
    flows_old: int
    flows_new: int


@dataclass(frozen=True, slots=True)
class ResultDiff:
    old: Side
    new: Side
    recipients: tuple[RecipientChange, ...]  # appeared, then disappeared, then changed; by name within each
    new_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]
    unchanged_findings: int
    fail_on: str
    notes: tuple[str, ...]  # what limits the comparison (different rules, declarations, incomplete inputs)

    def with_change(self, change: str) -> tuple[RecipientChange, ...]:
        return tuple(r for r in self.recipients if r.change == change)

    @property
    def changed(self) -> bool:
        return bool(self.recipients or self.new_findings or self.fixed_findings)

    def failed(self) -> bool:
        """True when a new finding is at or above ``fail_on``: the exit status of `flowaudit diff`."""
        if self.fail_on == "never":
            return False
        limit = SEVERITIES.index(self.fail_on)
        return any(SEVERITIES.index(f.severity) <= limit for f in self.new_findings)
