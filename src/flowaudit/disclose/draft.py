"""Drafting a disclosure from an audit result.

Built on the :class:`~flowaudit.model.AuditResult` alone (plus the
declaration the audit used, if any), never on the capture: whatever the
engine detects, the draft declares, so it can never disagree with
`flowaudit check`. Unknown hosts are not guessed to be first party: an
unknown company is still a third party until the app maker says otherwise,
so they are left for a human with a TODO.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flowaudit.datatypes import Vocabulary, load_vocabulary
from flowaudit.declaration import Declaration, DeclaredRecipient, EntityCatalog
from flowaudit.disclose.model import DataTypeSeen, Disclosure, DraftRecipient, LabelRow, UnknownParty
from flowaudit.engine.rules.data_types import SENSITIVE_RECIPIENT_CATEGORIES
from flowaudit.model import AuditResult, Evidence, Recipient

# What a declaration can settle; every other finding stays, whatever is declared.
DECLARABLE_RULES = frozenset(
    {
        "undeclared-recipient",
        "undeclared-data-type",
        "unknown-third-party",
        "declared-not-observed",
        # the store files the draft writes settle these too
        "store-undeclared-data-type",
        "store-shared-not-declared",
        "store-tracking-not-declared",
        "tracking-domain-not-declared",
        "store-declaration-not-understood",
        "store-declared-not-observed",
    }
)
SAMPLE_FLOWS = 5


@dataclass
class _Company:
    """The rows of one company (one per category) taken together."""

    entity: str
    entity_id: str
    party: str
    categories: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    flows: int = 0
    attempts: int = 0
    data_types: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, r: Recipient) -> None:
        for category in r.categories or (r.category,):
            if category not in self.categories:
                self.categories.append(category)
        self.hosts.update(r.hosts)
        self.flows += r.flows
        self.attempts += r.attempts
        self.data_types.update(r.data_types)
        self.evidence.extend(r.evidence)

    def samples(self) -> tuple[str, ...]:
        return _first(e.flow for e in self.evidence if e.data_type is None)

    def seen(self) -> tuple[DataTypeSeen, ...]:
        out = []
        for data_type in sorted(self.data_types):
            evidence = [e for e in self.evidence if e.data_type == data_type]
            where = evidence[0].location if evidence else ""
            out.append(DataTypeSeen(data_type, _first(e.flow for e in evidence), where))
        return tuple(out)


def _first(refs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(refs))[:SAMPLE_FLOWS]


def _companies(rows: Iterable[Recipient]) -> list[_Company]:
    merged: dict[str, _Company] = {}
    for r in rows:
        merged.setdefault(r.entity_id, _Company(r.entity, r.entity_id, r.party)).add(r)
    return list(merged.values())


def draft_disclosure(result: AuditResult, catalog: EntityCatalog, declaration: Declaration | None) -> Disclosure:
    vocabulary = load_vocabulary()
    companies = _companies(result.recipients)
    declared = _declared_by_name(declaration)
    seen_names: set[str] = set()
    recipients: list[DraftRecipient] = []
    for c in companies:
        if c.party != "third":
            continue
        entry = _declaring(c, declaration)
        if entry is not None:
            seen_names.add(entry.name)
        recipients.append(
            DraftRecipient(
                entity=_entity_name(c, entry, catalog),
                entity_id=c.entity_id,
                categories=tuple(c.categories),
                hosts=tuple(sorted(c.hosts)),
                flows=c.flows,
                sample_flows=c.samples(),
                data_types=c.seen(),
                domains=entry.domains if entry is not None else (),
                role=entry.role if entry is not None else None,
                purposes=entry.purposes if entry is not None and entry.purposes else tuple(c.categories),
                attempts=c.attempts,
            )
        )
    unknown = tuple(
        UnknownParty(c.entity, tuple(sorted(c.hosts)), c.flows, c.samples(), c.seen(), c.attempts)
        for c in companies
        if c.party == "unknown"
    )
    processors = {r.entity_id for r in recipients if r.role == "processor"}
    return Disclosure(
        result=result,
        app=declaration.app if declaration else result.app_name,
        first_party=declaration.first_party if declaration else (),
        recipients=tuple(sorted(recipients, key=lambda r: r.entity.lower())),
        unknown=unknown,
        not_seen=tuple(name for name in declared if name not in seen_names),
        apple=_label_rows(companies, result, vocabulary, lambda t: vocabulary.labels(t).apple, processors),
        google=_label_rows(companies, result, vocabulary, lambda t: vocabulary.labels(t).google, processors),
        undeclarable=tuple(f for f in result.findings if f.rule not in DECLARABLE_RULES),
    )


def _declared_by_name(declaration: Declaration | None) -> list[str]:
    return [r.name for r in declaration.recipients] if declaration else []


def _declaring(c: _Company, declaration: Declaration | None) -> DeclaredRecipient | None:
    """The entry of the given declaration this company's rows were declared by, if any."""
    if declaration is None:
        return None
    for entry in declaration.recipients:
        if entry.entity_id == c.entity_id or f"declared:{entry.name.lower()}" == c.entity_id:
            return entry
    return None


def _entity_name(c: _Company, entry: DeclaredRecipient | None, catalog: EntityCatalog) -> str:
    """A name that resolves back to this company: its display name when that
    is unambiguous in the catalog, else its catalog id."""
    if entry is not None and entry.entity_id is None:
        return entry.name  # an entity the catalog lacks, identified by its domains
    found = catalog.find_entity(c.entity)
    return c.entity if found is not None and found.id == c.entity_id else c.entity_id


def _label_rows(
    companies: list[_Company],
    result: AuditResult,
    vocabulary: Vocabulary,
    label_of: Callable[[str], str],
    processors: set[str],
) -> tuple[LabelRow, ...]:
    """One row per store label, in vocabulary order; everyone who received it, first party too:
    the stores count data sent to the app maker's own servers as collected."""
    cleartext: dict[str, list[str]] = {}
    for f in result.findings:
        if f.rule == "cleartext-transmission":
            for e in f.evidence:
                for data_type in (e.data_type,) if e.data_type else f.data_types:
                    cleartext.setdefault(data_type, []).append(e.flow)
    rows: dict[str, dict[str, list[str]]] = {}
    for data_type in vocabulary.ids:
        holders = [c for c in companies if data_type in c.data_types]
        if not holders:
            continue
        row = rows.setdefault(
            label_of(data_type),
            {"types": [], "to": [], "third": [], "flows": [], "clear": [], "tracking": []},
        )
        row["types"].append(data_type)
        for c in holders:
            row["to"].append(c.entity)
            if c.party != "first" and c.entity_id not in processors:
                row["third"].append(c.entity)
            if set(c.categories) & (SENSITIVE_RECIPIENT_CATEGORIES - {"analytics"}):
                row["tracking"].append(c.entity)
            row["flows"].extend(e.flow for e in c.evidence if e.data_type == data_type)
        row["clear"].extend(cleartext.get(data_type, []))
    return tuple(
        LabelRow(
            label=label,
            data_types=tuple(row["types"]),
            recipients=tuple(dict.fromkeys(row["to"])),
            third_parties=tuple(dict.fromkeys(row["third"])),
            flows=_first(row["flows"]),
            cleartext_flows=_first(row["clear"]),
            tracking_hint=tuple(dict.fromkeys(row["tracking"])),
        )
        for label, row in rows.items()
    )
