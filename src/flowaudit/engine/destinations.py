"""Who is behind a host, as far as this audit is concerned.

The order of the checks is the policy: the app maker's own domains first
(its word about its own hosts wins), then domains the declaration pins to a
recipient, then the catalog, then "unknown" grouped by registrable domain.
Results are cached per host (and, on the few hosts the catalog splits by
path, per path scope): captures repeat the same few hosts thousands of times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flowaudit.catalog import Catalog, registrable_domain
from flowaudit.catalog.model import Company, HostMatch
from flowaudit.declaration import Declaration, DeclaredRecipient

FIRST_PARTY_ID = "first-party"


@dataclass(frozen=True, slots=True)
class Destination:
    """The recipient row a host belongs to, and how that was decided."""

    entity: str
    entity_id: str
    category: str
    party: str  # "first", "third", "unknown"
    declared: DeclaredRecipient | None
    parent: str | None = None
    service: str | None = None
    matched_domain: str | None = None  # the catalog or declared domain that matched
    source: str = ""  # where the attribution comes from
    inferred: bool = False  # first party by inference from the capture's pages, not by declaration

    def as_inferred_first_party(self, site: str) -> Destination:
        """This unknown destination as the site's own (see :mod:`flowaudit.engine.first_party`)."""
        return replace(
            self,
            category="essential",
            party="first",
            matched_domain=site,
            source="inferred from the capture's pages",
            inferred=True,
        )

    @property
    def key(self) -> tuple[str, str, str]:
        """One recipient row per entity, category and declaring entry: a
        company's declared service and its undeclared sister service of the
        same category must not share a row."""
        return (self.entity_id, self.category, self.declared.name if self.declared else "")

    @property
    def is_platform(self) -> bool:
        return self.category == "platform"


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


class DestinationResolver:
    def __init__(self, catalog: Catalog, declaration: Declaration | None) -> None:
        self._catalog = catalog
        self._declaration = declaration
        # host, or (host, path scope) on the few hosts the catalog splits by path -> its destination
        self._cache: dict[str | tuple[str, str], Destination] = {}
        # Each known destination once: the thousands of hosts of one company share its
        # object (bounded by the catalog and the declaration; an unknown domain's is its own).
        self._known: dict[Destination, Destination] = {}

    def resolve(self, host: str, path: str | None = None) -> Destination:
        """Who receives a request to ``host``; ``path`` (with its query) tells
        apart the services of a host the catalog splits by path."""
        scope = self._catalog.path_scope(host, path)
        key = host if scope is None else (host, scope)
        found = self._cache.get(key)
        if found is None:
            found = self._decide(host, path)
            if found.party != "unknown":
                found = self._known.setdefault(found, found)
            self._cache[key] = found
        return found

    def _decide(self, host: str, path: str | None) -> Destination:
        decl = self._declaration
        if decl is not None:
            for domain in decl.first_party:
                if _under(host, domain):
                    return Destination(
                        entity=decl.app or "First party",
                        entity_id=FIRST_PARTY_ID,
                        category="essential",
                        party="first",
                        declared=None,
                        matched_domain=domain,
                        source=f"first_party in {decl.path}",
                    )
            for recipient in decl.recipients:
                for domain in recipient.domains:
                    if _under(host, domain):
                        return self._declared_by_domain(host, path, recipient, domain)
        match = self._catalog.match(host, path)
        if match is not None:
            parents = self._catalog.parents(match.company.id)
            declared = self._declaring(match.service.id, match.company.id, parents)
            return self._from_match(match, declared, match.matched, match.service.source or match.company.source)
        domain = registrable_domain(host)
        return Destination(
            entity=domain,
            entity_id=f"domain:{domain}",
            category="unknown",
            party="unknown",
            declared=None,
            matched_domain=None,
        )

    def _declared_by_domain(
        self, host: str, path: str | None, recipient: DeclaredRecipient, domain: str
    ) -> Destination:
        """A host the declaration ties to a recipient by its domains."""
        match = self._catalog.match(host, path)
        source = f"domains of {recipient.name} in the declaration"
        if recipient.entity_id is not None and match is not None:
            return self._from_match(match, recipient, domain, source)
        return Destination(
            entity=recipient.name,
            entity_id=recipient.entity_id or f"declared:{recipient.name.lower()}",
            category=match.service.category if match else "other",
            party="third",
            declared=recipient,
            matched_domain=domain,
            source=source,
        )

    def _from_match(
        self, match: HostMatch, declared: DeclaredRecipient | None, matched_domain: str, source: str
    ) -> Destination:
        parents = self._catalog.parents(match.company.id)
        return Destination(
            entity=match.company.name,
            entity_id=match.company.id,
            category=match.service.category,
            party="third",
            declared=declared,
            parent=parents[0].name if parents else None,
            service=match.service.name,
            matched_domain=matched_domain,
            source=source,
        )

    def _declaring(self, service_id: str, company_id: str, parents: tuple[Company, ...]) -> DeclaredRecipient | None:
        """The declared recipient that covers this service, if any.

        Declaring a company covers all its services and its subsidiaries'
        (declaring "Google" covers Firebase); declaring a service covers only it.
        """
        if self._declaration is None:
            return None
        covering = {("service", service_id), ("company", company_id)}
        covering.update(("company", p.id) for p in parents)
        for recipient in self._declaration.recipients:
            if (recipient.kind, recipient.entity_id) in covering:
                return recipient
        return None
