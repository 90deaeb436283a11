"""The data-type vocabulary: the ids declarations, findings and reports share.

The ids and their App Store / Google Play labels live in
``rules/data-types.yml`` so that adding a type is a data change, not a code
change. A *group* is the part of an id before the dot ("contact",
"usage"); naming a group in a declaration means all of its members, which
is how app makers think ("we send usage data to Mixpanel").
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from flowaudit import shape
from flowaudit.resources import rules_dir
from flowaudit.shape import Shape
from flowaudit.yamlsource import load_yaml

DATA_TYPES = Shape("flowaudit", "datatypes.schema.json", whole="the data-types file")
# The key of data-types.yml that maps the stores' own data types back (not a data type).
STORES_KEY = "stores"


class DataTypeLabels(NamedTuple):
    """How people and the two app stores name a data type, for reports next to findings."""

    apple: str  # App Store privacy label
    google: str  # Google Play Data safety
    note: str | None  # what counts as this type, when not obvious
    name: str  # in plain words, for readers who never saw the ids ("Email address")


@dataclass(frozen=True, eq=False)
class Vocabulary:
    ids: tuple[str, ...]  # in file order
    groups: Mapping[str, tuple[str, ...]]  # "contact" -> ("contact.email", ...), in file order
    _labels: Mapping[str, DataTypeLabels]

    def __contains__(self, name: object) -> bool:
        """True for a data-type id or a group name."""
        return name in self._labels or name in self.groups

    def expand(self, name: str) -> tuple[str, ...]:
        """The ids ``name`` stands for: itself for an id, the members for a group.

        Raises ``KeyError`` for a name that is neither; callers that face
        user input check ``name in vocabulary`` first and offer :meth:`suggest`.
        """
        if name in self._labels:
            return (name,)
        return self.groups[name]

    def labels(self, data_type: str) -> DataTypeLabels:
        return self._labels[data_type]

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Closest ids or group names to a misspelt or shortened name.

        Besides spelling, a bare member name finds just its id ("email" ->
        "contact.email"), since that is the commonest way to get an id wrong.
        """
        wanted = name.strip().lower()
        by_member: dict[str, list[str]] = {}
        for data_type in self.ids:
            by_member.setdefault(data_type.split(".", 1)[1], []).append(data_type)
        if wanted in by_member:
            return by_member[wanted][:n]
        found = difflib.get_close_matches(wanted, [*self.ids, *self.groups], n=n)
        for member in difflib.get_close_matches(wanted, list(by_member), n=n):
            found += by_member[member]
        return list(dict.fromkeys(found))[:n]


def read_vocabulary(path: Path) -> Vocabulary:
    """Read a data-types file; a malformed one is a :class:`FlowauditError` at its line."""
    doc = load_yaml(path)
    shape.check(doc, DATA_TYPES)
    labels: dict[str, DataTypeLabels] = {}
    groups: dict[str, list[str]] = {}
    for data_type, entry in doc.value.items():
        if data_type == STORES_KEY:  # the stores' own types, read by flowaudit.stores.mapping
            continue
        name = entry.get("name") or data_type.split(".", 1)[1].replace("_", " ").capitalize()
        labels[data_type] = DataTypeLabels(entry["apple"], entry["google"], entry.get("note"), name)
        groups.setdefault(data_type.split(".", 1)[0], []).append(data_type)
    return Vocabulary(
        ids=tuple(labels),
        groups=MappingProxyType({group: tuple(members) for group, members in groups.items()}),
        _labels=MappingProxyType(labels),
    )


@cache
def load_vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once per process."""
    return read_vocabulary(rules_dir() / "data-types.yml")


def plain_name(data_type: str) -> str:
    """A data type in plain words ("Email address"), for readers who never
    saw the ids; an id this flowaudit does not know (a result written by a
    newer version) is returned as it is."""
    vocabulary = load_vocabulary()
    return vocabulary.labels(data_type).name if data_type in vocabulary.ids else data_type
