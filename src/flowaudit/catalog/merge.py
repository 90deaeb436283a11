"""Merge the catalog's files: AdGuard data first, the curated overlay on top.

Only when the merged catalog is not in the cache (:mod:`.loader`).

Precedence, in full (documented for users in ``rules/catalog/README.md``):

- An overlay company with an AdGuard company's id overrides its display
  name, URL and parent; AdGuard's name stays findable as an alias. ``merge``
  folds other company ids into it (AdGuard's ``facebook`` into ``meta``):
  their services move over and their ids and names resolve to it.
- An overlay service takes over the AdGuard services named in its
  ``replaces`` (their domains move to it) and claims its own ``domains``.
  A domain the overlay lists always wins over AdGuard's mapping. Reusing an
  AdGuard service id without listing it in ``replaces`` is an error, so an
  override is never accidental.
- An overlay domain written with a path (``www.google.com/recaptcha/``) is
  kept apart from the host-wide domains: it matches only requests under that
  path, before them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flowaudit.catalog.adguard import AdguardData, read_adguard
from flowaudit.catalog.catalog import CatalogParts
from flowaudit.catalog.loader import ADGUARD_FILE, MANIFEST_FILE, OVERLAY_DIR, overlay_files
from flowaudit.catalog.model import CatalogSource, Company, Service
from flowaudit.catalog.overlay import OverlayFile, Where, read_overlay_file
from flowaudit.errors import FlowauditError
from flowaudit.shape import Shape
from flowaudit.yamlsource import load_yaml

MANIFEST = Shape("flowaudit.catalog", "catalog.schema.json", whole="the catalog manifest")


def merge_files(root: Path) -> CatalogParts:
    """The catalog of the rules folder ``root``, read and merged."""
    version, overlay_license = read_manifest(root / MANIFEST_FILE)
    adguard = read_adguard(root / ADGUARD_FILE)
    overlay = [read_overlay_file(p) for p in overlay_files(root / OVERLAY_DIR)]
    return merge_catalog(adguard, overlay, version=version, overlay_license=overlay_license)


def read_manifest(path: Path) -> tuple[str, str]:
    """The catalog's version and the overlay's licence (shape checked against :data:`MANIFEST`
    by ``flowaudit rules validate`` and the tests, not at each load: see :mod:`flowaudit.catalog.overlay`)."""
    value = load_yaml(path).value
    return str(value["version"]), str(value["overlay_license"])


@dataclass(slots=True)
class _CompanyDraft:
    name: str
    url: str | None
    source: str
    parent: str | None = None
    parent_where: Where | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _ServiceDraft:
    name: str
    company: str
    category: str
    source: str


def _error(message: str, where: Where, hint: str | None = None) -> FlowauditError:
    return FlowauditError(message, path=where.path, line=where.line, hint=hint)


def merge_catalog(
    adguard: AdguardData, overlay: list[OverlayFile], *, version: str, overlay_license: str
) -> CatalogParts:
    companies, aliases = _merge_companies(adguard, overlay)
    services, domains, operated, scoped = _merge_services(adguard, overlay, companies, aliases)

    by_service: dict[str, list[str]] = {sid: [] for sid in services}
    for domain, sid in domains.items():
        by_service[sid].append(domain)
    for domain, rules in scoped.items():
        for path, sid in rules:
            by_service[sid].append(domain + path)
    frozen_companies = {
        cid: Company(
            id=cid,
            name=d.name,
            parent_id=d.parent,
            url=d.url,
            source=d.source,
            aliases=tuple(dict.fromkeys(a for a in d.aliases if a != d.name)),
        )
        for cid, d in companies.items()
    }
    frozen_services = {
        sid: Service(
            id=sid,
            name=d.name,
            company_id=d.company,
            category=d.category,
            domains=tuple(sorted(by_service[sid])),
            source=d.source,
        )
        for sid, d in services.items()
    }
    overlay_source = CatalogSource(
        id="overlay",
        name="flowaudit curated overlay",
        license=overlay_license,
        version=version,
        url=f"rules/{OVERLAY_DIR.as_posix()}",
        companies=sum(len(f.companies) for f in overlay),
        services=sum(len(f.services) for f in overlay),
        domains=sum(len(s.domains) for f in overlay for s in f.services),
    )
    # Path-scoped services are checked before host-wide ones, the longest path first.
    path_rules = {
        domain: tuple((path, frozen_services[sid]) for path, sid in sorted(rules, key=lambda r: -len(r[0])))
        for domain, rules in scoped.items()
    }
    return CatalogParts(
        companies=frozen_companies,
        services=frozen_services,
        domains=domains,
        company_aliases=aliases,
        operated_suffixes=operated,
        path_rules=path_rules,
        sources=(adguard.source, overlay_source),
        version=f"{version}+{adguard.source.id}.{adguard.source.version[:7]}",
    )


def _merge_companies(
    adguard: AdguardData, overlay: list[OverlayFile]
) -> tuple[dict[str, _CompanyDraft], dict[str, str]]:
    companies = {
        cid: _CompanyDraft(name=c.name, url=c.url, source=adguard.source.id) for cid, c in adguard.companies.items()
    }
    seen: dict[str, Where] = {}
    aliases: dict[str, str] = {}  # folded id -> the company it was folded into
    for entry in (c for f in overlay for c in f.companies):
        if entry.id in seen:
            raise _error(
                f"company {entry.id!r} is defined twice (also at line {seen[entry.id].line} of {seen[entry.id].path})",
                entry.where,
            )
        seen[entry.id] = entry.where
        draft = companies.get(entry.id)
        if draft is None:
            draft = companies[entry.id] = _CompanyDraft(name=entry.name, url=None, source=entry.source)
        draft.aliases.append(draft.name)
        draft.name, draft.source = entry.name, entry.source
        draft.url = entry.url or draft.url
        draft.aliases.extend(a for a in (entry.legal_name, *entry.aliases) if a)
        draft.parent, draft.parent_where = entry.parent, entry.where
        for folded in entry.merge:
            if folded == entry.id or folded not in adguard.companies or folded in aliases:
                raise _error(
                    f"'merge' names {folded!r}, which is not another AdGuard company (or is already merged)",
                    entry.where,
                )
            aliases[folded] = entry.id
    for folded, into in aliases.items():
        if folded in seen:
            raise _error(f"company {folded!r} is merged into {into!r} and cannot also be defined", seen[folded])
        companies[into].aliases.append(companies.pop(folded).name)
    for cid, draft in companies.items():
        if draft.parent is not None and draft.parent_where is not None:
            draft.parent = aliases.get(draft.parent, draft.parent)
            if draft.parent not in companies:
                raise _error(f"parent {draft.parent!r} of {cid!r} is not a known company", draft.parent_where)
    for cid, draft in companies.items():
        if draft.parent is None or draft.parent_where is None:
            continue
        chain = [cid]
        step: str | None = draft.parent
        while step is not None:
            if step in chain:
                raise _error("parent companies form a cycle: " + " -> ".join([*chain, step]), draft.parent_where)
            chain.append(step)
            step = companies[step].parent
    return companies, aliases


def _merge_services(
    adguard: AdguardData,
    overlay: list[OverlayFile],
    companies: dict[str, _CompanyDraft],
    aliases: dict[str, str],
) -> tuple[dict[str, _ServiceDraft], dict[str, str], set[str], dict[str, list[tuple[str, str]]]]:
    services = {
        sid: _ServiceDraft(
            name=s.name,
            company=aliases.get(s.company, s.company),
            category=s.category,
            source=adguard.source.id,
        )
        for sid, s in adguard.services.items()
    }
    domains = dict(adguard.domains)
    entries = [s for f in overlay for s in f.services]

    seen: dict[str, Where] = {}
    replaced: dict[str, str] = {}  # AdGuard service id -> overlay service taking it over
    for entry in entries:
        if entry.id in seen:
            raise _error(
                f"service {entry.id!r} is defined twice (also at line {seen[entry.id].line} of {seen[entry.id].path})",
                entry.where,
            )
        seen[entry.id] = entry.where
        for old in entry.replaces:
            if old not in adguard.services or old in replaced:
                raise _error(
                    f"'replaces' names {old!r}, which is not an AdGuard service (or is already replaced)", entry.where
                )
            replaced[old] = entry.id
    for entry in entries:
        if entry.id in adguard.services and replaced.get(entry.id) != entry.id:
            raise _error(
                f"service id {entry.id!r} is already an AdGuard service",
                entry.where,
                hint=f"add 'replaces: [{entry.id}]' to take it over",
            )
        company = aliases.get(entry.company, entry.company)
        if company not in companies:
            raise _error(
                f"company {entry.company!r} is not in the catalog",
                entry.where,
                hint="define it in the overlay's companies",
            )

    for domain, sid in domains.items():
        if sid in replaced:
            domains[domain] = replaced[sid]
    for old in replaced:
        del services[old]
    claimed: dict[str, Where] = {}
    operated: set[str] = set()
    scoped: dict[str, list[tuple[str, str]]] = {}  # domain -> (path, service id)
    for entry in entries:
        services[entry.id] = _ServiceDraft(
            name=entry.name,
            company=aliases.get(entry.company, entry.company),
            category=entry.category,
            source=entry.source,
        )
        for domain in entry.domains:
            if domain in claimed:
                raise _error(
                    f"domain {domain!r} is listed twice in the overlay (also at line "
                    f"{claimed[domain].line} of {claimed[domain].path})",
                    entry.where,
                )
            claimed[domain] = entry.where
            host, slash, path = domain.partition("/")
            if slash:  # only requests under this path: checked before the host-wide entries
                scoped.setdefault(host, []).append((slash + path, entry.id))
                continue
            domains[domain] = entry.id
            if entry.covers_subdomains:
                operated.add(domain)
    return services, domains, operated, scoped
