"""A drafted disclosure: what the traffic shows the app must declare.

Every line carries the flows that back it (``FILE#N`` references), so the
app maker can check each claim before publishing it, and so can a reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.model import AuditResult, Finding


@dataclass(frozen=True, slots=True)
class DataTypeSeen:
    data_type: str
    flows: tuple[str, ...]  # references of flows where it was detected (a sample)
    where: str  # where in the first of them, e.g. "body > form:data > json:[0].properties.$email"


@dataclass(frozen=True, slots=True)
class DraftRecipient:
    """A company the app must declare (or a recipient already declared by its domains)."""

    entity: str  # what to write under `entity:`: resolves to this company in the catalog
    entity_id: str
    categories: tuple[str, ...]
    hosts: tuple[str, ...]
    flows: int
    sample_flows: tuple[str, ...]
    data_types: tuple[DataTypeSeen, ...]
    domains: tuple[str, ...] = ()  # kept from the declaration for an entity the catalog lacks
    role: str | None = None  # kept from the declaration
    purposes: tuple[str, ...] = ()  # kept from the declaration, else the catalog categories
    attempts: int = 0  # lookups and connections that never reached it (see Recipient.attempts)

    @property
    def reached(self) -> bool:
        """False for a company the app only tried to contact: what it would receive is unknown."""
        return self.flows > 0 or not self.attempts


@dataclass(frozen=True, slots=True)
class UnknownParty:
    """A host the catalog does not know: third party or the app maker's own, only they can say."""

    domain: str  # registrable domain
    hosts: tuple[str, ...]
    flows: int
    sample_flows: tuple[str, ...]
    data_types: tuple[DataTypeSeen, ...]
    attempts: int = 0

    @property
    def reached(self) -> bool:
        return self.flows > 0 or not self.attempts


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One line of a store's privacy form: a store data type and what backs it."""

    label: str  # e.g. "Contact Info / Email Address" (Apple) or "Personal info / Email address" (Google)
    data_types: tuple[str, ...]  # flowaudit ids that map to it
    recipients: tuple[str, ...]  # everyone it was sent to (first party included: the stores count it)
    third_parties: tuple[str, ...]  # of those, third or unknown parties: "shared" in Google's terms
    flows: tuple[str, ...]  # evidence
    cleartext_flows: tuple[str, ...]  # evidence that it travelled over plain HTTP
    tracking_hint: tuple[str, ...]  # advertising, attribution or social companies it went to


@dataclass(frozen=True, slots=True)
class Disclosure:
    result: AuditResult  # the audit it is drawn from
    app: str | None
    first_party: tuple[str, ...]
    recipients: tuple[DraftRecipient, ...]
    unknown: tuple[UnknownParty, ...]
    not_seen: tuple[str, ...]  # recipients the given declaration lists that the captures never showed
    apple: tuple[LabelRow, ...]
    google: tuple[LabelRow, ...]
    undeclarable: tuple[Finding, ...]  # findings no declaration can make go away
