"""The merged catalog as plain data, for the cache (:mod:`flowaudit.cache`), and back.

Reading AdGuard's megabyte of JSON and merging the overlay into it took a
tenth of a small audit; the merged result is kept, under the content of
every file it was made from and the catalog code. Made back, the thousands
of companies and services stay plain tuples until one is looked up: a run
meets a few dozen of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import astuple
from pathlib import Path
from typing import Any, TypeVar

from flowaudit.catalog.catalog import Catalog, CatalogParts
from flowaudit.catalog.model import CatalogSource, Company, Service

T = TypeVar("T")

Plain = tuple[Any, ...]


def plain(parts: CatalogParts) -> Plain:
    """A catalog's parts in values :mod:`marshal` stores (dicts, tuples, strings, numbers)."""
    scoped = parts.path_rules or {}
    return (
        {cid: astuple(company) for cid, company in parts.companies.items()},
        {sid: astuple(service) for sid, service in parts.services.items()},
        dict(parts.domains),
        dict(parts.company_aliases),
        tuple(parts.operated_suffixes),
        {domain: tuple((path, service.id) for path, service in rules) for domain, rules in scoped.items()},
        tuple(astuple(source) for source in parts.sources),
        parts.version,
    )


def from_plain(stored: Plain) -> Catalog:
    """The catalog :func:`plain` stored."""
    companies_of, services_of, domains, aliases, operated, path_rules, sources, version = stored
    services = Made(services_of, Service)
    return Catalog(
        companies=Made(companies_of, Company),
        services=services,
        domains=domains,
        company_aliases=aliases,
        operated_suffixes=operated,
        path_rules={domain: tuple((path, services[sid]) for path, sid in on) for domain, on in path_rules.items()},
        sources=tuple(CatalogSource(*fields) for fields in sources),
        version=version,
    )


def code() -> list[Path]:
    """The source files of the catalog package: how the merged catalog is made is part of its key."""
    return sorted(Path(__file__).parent.glob("*.py"))


class Made(Mapping[str, T]):
    """Entities kept as their fields and made the first time each is looked up."""

    def __init__(self, fields: dict[str, tuple[Any, ...]], make: Callable[..., T]) -> None:
        self._fields = fields
        self._make = make
        self._made: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._make(*self._fields[key])
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)
