"""The one mapping between the stores' data types and flowaudit's.

``rules/data-types.yml`` holds it: under ``stores:``, every Apple and Play
data type with the flowaudit types it covers (reading a store declaration),
and on every flowaudit type its ``apple`` / ``google`` label, which names the
store row to write it as (writing one). A store type no flowaudit type
matches is kept with ``unmapped:`` saying why, so nothing a store can
declare is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flowaudit import shape
from flowaudit.datatypes import DATA_TYPES, STORES_KEY, Vocabulary, read_vocabulary
from flowaudit.errors import FlowauditError
from flowaudit.resources import rules_dir
from flowaudit.yamlsource import load_yaml

APPLE = "apple"
PLAY = "play"
STORE_NAMES = {APPLE: "Apple privacy manifest", PLAY: "Google Play Data safety"}


@dataclass(frozen=True, slots=True)
class StoreType:
    """One data type of one store, as the store names it."""

    store: str  # "apple" or "play"
    id: str  # NSPrivacyCollectedDataTypeEmailAddress, PSL_EMAIL
    label: str  # "Contact Info / Email Address"
    types: tuple[str, ...]  # the flowaudit ids it covers; () when unmapped
    source: str  # the store's documentation
    unmapped: str | None = None  # why no flowaudit type matches it
    question: str | None = None  # Play: the CSV question it answers (PSL_DATA_TYPES_PERSONAL)


@dataclass(frozen=True, slots=True)
class StoreMapping:
    apple: tuple[StoreType, ...]  # in file order
    play: tuple[StoreType, ...]

    def of(self, store: str) -> tuple[StoreType, ...]:
        return self.apple if store == APPLE else self.play

    def find(self, store: str, type_id: str) -> StoreType | None:
        return next((row for row in self.of(store) if row.id == type_id), None)

    def covering(self, store: str, data_type: str) -> tuple[StoreType, ...]:
        """Every row of ``store`` that covers flowaudit's ``data_type`` (declaring any one of them declares it)."""
        return tuple(row for row in self.of(store) if data_type in row.types)

    def written_as(self, store: str, data_type: str, vocabulary: Vocabulary) -> StoreType | None:
        """The row a flowaudit type is written as: the one its own store label names.

        None when the label names several rows (Play's three sensitive-trait
        types, its photos and videos): which one applies is for a person to say.
        """
        labels = vocabulary.labels(data_type)
        wanted = labels.apple if store == APPLE else labels.google
        return next((row for row in self.covering(store, data_type) if row.label == wanted), None)


def read_mapping(path: Path) -> StoreMapping:
    """Read the store rows of a data-types file, checked against its vocabulary."""
    doc = load_yaml(path)
    shape.check(doc, DATA_TYPES)
    vocabulary = read_vocabulary(path)
    stores = doc.value.get(STORES_KEY)
    if stores is None:
        raise FlowauditError(
            "has no `stores:` section", path=str(path), hint="map every Apple and Play data type under `stores:`"
        )
    rows: dict[str, list[StoreType]] = {APPLE: [], PLAY: []}
    for store in (APPLE, PLAY):
        for type_id, entry in stores[store].items():
            where = (STORES_KEY, store, type_id)
            for data_type in entry["types"]:
                if data_type not in vocabulary.ids:
                    raise FlowauditError(
                        f"`{STORES_KEY}.{store}.{type_id}` maps to '{data_type}', which is not a data type here",
                        path=str(path),
                        line=doc.line_of((*where, "types")),
                        hint=f"use data-type ids: {', '.join(vocabulary.ids[:4])}, ...",
                    )
            if not entry["types"] and "unmapped" not in entry:
                raise FlowauditError(
                    f"`{STORES_KEY}.{store}.{type_id}` maps to no data type and does not say why",
                    path=str(path),
                    line=doc.line_of(where),
                    hint="add `unmapped: <why no flowaudit type matches>`",
                )
            rows[store].append(
                StoreType(
                    store=store,
                    id=type_id,
                    label=entry["label"],
                    types=tuple(entry["types"]),
                    source=entry["source"],
                    unmapped=entry.get("unmapped"),
                    question=entry.get("question"),
                )
            )
    for data_type in vocabulary.ids:
        for store in (APPLE, PLAY):
            if not any(data_type in row.types for row in rows[store]):
                raise FlowauditError(
                    f"data type '{data_type}' is covered by no {STORE_NAMES[store]} type under `{STORES_KEY}.{store}`",
                    path=str(path),
                    line=doc.line_of((data_type,)),
                    hint="list it in the `types:` of the store type that covers it",
                )
    return StoreMapping(apple=tuple(rows[APPLE]), play=tuple(rows[PLAY]))


@cache
def load_mapping() -> StoreMapping:
    """The shipped mapping, read once per process."""
    return read_mapping(rules_dir() / "data-types.yml")
