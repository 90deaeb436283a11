"""Validating rules files: every kind has a shipped JSON Schema, checked the same way.

A file's kind is decided by where it sits, as the loaders find them
(``adapters/*.yml``, ``adapters/fixtures/*.yml``, ``catalog/overlay/*.yml``, ``catalog/catalog.yml``,
``terms/*.yml``, ``data-types.yml``, ``categories.yml``); a file elsewhere
is recognised by its top-level keys. Each file is checked in two steps:
its shape against the kind's schema (every departure, at its line), then,
when the shape is right, what a schema cannot say (data types that exist,
a vendor id that matches the file name) by the kind's own reader. A folder
that is a whole rules tree (it holds ``catalog/catalog.yml``) is also
checked across files: the catalog is assembled (company and service
references, domains listed twice) and the adapters are read together
(each vendor once, each naming a catalog service).

The catalog's files are not re-checked against their schemas each time the
catalog loads (every command loads it, and jsonschema alone takes longer to
import than the catalog takes to read): the test suite runs this validation
on every shipped file, and contributors run ``flowaudit rules validate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flowaudit import shape
from flowaudit.catalog.loader import MANIFEST_FILE, load_catalog
from flowaudit.catalog.merge import MANIFEST, read_manifest
from flowaudit.catalog.overlay import OVERLAY, read_overlay_file
from flowaudit.catalog.taxonomy import CATEGORIES_FILE, category_descriptions
from flowaudit.datatypes import DATA_TYPES
from flowaudit.errors import FlowauditError
from flowaudit.payload.adapters.fixtures import FIXTURE, read_fixture
from flowaudit.payload.adapters.loader import ADAPTER, adapter_files, read_adapters
from flowaudit.payload.detectors.terms import TERMS, read_terms
from flowaudit.shape import Shape
from flowaudit.stores.mapping import read_mapping
from flowaudit.yamlsource import YamlDoc, load_yaml


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of rules file: how it is recognised, its schema, and its reader's own checks."""

    name: str
    shape: Shape
    folder: str | None  # the folder (relative to rules/) its files sit directly in, if many
    file_name: str | None  # its one file name, if one
    keys: frozenset[str]  # top-level keys that identify it when it sits elsewhere
    read: Callable[[Path], object]


KINDS: tuple[Kind, ...] = (
    Kind("adapter", ADAPTER, "adapters", None, frozenset({"vendor", "endpoints"}), lambda p: read_adapters([p])),
    Kind("adapter fixture", FIXTURE, "adapters/fixtures", None, frozenset({"adapter", "requests"}), read_fixture),
    Kind("catalog overlay", OVERLAY, "catalog/overlay", None, frozenset({"companies", "services"}), read_overlay_file),
    Kind("catalog manifest", MANIFEST, None, "catalog.yml", frozenset({"overlay_license"}), read_manifest),
    Kind("terms", TERMS, "terms", None, frozenset({"language", "lists"}), lambda p: read_terms([p])),
    # read_mapping reads the vocabulary too, and checks the stores' rows against it
    Kind("data types", DATA_TYPES, None, "data-types.yml", frozenset(), read_mapping),
    Kind("categories", CATEGORIES_FILE, None, "categories.yml", frozenset(), lambda p: category_descriptions(p.parent)),
)


def kind_of(path: Path, doc: YamlDoc) -> Kind | None:
    """The kind of a rules file: by its place first, then by its top-level keys."""
    folder = path.resolve().parent.as_posix()
    for kind in KINDS:
        if kind.file_name == path.name or (kind.folder and folder.endswith("/" + kind.folder)):
            return kind
    if isinstance(doc.value, dict):
        for kind in KINDS:
            if kind.keys and kind.keys & set(doc.value):
                return kind
    return None


@dataclass(frozen=True, slots=True)
class Validation:
    files: tuple[Path, ...]  # every file checked
    errors: tuple[FlowauditError, ...]  # every problem, in path and line order


def validate(paths: Iterable[Path]) -> Validation:
    """Every problem in the given rules files and folders (a folder: its ``*.yml`` files, at any depth)."""
    files: list[Path] = []
    errors: list[FlowauditError] = []
    for path in paths:
        found = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        if not found:
            errors.append(FlowauditError("holds no rules files (*.yml)", path=str(path)))
        files.extend(found)
        for file in found:
            errors.extend(validate_file(file))
        if path.is_dir() and (path / MANIFEST_FILE).is_file() and not errors:
            errors.extend(_across_files(path))
    return Validation(tuple(files), tuple(errors))


def validate_file(path: Path) -> list[FlowauditError]:
    """Every problem in one rules file: all schema departures, else the first problem its reader finds."""
    try:
        doc = load_yaml(path)
    except FlowauditError as error:
        return [error]
    kind = kind_of(path, doc)
    if kind is None:
        names = ", ".join(k.name for k in KINDS)
        return [
            FlowauditError(
                "cannot tell which kind of rules file this is",
                path=doc.path,
                line=1,
                hint=f"put it where flowaudit reads that kind (rules/adapters/, rules/terms/, ...) or give it "
                f"that kind's top-level keys; kinds: {names}",
            )
        ]
    problems = sorted(dict.fromkeys(shape.problems(doc, kind.shape)), key=lambda p: p.line)
    if problems:
        return [FlowauditError(p.message, path=doc.path, line=p.line, hint=p.hint) for p in problems]
    try:
        kind.read(path)
    except FlowauditError as error:
        return [error]
    return []


def _across_files(root: Path) -> Iterator[FlowauditError]:
    """The references between files of a whole rules tree."""
    try:
        catalog = load_catalog(root)
        read_adapters(adapter_files(root / "adapters"), services={service.id for service in catalog.services()})
    except FlowauditError as error:
        yield error
