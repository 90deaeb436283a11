"""Who is behind a host name: the merged catalog and its lookups.

Matching is by the longest catalog domain that is a suffix of the host on a
label boundary (``mixpanel.com`` covers ``api-js.mixpanel.com`` but not
``evilmixpanel.com``).

Shared suffixes: a host whose registrable domain is longer than the
matching domain is a customer's name under a public suffix
(``d123.cloudfront.net``, ``myapp.herokuapp.com``). It belongs to the
suffix's operator only when that operator hosts it: when the matching
service is hosting or a CDN, the provider really receives the traffic
(declaring "Amazon Web Services" covers ``*.amazonaws.com``), and when the
overlay marks the suffix ``covers_subdomains``, the operator serves every
name itself (``googleapis.com``). Any other service listed on a shared
suffix (an ad network's entry on ``withgoogle.com``) never claims the
customers under it. A domain the catalog lists itself
(``d1af033869koo7.cloudfront.net``) still matches its own service.

Paths: one host can serve several services (``www.google.com`` serves ads
under ``/pagead/``, reCAPTCHA under ``/recaptcha/`` and Chromium's own
requests under ``/async/``). Overlay entries with ``paths`` match only
requests under those paths, before the host-wide entry.

The engine calls :meth:`Catalog.match` once per flow, so results are cached
per host string.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from flowaudit.catalog.domains import ip_literal, normalize_host, registrable_domain
from flowaudit.catalog.model import CatalogSource, Company, HostMatch, Service

_MAX_CACHED_HOSTS = 1 << 16
_MISS = object()
_SUGGEST_CUTOFF = 0.6
# Services whose operator receives the traffic of its customers' names under
# a shared suffix: the provider hosts or delivers them.
_PROVIDER_CATEGORIES = frozenset({"hosting", "cdn"})

PathRules = Mapping[str, tuple[tuple[str, Service], ...]]  # domain -> (path, service), longest path first


class CatalogParts(NamedTuple):
    """A catalog's checked parts, as :class:`Catalog` takes them."""

    companies: Mapping[str, Company]
    services: Mapping[str, Service]
    domains: Mapping[str, str]
    company_aliases: Mapping[str, str]
    operated_suffixes: Iterable[str]
    sources: tuple[CatalogSource, ...]
    version: str
    path_rules: PathRules | None = None


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _suffixes(name: str) -> Iterator[str]:
    """``a.b.c`` then ``b.c`` then ``c``: longest first, on label boundaries."""
    while True:
        yield name
        dot = name.find(".")
        if dot < 0:
            return
        name = name[dot + 1 :]


def _under_path(path: str, scope: str) -> bool:
    """Whether a request path (query and fragment ignored) is ``scope`` or below it,
    on segment boundaries: ``/async/`` and ``/async`` both cover ``/async/folae``
    but not ``/asyncfoo``."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    scope = scope.rstrip("/")
    return path == scope or path.startswith(scope + "/")


def _curated(source: str) -> bool:
    # Curated (overlay) entries cite a link; AdGuard ones name their source id.
    return source.startswith(("https://", "http://"))


class Catalog:
    """Companies, services and domains, merged and checked; immutable after loading."""

    def __init__(
        self,
        *,
        companies: Mapping[str, Company],
        services: Mapping[str, Service],
        domains: Mapping[str, str],
        company_aliases: Mapping[str, str],
        operated_suffixes: Iterable[str],
        sources: tuple[CatalogSource, ...],
        version: str,
        path_rules: PathRules | None = None,
    ) -> None:
        """Build from checked parts; use :func:`flowaudit.catalog.load_catalog`. The
        companies and services are kept as given (the cache's are made on first use)."""
        self._companies = companies
        self._services = services
        self._domains = dict(domains)  # domain -> service id
        self._company_aliases = dict(company_aliases)  # folded company id -> its new id
        self._operated_suffixes = frozenset(operated_suffixes)
        self._path_rules = dict(path_rules or {})
        self._scoped_cache: dict[str, tuple[HostMatch, ...]] = {}
        self._sources = sources
        self._version = version
        self._match_cache: dict[str, HostMatch | None] = {}
        self._entity_index: dict[str, Company | Service] | None = None
        self._display_names: dict[str, tuple[str, int, str]] | None = None

    # -- host matching ---------------------------------------------------

    def match(self, host: str, path: str | None = None) -> HostMatch | None:
        """The service behind ``host`` (and ``path``, the request's path with
        its query), or None (unknown host or IP literal). Without a path only
        host-wide services match."""
        if path and self._path_rules:
            for scoped in self._scoped(host):
                if scoped.path is not None and _under_path(path, scoped.path):
                    return scoped
        found = self._match_cache.get(host, _MISS)
        if found is _MISS:
            if len(self._match_cache) >= _MAX_CACHED_HOSTS:
                self._match_cache.clear()
            found = self._match_cache[host] = self._lookup(host)
        return found  # type: ignore[return-value]

    def path_scope(self, host: str, path: str | None) -> str | None:
        """The path-scoped entry ``path`` falls under on ``host`` (``www.google.com/recaptcha/``),
        or None: requests with the same scope resolve alike, so callers may cache on it."""
        match = self.match(host, path) if path and self._path_rules and self._scoped(host) else None
        return match.matched if match is not None and match.path is not None else None

    def _scoped(self, host: str) -> tuple[HostMatch, ...]:
        """The path-scoped services of ``host``, most specific first (usually none)."""
        found = self._scoped_cache.get(host)
        if found is None:
            if len(self._scoped_cache) >= _MAX_CACHED_HOSTS:
                self._scoped_cache.clear()
            name = normalize_host(host)
            companies = self._companies
            found = self._scoped_cache[host] = tuple(
                HostMatch(host=name, domain=domain, service=service, company=companies[service.company_id], path=path)
                for domain in _suffixes(name)
                for path, service in self._path_rules.get(domain, ())
            )
        return found

    def _lookup(self, host: str) -> HostMatch | None:
        name = normalize_host(host)
        if not name or ip_literal(name) is not None:
            return None
        candidate = next((d for d in _suffixes(name) if d in self._domains), None)
        if candidate is None:
            return None
        service = self._services[self._domains[candidate]]
        if (
            candidate != name
            and candidate not in self._operated_suffixes
            and service.category not in _PROVIDER_CATEGORIES
            and len(candidate) < len(registrable_domain(name))
        ):
            return None  # a customer's own name under a shared suffix the service does not host
        return HostMatch(host=name, domain=candidate, service=service, company=self._companies[service.company_id])

    # -- entities --------------------------------------------------------

    def company(self, company_id: str) -> Company:
        """The company with this id (ids folded into another resolve to it)."""
        company_id = self._company_aliases.get(company_id, company_id)
        try:
            return self._companies[company_id]
        except KeyError:
            raise KeyError(f"no company {company_id!r} in the catalog") from None

    def service(self, service_id: str) -> Service:
        try:
            return self._services[service_id]
        except KeyError:
            raise KeyError(f"no service {service_id!r} in the catalog") from None

    def companies(self) -> tuple[Company, ...]:
        """Every company, for checks over the whole catalog."""
        return tuple(self._companies.values())

    def services(self) -> tuple[Service, ...]:
        """Every service, for checks over the whole catalog."""
        return tuple(self._services.values())

    def parents(self, company_id: str) -> tuple[Company, ...]:
        """Owning companies, nearest first: google -> (Alphabet,)."""
        chain: list[Company] = []
        seen = {self.company(company_id).id}
        parent_id = self.company(company_id).parent_id
        while parent_id is not None and parent_id not in seen:  # the loader rejects cycles
            parent = self.company(parent_id)
            chain.append(parent)
            seen.add(parent.id)
            parent_id = parent.parent_id
        return tuple(chain)

    def find_entity(self, name_or_id: str) -> Company | Service | None:
        """A company or service by id, name, legal name or former name (any case).

        Companies win over services and ids over names, so "Facebook" is
        Meta (the company folded into it), not the AdGuard service of that
        name, and "firebase" is the service with that id.
        """
        return self._index().get(_key(name_or_id))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The closest entity names, for "did you mean" in declaration errors.

        Like :func:`difflib.get_close_matches`, but equally close names are
        ordered curated first, so a typo of "Segment" suggests Segment
        before an obscure AdGuard entry that happens to score the same.
        """
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(_key(name))
        scored: list[tuple[float, int, str, str]] = []
        for key, (label, rank, entity) in self._names().items():
            matcher.set_seq1(key)
            if (
                matcher.real_quick_ratio() >= _SUGGEST_CUTOFF
                and matcher.quick_ratio() >= _SUGGEST_CUTOFF
                and (score := matcher.ratio()) >= _SUGGEST_CUTOFF
            ):
                scored.append((-score, rank, label, entity))
        best: dict[str, str] = {}  # one name per entity: "Google", not also "Google LLC"
        for _score, _rank, label, entity in sorted(scored):
            best.setdefault(entity, label)
        return list(best.values())[:n]

    def _index(self) -> dict[str, Company | Service]:
        if self._entity_index is None:
            index: dict[str, Company | Service] = {}
            for cid, company in self._companies.items():
                index.setdefault(_key(cid), company)
            for alias_id, cid in self._company_aliases.items():
                index.setdefault(_key(alias_id), self._companies[cid])
            for sid, service in self._services_curated_first():
                index.setdefault(_key(sid), service)
            for company in self._companies.values():
                for label in (company.name, *company.aliases):
                    index.setdefault(_key(label), company)
            for _sid, service in self._services_curated_first():
                index.setdefault(_key(service.name), service)
            self._entity_index = index
        return self._entity_index

    def _names(self) -> dict[str, tuple[str, int, str]]:
        """Every findable name -> (as written, 0 if curated else 1, entity key)."""
        if self._display_names is None:
            names: dict[str, tuple[str, int, str]] = {}
            companies = sorted(self._companies.values(), key=lambda c: not _curated(c.source))
            for company in companies:
                rank = 0 if _curated(company.source) else 1
                for label in (company.name, *company.aliases):
                    names.setdefault(_key(label), (label, rank, f"company:{company.id}"))
            for sid, service in self._services_curated_first():
                rank = 0 if _curated(service.source) else 1
                names.setdefault(_key(service.name), (service.name, rank, f"service:{sid}"))
            self._display_names = names
        return self._display_names

    def _services_curated_first(self) -> list[tuple[str, Service]]:
        return sorted(self._services.items(), key=lambda item: not _curated(item[1].source))

    # -- provenance ------------------------------------------------------

    @property
    def sources(self) -> tuple[CatalogSource, ...]:
        return self._sources

    @property
    def version(self) -> str:
        """Rules version, from the data: ``<overlay version>+adguard.<commit>``."""
        return self._version

    def counts(self) -> dict[str, int]:
        return {
            "companies": len(self._companies),
            "services": len(self._services),
            "domains": len(self._domains),
        }
