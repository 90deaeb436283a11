"""The cross-app matrix: apps by companies, each cell the data types sent.

Rows are apps in name order; columns are the third parties (known or not)
any app contacted, most widespread first, then by name: the reader sees at
once which companies sit behind many apps. Platform traffic (browser and
operating system) is not the app's and is left out, and so are the app
maker's own domains. A cell says whether the company was declared by that
app and which data types reached it, sensitive ones marked, and those the
app declared the company but not the type for (``undeclared-data-type``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from flowaudit.display.spreadsheet import cell as csv_cell
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.model import AuditResult
from flowaudit.study.run import Outcome


@dataclass(frozen=True, slots=True)
class Column:
    entity_id: str
    entity: str
    categories: tuple[str, ...]  # every category it was seen in, across apps
    apps: int  # how many apps contacted it


@dataclass(frozen=True, slots=True)
class Cell:
    declared: bool
    data_types: tuple[str, ...]
    flows: int
    undeclared_types: tuple[str, ...] = ()  # of a declared company: the types it is not declared for

    @property
    def sensitive(self) -> tuple[str, ...]:
        return tuple(filter(is_sensitive, self.data_types))

    def marks(self, data_type: str) -> tuple[str, ...]:
        return (
            *(("undeclared",) if data_type in self.undeclared_types else ()),
            *(("sensitive",) if is_sensitive(data_type) else ()),
        )

    def text(self) -> str:
        """The cell as the CSV holds it, e.g. ``declared: contact.email (undeclared); health.health (sensitive)``."""
        status = "declared" if self.declared else "UNDECLARED"
        if not self.data_types:
            return status
        types = "; ".join(t + "".join(f" ({m})" for m in self.marks(t)) for t in self.data_types)
        return f"{status}: {types}"


@dataclass(frozen=True, slots=True)
class Row:
    app: str
    status: str  # "audited", "incomplete" (a capture was cut short) or "error"
    error: str | None  # its first line
    declaration: bool
    flows: int
    cells: tuple[Cell | None, ...]  # aligned with Matrix.columns; None: not contacted

    @property
    def undeclared(self) -> int:
        return sum(1 for c in self.cells if c is not None and not c.declared)

    @property
    def sensitive(self) -> int:
        return sum(1 for c in self.cells if c is not None and c.sensitive)


@dataclass(frozen=True, slots=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def build_matrix(outcomes: tuple[Outcome, ...]) -> Matrix:
    per_app: list[dict[str, Cell]] = []
    names: dict[str, str] = {}
    categories: dict[str, set[str]] = {}
    for outcome in outcomes:
        cells: dict[str, Cell] = {}
        undeclared = _undeclared_types(outcome.result) if outcome.result else {}
        for r in outcome.result.recipients if outcome.result else ():
            if r.party == "first":
                continue
            names.setdefault(r.entity_id, r.entity)
            categories.setdefault(r.entity_id, set()).update(r.categories or (r.category,))
            before = cells.get(r.entity_id)
            cells[r.entity_id] = Cell(
                # a company is declared for the app only if every row of it is
                declared=r.declared and (before is None or before.declared),
                data_types=tuple(sorted({*r.data_types, *(before.data_types if before else ())})),
                flows=r.flows + (before.flows if before else 0),
                undeclared_types=undeclared.get(r.entity, ()),
            )
        per_app.append(cells)
    reach = Counter(entity_id for cells in per_app for entity_id in cells)
    order = sorted(reach, key=lambda e: (-reach[e], names[e].lower(), e))
    columns = tuple(Column(e, names[e], tuple(sorted(categories[e])), reach[e]) for e in order)
    rows = tuple(_row(outcome, cells, order) for outcome, cells in zip(outcomes, per_app, strict=True))
    return Matrix(columns, rows)


def _undeclared_types(result: AuditResult) -> dict[str, tuple[str, ...]]:
    """Entity -> data types it received without being declared for them, from the
    ``undeclared-data-type`` findings (suppressed ones too: a study describes)."""
    out: dict[str, set[str]] = {}
    for f in (*result.findings, *(s.finding for s in result.suppressed)):
        if f.rule == "undeclared-data-type" and f.entity:
            out.setdefault(f.entity, set()).update(f.data_types)
    return {entity: tuple(sorted(types)) for entity, types in out.items()}


def _row(outcome: Outcome, cells: dict[str, Cell], order: list[str]) -> Row:
    result = outcome.result
    if result is None:
        status = "error"
    else:
        status = "audited" if result.complete else "incomplete"
    return Row(
        app=outcome.app.name,
        status=status,
        error=outcome.error.splitlines()[0] if outcome.error else None,  # the hint is in the manifest
        declaration=outcome.app.declaration is not None,
        flows=result.flows if result else 0,
        cells=tuple(cells.get(e) for e in order),
    )


def column_titles(matrix: Matrix) -> list[str]:
    """Company names, made unique (two catalog entities may share a display name)."""
    counts = Counter(c.entity for c in matrix.columns)
    return [c.entity if counts[c.entity] == 1 else f"{c.entity} ({c.entity_id})" for c in matrix.columns]


def matrix_csv(matrix: Matrix) -> str:
    """The matrix as CSV: one row per app, fixed columns first, then one per company.

    Spreadsheet-safe and UTF-8 with a byte-order mark, like flowaudit's
    other CSV; the same inputs always give the same bytes (``\\n`` line
    ends, stable order).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [
        "app",
        "status",
        "declaration",
        "requests",
        "undeclared_companies",
        "sensitive_companies",
        *column_titles(matrix),
    ]
    writer.writerow([csv_cell(title) for title in header])
    for row in matrix.rows:
        writer.writerow(
            [
                csv_cell(row.app),
                csv_cell(f"error: {row.error}" if row.error else row.status),
                "yes" if row.declaration else "no",
                row.flows,
                row.undeclared,
                row.sensitive,
                *(c.text() if c else "" for c in row.cells),
            ]
        )
    return "\ufeff" + out.getvalue()
