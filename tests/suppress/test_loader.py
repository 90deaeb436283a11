"""Reading .flowaudit-ignore.yml: every mistake at file:line, expired entries refused."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from flowaudit.catalog import load_catalog
from flowaudit.errors import FlowauditError
from flowaudit.suppress.loader import load_ignore_file

TODAY = datetime.date(2026, 1, 15)


def load(tmp_path: Path, text: str, today: datetime.date = TODAY):
    path = tmp_path / ".flowaudit-ignore.yml"
    path.write_text(text, encoding="utf-8")
    return load_ignore_file(path, load_catalog(), today)


def error(tmp_path: Path, text: str, today: datetime.date = TODAY) -> FlowauditError:
    with pytest.raises(FlowauditError) as caught:
        load(tmp_path, text, today)
    return caught.value


ENTRY = """suppressions:
  - rule: undeclared-recipient
    entity: facebook
    data_types: [usage, contact.email]
    statement: Covered by the DPA; declaration update in PR 123
    expires: 2026-06-30
  - rule: unknown-third-party
    host: Stats.Example.NET.
    statement: "Our own staging stats server, moving to first_party"
    expires: "2026-01-15"
"""


def test_entries_are_resolved_and_normalised(tmp_path: Path) -> None:
    ignore = load(tmp_path, ENTRY)
    first, second = ignore.entries
    assert first.rule == "undeclared-recipient"
    assert first.entity_names == {"facebook", "meta"}  # the catalog's name for what was written
    assert first.data_types is not None and "usage.interactions" in first.data_types  # group expanded
    assert "contact.email" in first.data_types
    assert first.expires == datetime.date(2026, 6, 30)
    assert (first.line, second.line) == (2, 7)
    assert second.host == "stats.example.net" and second.entity_names == frozenset()
    assert second.data_types is None
    assert second.source.endswith(".flowaudit-ignore.yml:7")


def test_an_entry_holds_through_its_expiry_day(tmp_path: Path) -> None:
    assert len(load(tmp_path, ENTRY, today=datetime.date(2026, 1, 15)).entries) == 2


def test_an_expired_entry_is_refused_naming_its_line_and_date(tmp_path: Path) -> None:
    e = error(tmp_path, ENTRY, today=datetime.date(2026, 1, 16))
    assert e.line == 7 and e.path.endswith(".flowaudit-ignore.yml")
    assert "expired on 2026-01-15" in e.message and "today is 2026-01-16" in e.message
    assert "unknown-third-party" in e.message
    both = error(tmp_path, ENTRY, today=datetime.date(2027, 1, 1))
    assert both.line == 2 and "also expired: line 7" in both.message


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (
            "suppressions:\n  - rule: undeclard-recipient\n    entity: X\n    statement: a long enough reason\n"
            "    expires: 2026-02-01\n",
            2,
            ["unknown rule 'undeclard-recipient'", "Did you mean: undeclared-recipient"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: a long enough reason\n"
            "    expires: 2026-02-01\n    data_types: [emial]\n",
            6,
            ["unknown data type 'emial'", "contact.email"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    expires: 2026-02-01\n",
            2,
            ["needs `statement:`"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: a long enough reason\n",
            2,
            ["needs `expires:`"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    statement: a long enough reason\n"
            "    expires: 2026-02-01\n",
            2,
            ["entity: or host:"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: because\n"
            "    expires: 2026-02-01\n",
            4,
            ["at least 10 characters"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: a long enough reason\n"
            "    expires: next year\n",
            5,
            ["a date such as"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: a long enough reason\n"
            "    expires: 2026-06-30T12:00:00\n",
            5,
            ["a date such as"],
        ),
        (
            "suppressions:\n  - rule: undeclared-recipient\n    entity: X\n    statement: a long enough reason\n"
            "    expires: '2026-02-30'\n",
            5,
            ["'2026-02-30' is not a real date"],
        ),
        ("supressions: []\n", 1, ["unknown key 'supressions'", "did you mean 'suppressions'"]),
        ("- rule: undeclared-recipient\n", 1, ["must be a mapping with `suppressions:`"]),
    ],
)
def test_mistakes_name_the_line(tmp_path: Path, text: str, line: int, fragments: list[str]) -> None:
    e = error(tmp_path, text)
    assert e.line == line, e
    for fragment in fragments:
        assert fragment in str(e), (fragment, str(e))


def test_an_empty_file_suppresses_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, "# nothing accepted yet\n").entries == ()
    assert load(tmp_path, "suppressions: []\n").entries == ()
