"""Reading ``flowaudit.yml``: shape first, then meaning, then frozen values.

The shape check (JSON Schema) runs first because the meaning checks assume
it: only a well-shaped file is then checked against the catalog (is each
entity known?) and the data-type vocabulary (is each type real?). Either
stage reports its earliest problem with the file's line, so a typo never
silently weakens an audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from os import PathLike
from typing import Any, Protocol

from flowaudit import shape
from flowaudit.catalog.model import Company, Service
from flowaudit.datatypes import Vocabulary, load_vocabulary
from flowaudit.declaration.model import (
    DEFAULT_CONSENT_CATEGORIES,
    Canaries,
    CustomCanary,
    Declaration,
    DeclaredRecipient,
)
from flowaudit.declaration.schema import DECLARATION
from flowaudit.errors import FlowauditError
from flowaudit.problems import Problem, describe, raise_first
from flowaudit.yamlsource import YamlDoc, load_yaml

_EXAMPLE = "app: My App\nrecipients:\n  - entity: Stripe\n    data: [contact.email, financial.payment]"


class EntityCatalog(Protocol):
    """What the declaration needs from the catalog: name lookup and near misses."""

    def find_entity(self, name: str, /) -> Company | Service | None: ...

    def suggest(self, name: str, /, n: int = 3) -> list[str]: ...


def load_declaration(path: str | PathLike[str], catalog: EntityCatalog) -> Declaration:
    """Read, check and resolve a declaration; any mistake is a :class:`FlowauditError`."""
    doc = load_yaml(path)
    if doc.value is None or doc.value == {}:
        raise FlowauditError(
            "the declaration is empty",
            path=doc.path,
            hint=f"declare where the app sends data, for example:\n{_EXAMPLE}\n"
            "(`recipients: []` declares that it shares nothing)",
        )
    shape.check(doc, DECLARATION)
    vocabulary = load_vocabulary()
    resolved = _Resolver(doc, catalog, vocabulary)
    recipients = tuple(resolved.recipients())
    canaries = resolved.canaries()
    raise_first(resolved.problems, doc.path)

    value: dict[str, Any] = doc.value
    consent = value.get("consent")
    return Declaration(
        path=doc.path,
        app=value.get("app"),
        first_party=_unique(domain.lower() for domain in value.get("first_party", [])),
        audience=value.get("audience", "general"),
        recipients=recipients,
        canaries=canaries,
        consent_required_for=_unique(consent["required_for"]) if consent else DEFAULT_CONSENT_CATEGORIES,
        redact=_unique(value.get("redact", [])),
        source=doc,
    )


class _Resolver:
    """Turns well-shaped entries into resolved values, noting problems as it goes."""

    def __init__(self, doc: YamlDoc, catalog: EntityCatalog, vocabulary: Vocabulary) -> None:
        self._doc = doc
        self._catalog = catalog
        self._vocabulary = vocabulary
        self.problems: list[Problem] = []

    def recipients(self) -> Iterator[DeclaredRecipient]:
        seen: dict[object, int] = {}
        for index, item in enumerate(self._doc.value.get("recipients", [])):
            where = ("recipients", index)
            line = self._doc.line_of(where)
            domains = _unique(domain.lower() for domain in item.get("domains", []))
            written = item.get("entity", "").strip()
            found = self._catalog.find_entity(written) if written else None
            if written and found is None and not domains:
                self._unknown_entity(written, self._doc.line_of((*where, "entity")))
                continue
            name = written or domains[0]
            identity = found.id if found is not None else ("custom", name.lower())
            if identity in seen:
                self.problems.append(
                    Problem(
                        line,
                        f"'{name}' is declared twice (first at line {seen[identity]})",
                        "merge the two entries into one",
                    )
                )
                continue
            seen[identity] = line
            yield DeclaredRecipient(
                name=name,
                entity_id=found.id if found is not None else None,
                kind=_kind(found),
                domains=domains,
                role=item.get("role"),
                purposes=_unique(item.get("purposes", [])),
                data=_unique(self._data_types(item.get("data", []), (*where, "data"))),
                data_as_written=_unique(item.get("data", [])),
                line=line,
            )

    def canaries(self) -> Canaries:
        given: dict[str, Any] = self._doc.value.get("canaries", {})
        location = given.get("location")
        return Canaries(
            email=given.get("email"),
            phone=given.get("phone"),
            name=given.get("name"),
            location=(float(location[0]), float(location[1])) if location else None,
            advertising_id=given.get("advertising_id"),
            custom=tuple(self._custom(given.get("custom", {}))),
        )

    def _custom(self, custom: dict[object, Any]) -> Iterator[CustomCanary]:
        for label, spec in custom.items():
            where = ("canaries", "custom", label)
            value, data_type = (spec["value"], spec.get("type")) if isinstance(spec, dict) else (spec, None)
            if data_type is not None and data_type not in self._vocabulary.ids:
                self._bad_canary_type(data_type, self._doc.line_of((*where, "type")))
            yield CustomCanary(str(label), str(value), data_type, self._doc.line_of(where))

    def _data_types(self, names: list[str], where: tuple[object, ...]) -> Iterator[str]:
        for index, name in enumerate(names):
            if name in self._vocabulary:
                yield from self._vocabulary.expand(name)
                continue
            self.problems.append(
                Problem(
                    self._doc.line_of((*where, index)),
                    f"unknown data type '{name}' in {describe(where)}.{_did_you_mean(self._vocabulary.suggest(name))}",
                    f"use ids or group names from data-types.yml; groups: {', '.join(self._vocabulary.groups)}",
                )
            )

    def _unknown_entity(self, name: str, line: int) -> None:
        self.problems.append(
            Problem(
                line,
                f"unknown entity '{name}': not in the catalog.{_did_you_mean(self._catalog.suggest(name, n=3))}",
                "if it is a company the catalog lacks, identify it by its domains: `domains: [api.example.com]`",
            )
        )

    def _bad_canary_type(self, data_type: str, line: int) -> None:
        if data_type in self._vocabulary.groups:
            members = ", ".join(self._vocabulary.groups[data_type])
            message = f"canary type '{data_type}' is a group: name one data type ({members})"
        else:
            ids = [name for name in self._vocabulary.suggest(data_type) if name not in self._vocabulary.groups]
            message = f"unknown data type '{data_type}'.{_did_you_mean(ids)}"
        self.problems.append(Problem(line, message, "a canary's `type:` is one data-type id from data-types.yml"))


def _did_you_mean(options: list[str]) -> str:
    return f" Did you mean: {', '.join(options)}?" if options else ""


def _kind(found: Company | Service | None) -> str:
    if isinstance(found, Service):
        return "service"
    if isinstance(found, Company):
        return "company"
    return "custom"


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values in first-seen order without repeats (a repeated entry is harmless, not an error)."""
    return tuple(dict.fromkeys(values))
