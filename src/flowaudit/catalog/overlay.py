"""The project's curated overlay: YAML files read with their line numbers.

The overlay is written by hand, so every mistake in it must point at the
file and line. Its shape (known keys, ids, links, domains, categories) is
stated once, in ``overlay.schema.json`` beside this module, and checked by
``flowaudit rules validate`` and by the test suite for every shipped file;
the catalog is loaded by every command, so loading does not re-check the
shape (see :data:`OVERLAY`). This module reads one file and checks what the
schema cannot say; :mod:`flowaudit.catalog.loader` checks the references
between files and against the AdGuard data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowaudit.errors import FlowauditError
from flowaudit.shape import Shape
from flowaudit.yamlsource import YamlDoc, YamlPath, load_yaml

OVERLAY = Shape("flowaudit.catalog", "overlay.schema.json", whole="the overlay file")


@dataclass(frozen=True, slots=True)
class Where:
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class OverlayCompany:
    id: str
    name: str
    source: str
    where: Where
    legal_name: str | None = None
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    url: str | None = None
    merge: tuple[str, ...] = ()  # other company ids folded into this one


@dataclass(frozen=True, slots=True)
class OverlayService:
    id: str
    name: str
    company: str
    category: str
    source: str
    where: Where
    domains: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()  # AdGuard services this entry takes over
    covers_subdomains: bool = False  # operator runs every name under its public-suffix domains


@dataclass(frozen=True, slots=True)
class OverlayFile:
    companies: tuple[OverlayCompany, ...]
    services: tuple[OverlayService, ...]


def read_overlay_file(path: Path) -> OverlayFile:
    """Read one overlay file (its shape already checked against :data:`OVERLAY`)."""
    doc = load_yaml(path)
    value: dict[str, Any] = doc.value or {}
    companies = tuple(_company(doc, ("companies", i), e) for i, e in enumerate(value.get("companies") or ()))
    services = tuple(_service(doc, ("services", i), e) for i, e in enumerate(value.get("services") or ()))
    return OverlayFile(companies, services)


def _company(doc: YamlDoc, where: YamlPath, entry: dict[str, Any]) -> OverlayCompany:
    return OverlayCompany(
        id=entry["id"],
        name=entry["name"].strip(),
        source=entry["source"],
        where=Where(doc.path, doc.line_of(where)),
        legal_name=_stripped(entry.get("legal_name")),
        aliases=tuple(a.strip() for a in entry.get("aliases") or ()),
        parent=entry.get("parent"),
        url=entry.get("url"),
        merge=tuple(entry.get("merge") or ()),
    )


def _service(doc: YamlDoc, where: YamlPath, entry: dict[str, Any]) -> OverlayService:
    domains = tuple(entry.get("domains", ()))
    covers = bool(entry.get("covers_subdomains", False))
    for index, domain in enumerate(domains):
        if covers and "/" in domain:
            raise FlowauditError(
                f"{domain!r} has a path: 'covers_subdomains' applies to whole domains",
                path=doc.path,
                line=doc.line_of((*where, "domains", index)),
            )
    return OverlayService(
        id=entry["id"],
        name=entry["name"].strip(),
        company=entry["company"],
        category=entry["category"],
        source=entry["source"],
        where=Where(doc.path, doc.line_of(where)),
        domains=domains,
        replaces=tuple(r.strip() for r in entry.get("replaces", ())),
        covers_subdomains=covers,
    )


def _stripped(text: str | None) -> str | None:
    return None if text is None else text.strip()
