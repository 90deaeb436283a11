"""Reading ``.flowaudit-ignore.yml``: shape, then meaning, then expiry.

The file is a CI team's list of findings accepted for now. Each entry must
say why (``statement``) and until when (``expires``): a suppression without
an end date becomes permanent by neglect, so an entry past its date stops
the run (exit 2) before any capture is read, naming the entry's line.

Like the declaration, the shape is a JSON Schema (``schema.json`` beside this
module, usable by editors) and every mistake is reported at ``file:line``
with the closest valid names suggested. A misspelt entity is not an error
(entities include domains the catalog has never heard of); an entry that
matches nothing is warned about by the caller instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
from collections.abc import Iterator
from os import PathLike
from typing import Protocol

from flowaudit import shape
from flowaudit.catalog.model import Company, Service
from flowaudit.datatypes import Vocabulary, load_vocabulary
from flowaudit.engine.ruleset import RULES
from flowaudit.errors import FlowauditError
from flowaudit.problems import Problem, raise_first
from flowaudit.shape import Shape
from flowaudit.suppress.model import IgnoreFile, Suppression
from flowaudit.yamlsource import YamlDoc, load_yaml

EXAMPLE = (
    "suppressions:\n"
    "  - rule: undeclared-recipient\n"
    "    entity: Mixpanel\n"
    "    statement: Declared in the privacy policy; flowaudit.yml update in PR 123\n"
    "    expires: 2026-06-30"
)


class EntityCatalog(Protocol):
    def find_entity(self, name: str, /) -> Company | Service | None: ...


IGNORE_FILE = Shape("flowaudit.suppress", "schema.json")


def load_ignore_file(
    path: str | PathLike[str], catalog: EntityCatalog, today: datetime.date | None = None
) -> IgnoreFile:
    """Read and check an ignore file; any mistake, or an expired entry, is a :class:`FlowauditError`.

    ``today`` decides expiry (an entry holds through its ``expires`` day);
    it defaults to the local date.
    """
    doc = load_yaml(path)
    if doc.value is None:
        return IgnoreFile(doc.path, ())
    if not isinstance(doc.value, dict):
        raise FlowauditError(
            "must be a mapping with `suppressions:`",
            path=doc.path,
            line=1,
            hint=f"for example:\n{EXAMPLE}",
        )
    doc = _dates_as_text(doc)
    shape.check(doc, IGNORE_FILE)
    vocabulary = load_vocabulary()
    problems: list[Problem] = []
    entries = tuple(_entries(doc, catalog, vocabulary, problems))
    raise_first(problems, doc.path)
    _refuse_expired(entries, today or datetime.date.today())
    return IgnoreFile(doc.path, entries)


def _dates_as_text(doc: YamlDoc) -> YamlDoc:
    """Unquoted ``2026-06-30`` is a date to YAML but text to JSON Schema (and
    to editors, which read YAML 1.2): check the text either way."""
    items = doc.value.get("suppressions")
    if not isinstance(items, list):
        return doc
    converted = [
        {**item, "expires": item["expires"].isoformat()}
        if isinstance(item, dict) and isinstance(item.get("expires"), datetime.date)
        else item
        for item in items
    ]
    return dataclasses.replace(doc, value={**doc.value, "suppressions": converted})


def _entries(
    doc: YamlDoc, catalog: EntityCatalog, vocabulary: Vocabulary, problems: list[Problem]
) -> Iterator[Suppression]:
    for index, item in enumerate(doc.value.get("suppressions", [])):
        where = ("suppressions", index)
        rule = item["rule"]
        if rule not in RULES:
            close = difflib.get_close_matches(rule, list(RULES), n=3, cutoff=0.5)
            problems.append(
                Problem(
                    doc.line_of((*where, "rule")),
                    f"unknown rule '{rule}'." + (f" Did you mean: {', '.join(close)}?" if close else ""),
                    f"rule ids: {', '.join(RULES)}",
                )
            )
            continue
        try:
            expires = datetime.date.fromisoformat(item["expires"])
        except ValueError:
            problems.append(
                Problem(
                    doc.line_of((*where, "expires")),
                    f"`expires` '{item['expires']}' is not a real date",
                    "write the last day the suppression holds as YYYY-MM-DD",
                )
            )
            continue
        data_types = _data_types(item.get("data_types"), doc, (*where, "data_types"), vocabulary, problems)
        written = item.get("entity")
        host = item.get("host")
        yield Suppression(
            rule=rule,
            entity_names=_entity_names(written, catalog),
            entity=written,
            host=host.lower().rstrip(".") if host else None,
            data_types=data_types,
            statement=" ".join(item["statement"].split()),
            expires=expires,
            path=doc.path,
            line=doc.line_of(where),
        )


def _entity_names(written: str | None, catalog: EntityCatalog) -> frozenset[str]:
    """The names a finding's entity may carry for this entry: as written, and
    the catalog's name when the entry uses an id or another name ("facebook"
    for Meta)."""
    if written is None:
        return frozenset()
    names = {written.strip().lower()}
    found = catalog.find_entity(written.strip())
    if found is not None:
        names.add(found.name.lower())
    return frozenset(names)


def _data_types(
    names: list[str] | None,
    doc: YamlDoc,
    where: tuple[object, ...],
    vocabulary: Vocabulary,
    problems: list[Problem],
) -> frozenset[str] | None:
    if names is None:
        return None
    ids: set[str] = set()
    for index, name in enumerate(names):
        if name in vocabulary:
            ids.update(vocabulary.expand(name))
            continue
        close = vocabulary.suggest(name)
        problems.append(
            Problem(
                doc.line_of((*where, index)),
                f"unknown data type '{name}'." + (f" Did you mean: {', '.join(close)}?" if close else ""),
                f"use ids or group names from data-types.yml; groups: {', '.join(vocabulary.groups)}",
            )
        )
    return frozenset(ids)


def _refuse_expired(entries: tuple[Suppression, ...], today: datetime.date) -> None:
    expired = [entry for entry in entries if entry.expires < today]
    if not expired:
        return
    first, rest = expired[0], expired[1:]
    others = "".join(f"\n  also expired: line {e.line} ({e.rule}, {e.expires.isoformat()})" for e in rest)
    raise FlowauditError(
        f"suppression of {first.rule} for {first.entity or first.host} expired on {first.expires.isoformat()}"
        f" (today is {today.isoformat()}){others}",
        path=first.path,
        line=first.line,
        hint="an expired suppression no longer hides its finding and stops the run: fix the finding and "
        "remove the entry, or review it and set a new `expires` (with an updated `statement`)",
    )
