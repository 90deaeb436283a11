"""Reading and checking ``rules/adapters/*.yml``.

The shape is checked against ``schema.json`` (shipped beside this module,
usable by editors too); what a schema cannot say is checked here: the file
name matches the vendor id, data types exist in the vocabulary, a secret
field names no data type, and each vendor appears once. Every problem is a
:class:`~flowaudit.errors.FlowauditError` at the file and line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from flowaudit import cache as kept
from flowaudit import shape
from flowaudit.datatypes import load_vocabulary
from flowaudit.errors import FlowauditError
from flowaudit.payload.adapters.model import KEY_SEP, Adapter, Carried, Condition, Endpoint, Field, KeyPattern
from flowaudit.payload.detectors.keys import path_names
from flowaudit.resources import rules_dir
from flowaudit.shape import Shape
from flowaudit.yamlsource import YamlDoc, load_yaml

_ONE = f"[^{KEY_SEP}]+"
_ANY = f"{_ONE}(?:{KEY_SEP}{_ONE})*"


ADAPTER = Shape("flowaudit.payload.adapters", "schema.json", whole="the adapter")


def adapter_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or rules_dir() / "adapters").glob("*.yml"))


def read_adapters(paths: Iterable[Path], *, services: Collection[str] | None = None) -> tuple[Adapter, ...]:
    """Read adapter files; ``services``, when given, are the catalog service ids they may name."""
    adapters: list[Adapter] = []
    seen: dict[str, str] = {}
    for path in paths:
        doc = load_yaml(path)
        adapter = _read(doc, Path(path).stem)
        if adapter.vendor in seen:
            raise _error(doc, ("vendor",), f"vendor '{adapter.vendor}' is already described in {seen[adapter.vendor]}")
        if services is not None and adapter.service not in services:
            raise _error(doc, ("service",), f"'{adapter.service}' is not a service id of the catalog")
        seen[adapter.vendor] = doc.path
        adapters.append(adapter)
    return tuple(adapters)


def adapter_hosts(paths: Sequence[Path]) -> dict[str, list[str]]:
    """Host -> the adapter files (in ``paths`` order) with an endpoint at that host.

    A run reads and compiles only the adapters of the hosts its capture
    reaches (a small audit meets a few vendors of the ~70): the whole set is
    read and checked (:func:`read_adapters`) once per content of the files,
    the data types and this code, and the index is kept in the cache.
    """
    entry = kept.files_key([rules_dir() / "data-types.yml", Path(__file__), *paths])
    return kept.cached("adapter-hosts", entry, lambda: _index(paths))


def _index(paths: Sequence[Path]) -> dict[str, list[str]]:
    by_host: dict[str, list[str]] = {}
    for path, adapter in zip(paths, read_adapters(paths), strict=True):
        for endpoint in adapter.endpoints:
            for host in endpoint.hosts:
                files = by_host.setdefault(host, [])
                if str(path) not in files:
                    files.append(str(path))
    return by_host


def _read(doc: YamlDoc, stem: str) -> Adapter:
    shape.check(doc, ADAPTER)
    value: dict[str, Any] = doc.value
    if value["vendor"] != stem:
        raise _error(doc, ("vendor",), f"vendor '{value['vendor']}' must match the file name '{stem}.yml'")
    endpoints = tuple(
        _endpoint(doc, ("endpoints", i), entry, value["name"]) for i, entry in enumerate(value["endpoints"])
    )
    return Adapter(value["vendor"], value["name"], value["service"], endpoints, doc.path)


def _endpoint(doc: YamlDoc, where: tuple[object, ...], entry: dict[str, Any], vendor_name: str) -> Endpoint:
    carries = tuple(
        Carried(_data_type(doc, (*where, "carries", i, "type"), item["type"]), item["source"], item.get("property", ""))
        for i, item in enumerate(entry.get("carries", ()))
    )
    fields = tuple(
        _field(doc, (*where, "fields", i), item, vendor_name) for i, item in enumerate(entry.get("fields", ()))
    )
    return Endpoint(
        name=entry["name"],
        hosts=tuple(entry["hosts"]),
        paths=tuple(entry["paths"]),
        path_pattern=path_pattern(entry["paths"]),
        source=entry["source"],
        carries=carries,
        fields=fields,
    )


def _field(doc: YamlDoc, where: tuple[object, ...], item: dict[str, Any], vendor_name: str) -> Field:
    secret = bool(item.get("secret"))
    if secret and ({"type", "terms", "opt_out_when", "format", "property"} & set(item)):
        raise _error(doc, where, "a secret field is never data: give it no `type`, `terms`, `opt_out_when` or `format`")
    if "property" in item and "type" not in item:
        raise _error(doc, (*where, "property"), "a `property` refines a data type: give the field its `type`")
    anchored = item["path"].startswith("/")
    names = path_names(item["path"].lstrip("/"))
    if not names:
        raise _error(doc, (*where, "path"), f"path '{item['path']}' names no key")
    data_type = item.get("type")
    return Field(
        path=item["path"],
        pattern=field_pattern(names, anchored=anchored),
        last=None if "*" in names[-1] else names[-1],
        data_type=None if data_type is None else _data_type(doc, (*where, "type"), data_type),
        format=item.get("format", "any"),
        secret=secret,
        terms=bool(item.get("terms")),
        opt_out_when=frozenset(item.get("opt_out_when", ())),
        once=bool(item.get("once")),
        when_prefix=item.get("when_prefix", ""),
        unless_prefix=item.get("unless_prefix", ""),
        when_field=_conditions(doc, (*where, "when_field"), item.get("when_field", {})),
        unless_field=_conditions(doc, (*where, "unless_field"), item.get("unless_field", {})),
        what=item.get("what") or f"{vendor_name} {item['path']}",
        source=item["source"],
        line=doc.line_of(where),
        property=item.get("property", ""),
    )


def _conditions(doc: YamlDoc, where: tuple[object, ...], given: dict[str, list[str]]) -> tuple[Condition, ...]:
    conditions: list[Condition] = []
    for path, values in given.items():
        anchored = path.startswith("/")
        names = path_names(path.lstrip("/"))
        if not names:
            raise _error(doc, (*where, path), f"path '{path}' names no key")
        pattern = field_pattern(names, anchored=anchored)
        conditions.append(Condition(path, pattern, frozenset(v.strip().lower() for v in values)))
    return tuple(conditions)


def field_pattern(names: list[str], *, anchored: bool = False) -> KeyPattern:
    """A key-path pattern over names joined by :data:`KEY_SEP`, matching at the end
    (``properties.$email`` wherever ``properties`` sits), or the whole path when ``anchored``
    (``/name``: a top-level ``name`` only)."""
    literal = None if any("*" in name for name in names) else KEY_SEP.join(names)
    pieces: list[str] = []
    for name in names:
        if name == "**":
            pieces.append(_ANY)
        elif name == "*":
            pieces.append(_ONE)
        else:
            pieces.append(re.escape(name).replace(r"\*", f"[^{KEY_SEP}]*"))
    start = "^" if anchored else f"(?:^|{KEY_SEP})"
    return KeyPattern(literal, start + KEY_SEP.join(pieces) + "$", anchored)


def path_pattern(paths: Iterable[str]) -> re.Pattern[str]:
    """URL path globs as one regex: ``*`` within a segment, ``**`` across; a trailing slash is optional."""
    alternatives: list[str] = []
    for path in paths:
        body = re.escape(path.rstrip("/") or "/")
        body = body.replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        alternatives.append(body + "/?")
    return re.compile("|".join(alternatives))


def _data_type(doc: YamlDoc, where: tuple[object, ...], data_type: str) -> str:
    vocabulary = load_vocabulary()
    if data_type not in vocabulary.ids:
        close = vocabulary.suggest(data_type)
        hint = f"did you mean {close[0]}?" if close else "see rules/data-types.yml"
        raise FlowauditError(f"unknown data type '{data_type}'", path=doc.path, line=doc.line_of(where), hint=hint)
    return data_type


def _error(doc: YamlDoc, where: tuple[object, ...], message: str) -> FlowauditError:
    return FlowauditError(message, path=doc.path, line=doc.line_of(where))
