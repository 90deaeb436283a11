"""The cross-app matrix: rows, columns, cells, and its CSV."""

from __future__ import annotations

import csv
import dataclasses
import io

from flowaudit.model import AuditResult, Finding, InputInfo, Recipient, SuppressedFinding
from flowaudit.study.apps import App
from flowaudit.study.matrix import build_matrix, matrix_csv
from flowaudit.study.run import Outcome


def rec(entity: str, category: str = "analytics", *, declared: bool = False, data_types: tuple[str, ...] = (),
        party: str = "third", entity_id: str | None = None) -> Recipient:  # fmt: skip
    return Recipient(entity, entity_id or entity.lower(), category, party, declared, ("h",), 2, data_types)


def outcome(name: str, *recipients: Recipient, declaration: bool = False, complete: bool = True) -> Outcome:
    inputs = (InputInfo(f"{name}/flows.mitm", "0" * 64, "mitm", 2, complete, None if complete else "cut"),)
    result = AuditResult("0.1.0", "r", inputs, None, None, tuple(recipients), (), (), 2 * len(recipients))
    return Outcome(App(name, (name,), f"{name}/flowaudit.yml" if declaration else None), result, None)


def test_rows_columns_and_cells() -> None:
    m = build_matrix(
        (
            outcome("alpha", rec("Meta", "advertising", data_types=("contact.email",)), rec("Mixpanel")),
            outcome(
                "beta",
                rec("Meta", "advertising", declared=True, data_types=("health.health",)),
                rec("Meta", "social", declared=False, data_types=("identifiers.user_id",)),
                rec("Acme", "essential", party="first"),
                declaration=True,
            ),
            Outcome(App("gamma", ("gamma",), None), None, "gamma/flows.mitm: not a capture"),
        )
    )
    assert [c.entity for c in m.columns] == ["Meta", "Mixpanel"]  # most widespread first; no first party
    assert m.columns[0].categories == ("advertising", "social") and m.columns[0].apps == 2
    alpha, beta, gamma = m.rows
    assert alpha.cells[0] is not None and alpha.cells[0].text() == "UNDECLARED: contact.email"
    # a company with one undeclared row is undeclared for that app; data types of all rows together
    assert beta.cells[0] is not None
    assert beta.cells[0].text() == "UNDECLARED: health.health (sensitive); identifiers.user_id"
    assert beta.cells[1] is None and (beta.undeclared, beta.sensitive) == (1, 1)
    assert (gamma.status, gamma.cells) == ("error", (None, None))


def test_csv_is_spreadsheet_safe_and_stable() -> None:
    m = build_matrix((outcome("=cmd|calc", rec("Segment", declared=True)), outcome("ok", complete=False)))
    text = matrix_csv(m)
    assert text.startswith("\ufeff") and "\r" not in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "app", "status", "declaration", "requests", "undeclared_companies", "sensitive_companies", "Segment"
    ]  # fmt: skip
    assert rows[1] == ["'=cmd|calc", "audited", "no", "2", "0", "0", "declared"]
    assert rows[2] == ["ok", "incomplete", "no", "0", "0", "0", ""]
    assert matrix_csv(m) == text


def test_types_a_declared_company_is_not_declared_for_are_marked() -> None:
    o = outcome(
        "a", rec("Mixpanel", declared=True, data_types=("contact.email", "health.health", "usage.interactions"))
    )
    assert o.result is not None
    undeclared = Finding("x", "undeclared-data-type", "high", "t", "m", "Mixpanel", "h", ("health.health",))
    suppressed = SuppressedFinding(
        Finding("y", "undeclared-data-type", "high", "t", "m", "Mixpanel", "h", ("contact.email",)),
        "baseline",
        "b",
        "b",
    )
    result = dataclasses.replace(o.result, findings=(undeclared,), suppressed=(suppressed,))
    [row] = build_matrix((dataclasses.replace(o, result=result),)).rows
    assert row.cells[0] is not None
    assert row.cells[0].text() == (
        "declared: contact.email (undeclared); health.health (undeclared) (sensitive); usage.interactions"
    )


def test_two_companies_with_one_name_get_distinct_columns() -> None:
    m = build_matrix((outcome("a", rec("Acme", entity_id="acme-1"), rec("Acme", entity_id="acme-2")),))
    header = next(csv.reader(io.StringIO(matrix_csv(m).removeprefix("\ufeff"))))
    assert header[-2:] == ["Acme (acme-1)", "Acme (acme-2)"]
