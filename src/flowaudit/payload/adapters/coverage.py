"""What the shipped adapters know, as a table: vendor, endpoint, fields, data types, source.

One row per endpoint of every ``rules/adapters/<vendor>.yml``, so a reader can see which
tracker endpoints flowaudit reads field by field (and, for any other request, that only the
generic detectors look at it). ``flowaudit rules list --adapters`` prints it, and
docs/adapters.md is this module's Markdown, kept current by a test.

An endpoint pattern is one URL path glob of an endpoint, under that endpoint's hosts (each
host also matches its subdomains): the unit peers such as TrackHAR count ("212 endpoint
URL patterns").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flowaudit.payload.adapters.model import Adapter, Endpoint, Field


@dataclass(frozen=True, slots=True)
class CoverageRow:
    vendor: str  # the adapter's name: "Branch"
    adapter: str  # its id and file stem: "branch"
    endpoint: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]  # each an endpoint pattern
    fields: tuple[str, ...]  # "path → data type (property)", "path (secret)", "path → terms"
    data_types: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Coverage:
    rows: tuple[CoverageRow, ...]

    @property
    def adapters(self) -> int:
        return len({r.adapter for r in self.rows})

    @property
    def endpoints(self) -> int:
        return len(self.rows)

    @property
    def patterns(self) -> int:
        return sum(len(r.paths) for r in self.rows)

    @property
    def fields(self) -> int:
        return sum(len(r.fields) for r in self.rows)

    def summary(self) -> str:
        return (
            f"{self.adapters} adapters, {self.endpoints} endpoints, {self.patterns} endpoint patterns "
            f"(a path glob under the endpoint's hosts), {self.fields} fields"
        )


def _field(f: Field) -> str:
    if f.secret:
        return f"{f.path} (secret, never shown)"
    if f.data_type is None:
        return f"{f.path} → " + ("terms in its value" if f.terms else "opt-out signal")
    refined = f" ({f.property})" if f.property else ""
    return f"{f.path} → {f.data_type}{refined}"


def _row(adapter: Adapter, endpoint: Endpoint) -> CoverageRow:
    carried = [f"every request → {c.data_type}" + (f" ({c.property})" if c.property else "") for c in endpoint.carries]
    types = [c.data_type for c in endpoint.carries] + [f.data_type for f in endpoint.fields if f.data_type]
    return CoverageRow(
        vendor=adapter.name,
        adapter=adapter.vendor,
        endpoint=endpoint.name,
        hosts=endpoint.hosts,
        paths=endpoint.paths,
        fields=(*carried, *dict.fromkeys(_field(f) for f in endpoint.fields)),
        data_types=tuple(sorted(set(types))),
        source=endpoint.source,
    )


def coverage(adapters: Iterable[Adapter]) -> Coverage:
    rows = [_row(a, e) for a in sorted(adapters, key=lambda a: a.name.lower()) for e in a.endpoints]
    return Coverage(tuple(rows))
