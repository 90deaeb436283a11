"""CSV for spreadsheets: a row per recipient and per finding, safe to open."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from flowaudit.display.spreadsheet import cell
from flowaudit.model import AuditResult
from flowaudit.reporters.csv_table import COLUMNS, CsvReporter


def rows(result: AuditResult) -> list[dict[str, str]]:
    text = CsvReporter().render(result)
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_rows_by_kind(full: AuditResult) -> None:
    out = rows(full)
    assert list(out[0]) == list(COLUMNS)
    kinds = [r["kind"] for r in out]
    assert kinds.count("recipient") == len(full.recipients)
    assert kinds.count("platform") == 1
    assert kinds.count("finding") == len(full.findings)
    assert kinds.count("suppressed") == 1
    assert kinds.count("notice") == 1  # the incomplete capture
    mixpanel = next(r for r in out if r["kind"] == "recipient" and r["entity"] == "Mixpanel")
    assert (mixpanel["declared"], mixpanel["requests"], mixpanel["data_types"]) == (
        "no",
        "4",
        "contact.email; health.health; identifiers.user_id",
    )
    critical = next(r for r in out if r["severity"] == "critical")
    assert "captures/acme.mitm#2 POST https://api.mixpanel.com/track" in critical["evidence"]
    assert "type 2 diabetes" in critical["evidence"]


def test_formulas_cannot_run() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x", "\n=x"):
        guarded = cell(dangerous)
        assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r")), dangerous
        assert guarded.startswith("'") or guarded.startswith("\\u000"), dangerous
    assert cell("Mixpanel") == "Mixpanel"


def test_hostile_cells_are_guarded(hostile: AuditResult) -> None:
    for row in rows(hostile):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
            assert "\u202e" not in value


def test_output_is_deterministic_and_crlf(full: AuditResult) -> None:
    first, second = CsvReporter().render(full), CsvReporter().render(full)
    assert first == second
    assert first.count("\r\n") == len(rows(full)) + 1 and "\n" not in first.replace("\r\n", "")


def test_redaction_off_is_a_notice(full: AuditResult) -> None:
    from dataclasses import replace

    [notice] = [r for r in rows(replace(full, redacted=False, inputs=full.inputs[:1])) if r["kind"] == "notice"]
    assert "Redaction is OFF" in notice["message"]


def test_a_long_table_is_written_a_few_hundred_rows_at_a_time(full: AuditResult) -> None:
    many = replace(full, recipients=full.recipients * 400)
    pieces = list(CsvReporter().chunks(many))
    assert len(pieces) > 2 and all(p.endswith("\r\n") for p in pieces)
    assert "".join(pieces) == CsvReporter().render(many)
    assert len(rows(many)) == len(rows(full)) + 399 * len(full.recipients)
