"""Store labels against traffic, across a study: the four outcomes per store data type.

For every app that brings a privacy manifest or a Data safety CSV, each
store data type is one of: correctly declared (declared, and the traffic
showed it), correctly not declared (neither), wrongly not declared (shown
but not declared) or unnecessarily declared (declared, never shown): the
four outcomes studies of store labels against traffic count. "Shown" means a
flowaudit type the store type covers (rules/data-types.yml) was sent to
anyone, the app's own servers included: the stores call that collection.
Store types with no flowaudit type cannot be shown by traffic and are left
out (listed by `flowaudit rules list --data-types`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flowaudit.display.spreadsheet import cell as csv_cell
from flowaudit.model import AuditResult
from flowaudit.stores.apple import read_manifest
from flowaudit.stores.mapping import APPLE, PLAY, STORE_NAMES, StoreType, load_mapping
from flowaudit.stores.play import read_data_safety
from flowaudit.study.run import Outcome

OUTCOMES = ("correctly declared", "correctly not declared", "wrongly not declared", "unnecessarily declared")
_KIND_STORE = {"apple-privacy-manifest": APPLE, "play-data-safety": PLAY}


@dataclass(frozen=True, slots=True)
class LabelRow:
    store: str
    store_type: StoreType
    cells: tuple[str | None, ...]  # per app (Matrix row order): an outcome, or None (no such store file)

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.cells if c == outcome)


@dataclass(frozen=True, slots=True)
class LabelTable:
    apps: tuple[str, ...]
    rows: tuple[LabelRow, ...]


def build_labels(outcomes: tuple[Outcome, ...]) -> LabelTable | None:
    """None when no app brought a store declaration."""
    declared = [_declared(o.result) if o.result is not None else None for o in outcomes]
    if not any(d for d in declared):
        return None
    mapping = load_mapping()
    rows: list[LabelRow] = []
    for store in (APPLE, PLAY):
        if not any(d is not None and store in d for d in declared):
            continue
        for store_type in mapping.of(store):
            if not store_type.types:
                continue
            cells = tuple(
                _outcome(store_type, d[store], o.result) if d is not None and store in d and o.result else None
                for o, d in zip(outcomes, declared, strict=True)
            )
            rows.append(LabelRow(store, store_type, cells))
    return LabelTable(tuple(o.app.name for o in outcomes), tuple(rows))


def _declared(result: AuditResult) -> dict[str, set[str]]:
    """Store -> the store type ids the app's store files declare (merged, as the audit read them)."""
    out: dict[str, set[str]] = {}
    for f in result.declaration_files:
        store = _KIND_STORE.get(f.kind)
        if store == APPLE:
            out.setdefault(APPLE, set()).update(i.type_id for i in read_manifest(f.path).items)
        elif store == PLAY:
            out.setdefault(PLAY, set()).update(t.type_id for t in read_data_safety(f.path).types)
    return out


def _outcome(store_type: StoreType, declared: set[str], result: AuditResult) -> str:
    shown = bool(set(store_type.types) & {t for r in result.recipients for t in r.data_types})
    if store_type.id in declared:
        return OUTCOMES[0] if shown else OUTCOMES[3]
    return OUTCOMES[2] if shown else OUTCOMES[1]


def labels_csv(table: LabelTable) -> str:
    """One row per store data type: the four counts, then each app's outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["store", "type", "label", "flowaudit_types", *(o.replace(" ", "_") for o in OUTCOMES)]
    writer.writerow([csv_cell(h) for h in (*header, *table.apps)])
    for row in table.rows:
        writer.writerow(
            [
                csv_cell(STORE_NAMES[row.store]),
                csv_cell(row.store_type.id),
                csv_cell(row.store_type.label),
                csv_cell(" ".join(row.store_type.types)),
                *(row.count(o) for o in OUTCOMES),
                *(c or "" for c in row.cells),
            ]
        )
    return "\ufeff" + out.getvalue()


def labels_json(table: LabelTable) -> list[dict[str, Any]]:
    """The same table for manifest.json's ``store_labels``: per store data type,
    the four counts and each app's outcome (null: the app has no file of that store)."""
    return [
        {
            "store": STORE_NAMES[row.store],
            "type": row.store_type.id,
            "label": row.store_type.label,
            "flowaudit_types": list(row.store_type.types),
            "counts": {o.replace(" ", "_"): row.count(o) for o in OUTCOMES},
            "apps": dict(zip(table.apps, row.cells, strict=True)),
        }
        for row in table.rows
    ]
