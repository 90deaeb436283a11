"""CSV for spreadsheets: one row per recipient and one per finding.

A ``kind`` column tells rows apart (``summary`` first: the headline, who
received requests and the gate, with the undeclared companies in
``entity``; then ``recipient``, ``platform``,
``finding``, ``suppressed`` for a finding an ignore file or baseline
accepted, and ``notice`` for what limits the report: redaction off, an
incomplete capture). Rows keep the result's order, so the same result
always gives the same bytes. Spreadsheet-safe: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading
apostrophe, so a crafted host name cannot run as a formula (CSV injection);
the file starts with a UTF-8 byte-order mark so spreadsheet programs read
it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flowaudit.display.spreadsheet import cell
from flowaudit.model import AuditResult, Finding, Recipient, SuppressedFinding
from flowaudit.reporters.summary import evidence_line, row_evidence
from flowaudit.reporters.verdict import verdict, warnings

COLUMNS = (
    "kind",
    "severity",
    "rule",
    "id",
    "entity",
    "parent",
    "category",
    "party",
    "declared",
    "hosts",
    "requests",
    "data_types",
    "phases",
    "message",
    "evidence",
    "suppression",
    "services",
    "attempts",
)


def _join(values: tuple[str, ...]) -> str:
    return "; ".join(values)


def _recipient(kind: str, r: Recipient) -> dict[str, object]:
    return {
        "kind": kind,
        "entity": r.entity,
        "parent": r.parent or "",
        "category": r.category_label,
        "party": r.party,
        "declared": "yes" if r.declared else "no",
        "hosts": _join(r.hosts),
        "requests": r.flows,
        "attempts": r.attempts,
        "data_types": _join(r.data_types),
        "phases": _join(r.phases),
        "services": _join(r.services),
        # per data type, the request that shows it
        "evidence": " | ".join(f"{dt}: {evidence_line(items[0])}" for dt, items in row_evidence(r, 1)),
    }


def _suppressed(s: SuppressedFinding) -> dict[str, object]:
    until = f", until {s.expires}" if s.expires else ""
    return {**_finding(s.finding), "kind": "suppressed", "suppression": f"{s.reason} {s.source}{until}: {s.statement}"}


def _finding(f: Finding) -> dict[str, object]:
    evidence = []
    for e in f.evidence:
        parts = [e.flow, e.request, f"at {e.location}" if e.location else "", e.data_type or "", e.excerpt]
        evidence.append(" ".join(p for p in parts if p))
    return {
        "kind": "finding",
        "severity": f.severity,
        "rule": f.rule,
        "id": f.id,
        "entity": f.entity or "",
        "hosts": f.host or "",
        "data_types": _join(f.data_types),
        "phases": f.phase or "",
        "message": f.message,
        "evidence": " | ".join(evidence),
    }


def rows(result: AuditResult) -> Iterator[dict[str, object]]:
    """Every row in order, made one at a time (a capture to many domains has a row per domain)."""
    v = verdict(result)
    yield {
        "kind": "summary",
        "entity": _join(v.summary.undeclared),
        "requests": v.summary.app_flows,
        "message": f"{v.headline}. {v.story} {v.gate}",
    }
    for notice in warnings(result):
        yield {"kind": "notice", "message": notice}
    yield from (_recipient("recipient", r) for r in result.recipients)
    yield from (_recipient("platform", r) for r in result.platform)
    yield from (_finding(f) for f in result.findings)
    yield from (_suppressed(s) for s in result.suppressed)


# Rows written out per piece: pieces stay small, and each ends a row.
_ROWS_PER_PIECE = 500


class CsvReporter:
    name = "csv"
    extension = "csv"

    def render(self, result: AuditResult) -> str:
        return "".join(self.chunks(result))

    def chunks(self, result: AuditResult) -> Iterator[str]:
        """The table a few hundred rows at a time, the byte-order mark first."""
        buffer = io.StringIO("\ufeff")
        buffer.seek(0, io.SEEK_END)
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for n, row in enumerate(rows(result), 1):
            writer.writerow({k: v if isinstance(v, int) else cell(v) for k, v in row.items()})
            if n % _ROWS_PER_PIECE == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
