"""The project's curated overlay: YAML files read with their line numbers.

The overlay is written by hand, so every mistake in it must point at the
file and line (an unknown key is an error, not a silently ignored typo, and
every entry must say where its facts come from). Files are read with
:mod:`flowaudit.yamlsource`, which keeps the lines; this module checks each
file on its own; :mod:`flowaudit.catalog.loader` checks the references
between files and against the AdGuard data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowaudit.catalog.model import CATEGORIES
from flowaudit.errors import FlowauditError
from flowaudit.yamlsource import YamlDoc, YamlPath, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z][a-z0-9-]*$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(?:/\S*)?$")
_PATH = re.compile(r"^/[^\s?#]*$")  # a path scope after a domain: www.google.com/recaptcha/

_COMPANY_KEYS = {
    "id": True,
    "name": True,
    "source": True,
    "legal_name": False,
    "aliases": False,
    "parent": False,
    "url": False,
    "merge": False,
}
_SERVICE_KEYS = {
    "id": True,
    "name": True,
    "company": True,
    "category": True,
    "source": True,
    "domains": False,
    "replaces": False,
    "covers_subdomains": False,
    "note": False,
}


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


class _Entry:
    """One overlay entry and where each of its keys was written."""

    def __init__(self, doc: YamlDoc, where: YamlPath) -> None:
        self.doc = doc
        self.where = where
        value: Any = doc.value
        for step in where:
            value = value[step]
        self.value: dict[str, Any] = value

    @property
    def line(self) -> int:
        return self.doc.line_of(self.where)

    def key_line(self, key: str) -> int:
        return self.doc.line_of((*self.where, key))

    def fail(self, message: str, key: str | None = None, hint: str | None = None) -> FlowauditError:
        line = self.key_line(key) if key is not None else self.line
        return FlowauditError(message, path=self.doc.path, line=line, hint=hint)


def read_overlay_file(path: Path) -> OverlayFile:
    """Parse and check one overlay file; raise FlowauditError naming file:line."""
    doc = load_yaml(path)
    if doc.value is None:
        return OverlayFile((), ())
    if not isinstance(doc.value, dict):
        raise FlowauditError(
            "an overlay file must be a mapping with 'companies' and/or 'services'", path=doc.path, line=1
        )
    for key in doc.value:
        if key not in ("companies", "services"):
            raise FlowauditError(
                f"unknown top-level key {key!r}",
                path=doc.path,
                line=doc.line_of((key,)),
                hint="allowed: companies, services",
            )
    companies = tuple(_company(e) for e in _entries(doc, "companies"))
    services = tuple(_service(e) for e in _entries(doc, "services"))
    return OverlayFile(companies, services)


def _entries(doc: YamlDoc, key: str) -> list[_Entry]:
    value = doc.value.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FlowauditError(f"'{key}' must be a list of entries", path=doc.path, line=doc.line_of((key,)))
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise FlowauditError(
                f"each entry of '{key}' must be a mapping", path=doc.path, line=doc.line_of((key, index))
            )
    return [_Entry(doc, (key, index)) for index in range(len(value))]


def _check_keys(entry: _Entry, allowed: dict[str, bool], kind: str) -> None:
    for key in entry.value:
        if key not in allowed:
            raise entry.fail(f"unknown key {key!r} in {kind} entry", key, hint="allowed: " + ", ".join(allowed))
    for key, required in allowed.items():
        if required and entry.value.get(key) in (None, ""):
            raise entry.fail(f"{kind} entry is missing '{key}'")


def _text(entry: _Entry, key: str) -> str | None:
    value = entry.value.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise entry.fail(f"'{key}' must be a non-empty string", key)
    return value.strip()


def _strings(entry: _Entry, key: str) -> tuple[str, ...]:
    value = entry.value.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise entry.fail(f"'{key}' must be a list of strings", key)
    return tuple(v.strip() for v in value)


def _identifier(entry: _Entry, key: str) -> str:
    value = _text(entry, key) or ""
    if not _ID.match(value):
        raise entry.fail(f"'{key}' {value!r} is not a valid id (lower-case letters, digits, . _ -)", key)
    return value


def _source(entry: _Entry) -> str:
    value = _text(entry, "source")
    if value is None or not _URL.match(value):
        raise entry.fail(f"'source' must be an http(s) link to the page stating the facts, got {value!r}", "source")
    return value


def _company(entry: _Entry) -> OverlayCompany:
    _check_keys(entry, _COMPANY_KEYS, "company")
    merge = _strings(entry, "merge")
    for other in merge:
        if not _ID.match(other):
            raise entry.fail(f"'merge' names an invalid company id {other!r}", "merge")
    url = _text(entry, "url")
    if url is not None and not _URL.match(url):
        raise entry.fail(f"'url' must be an http(s) link, got {url!r}", "url")
    return OverlayCompany(
        id=_identifier(entry, "id"),
        name=_text(entry, "name") or "",
        source=_source(entry),
        where=Where(entry.doc.path, entry.line),
        legal_name=_text(entry, "legal_name"),
        aliases=_strings(entry, "aliases"),
        parent=_identifier(entry, "parent") if entry.value.get("parent") is not None else None,
        url=url,
        merge=merge,
    )


def _service(entry: _Entry) -> OverlayService:
    _check_keys(entry, _SERVICE_KEYS, "service")
    category = _text(entry, "category")
    if category not in CATEGORIES:
        raise entry.fail(f"unknown category {category!r}", "category", hint="one of: " + ", ".join(CATEGORIES))
    domains = _strings(entry, "domains")
    for domain in domains:
        host, slash, path = domain.partition("/")
        if not _DOMAIN.match(host) or (slash and not _PATH.match(slash + path)):
            raise entry.fail(
                f"{domain!r} is not a lower-case domain name, optionally with a path "
                "(no scheme, query, wildcard or dot at the end)",
                "domains",
            )
        if slash and entry.value.get("covers_subdomains"):
            raise entry.fail(f"{domain!r} has a path: 'covers_subdomains' applies to whole domains", "domains")
    replaces = _strings(entry, "replaces")
    if not domains and not replaces:
        raise entry.fail("service entry needs 'domains' or 'replaces' (it would match nothing)")
    covers = entry.value.get("covers_subdomains", False)
    if not isinstance(covers, bool):
        raise entry.fail("'covers_subdomains' must be true or false", "covers_subdomains")
    _text(entry, "note")
    return OverlayService(
        id=_identifier(entry, "id"),
        name=_text(entry, "name") or "",
        company=_identifier(entry, "company"),
        category=category,
        source=_source(entry),
        where=Where(entry.doc.path, entry.line),
        domains=domains,
        replaces=replaces,
        covers_subdomains=covers,
    )


def overlay_files(folder: Path) -> list[Path]:
    """The overlay's YAML files, in a stable order."""
    return sorted(p for p in folder.glob("*.yml") if p.is_file())
