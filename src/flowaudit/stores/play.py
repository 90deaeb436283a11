"""Reading a Google Play Data safety CSV, as Play Console exports and imports it.

Five columns (:data:`~flowaudit.stores.play_template.HEADER`); a row per
question and response; ``Response value`` is ``true``/``false`` (any case),
blank, or text for the questions that take a link. The data types ticked
are the ``PSL_DATA_TYPES_*`` rows with ``true``; for each, whether it is
collected and whether it is shared are the two responses of its
``PSL_DATA_USAGE_COLLECTION_AND_SHARING`` question. A row this flowaudit
does not know is an error when it names a data type (a type must never be
dropped silently) and ignored otherwise (a question Google added later).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from flowaudit.errors import FlowauditError
from flowaudit.stores.model import Place, PlayAnswers, PlayType
from flowaudit.stores.play_template import (
    COLLECTED,
    COLLECTION_PURPOSE,
    COLLECTS,
    DATA_TYPES_PREFIX,
    HEADER,
    SHARED,
    SHARING_PURPOSE,
    SHARING_QUESTION,
    template_rows,
    usage_question,
)
from flowaudit.stores.reading import read_bounded

_HINT = "export the form again from Play Console (App content > Data safety > Export to CSV)"


@dataclass(frozen=True, slots=True)
class _Row:
    question: str
    response: str
    value: str
    line: int


def read_data_safety(path: str) -> PlayAnswers:
    raw, sha256 = read_bounded(path, "a Data safety CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FlowauditError("not UTF-8 text", path=path, line=raw[: err.start].count(b"\n") + 1, hint=_HINT) from None
    rows = list(_rows(path, text))
    values = {(row.question, row.response): row for row in rows}

    def place(row: _Row) -> Place:
        return Place(path, row.line, f"{row.question}/{row.response}" if row.response else row.question)

    known_types = {r.response for r in template_rows() if r.question.startswith(DATA_TYPES_PREFIX)}
    type_rows: list[tuple[str, Place]] = []
    ticked: list[PlayType] = []
    for row in rows:
        if not row.question.startswith(DATA_TYPES_PREFIX):
            continue
        if row.response not in known_types:
            raise FlowauditError(
                f"unknown Data safety data type '{row.response}' (question {row.question})",
                path=path,
                line=row.line,
                hint="flowaudit maps the data types of rules/data-types.yml `stores.play`; check the id "
                "against a fresh export, or add the type there",
            )
        type_rows.append((row.response, place(row)))
        if _truth(row, path):
            ticked.append(_play_type(row, values, place, path))
    first = rows[0] if rows else _Row(HEADER[0], "", "", 1)
    collects_row = values.get((COLLECTS, ""))
    return PlayAnswers(
        path=path,
        collects=_truth(collects_row, path) if collects_row is not None and collects_row.value.strip() else None,
        types=tuple(ticked),
        collects_place=place(collects_row) if collects_row is not None else Place(path, first.line, COLLECTS),
        type_rows=tuple(type_rows),
        sha256=sha256,
    )


def _play_type(row: _Row, values: dict[tuple[str, str], _Row], place: Callable[[_Row], Place], path: str) -> PlayType:
    sharing = usage_question(row.response, SHARING_QUESTION)
    collected_row = values.get((sharing, COLLECTED))
    shared_row = values.get((sharing, SHARED))
    collected = _truth(collected_row, path) if collected_row is not None else False
    shared = _truth(shared_row, path) if shared_row is not None else False
    purposes = tuple(
        response
        for (question, response), found in values.items()
        if question in (usage_question(row.response, COLLECTION_PURPOSE), usage_question(row.response, SHARING_PURPOSE))
        and _truth(found, path)
    )
    answered = collected_row if collected_row is not None and collected_row.value.strip() else shared_row
    return PlayType(
        type_id=row.response,
        # A ticked type whose usage was not answered still says it is collected (it leaves the device).
        collected=collected or not shared,
        shared=shared,
        place=place(row),
        sharing_place=place(answered) if answered is not None else place(row),
        purposes=tuple(dict.fromkeys(purposes)),
    )


def _rows(path: str, text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise FlowauditError(
                f"not a Data safety CSV: the first line must be the header '{','.join(HEADER)}'",
                path=path,
                line=1,
                hint=_HINT,
            )
        rows: list[_Row] = []
        start = reader.line_num + 1
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                start = reader.line_num + 1
                continue
            if len(cells) != len(HEADER):
                raise FlowauditError(
                    f"has {len(cells)} columns, the Data safety CSV has {len(HEADER)}",
                    path=path,
                    line=start,
                    hint="quote a value that holds a comma; " + _HINT,
                )
            rows.append(_Row(cells[0].strip(), cells[1].strip(), cells[2].strip(), start))
            start = reader.line_num + 1
    except csv.Error as err:
        raise FlowauditError(f"not a valid CSV: {err}", path=path, line=reader.line_num, hint=_HINT) from None
    return rows


def _truth(row: _Row | None, path: str) -> bool:
    if row is None or not row.value:
        return False
    value = row.value.lower()
    if value in ("true", "false"):
        return value == "true"
    key = f"{row.question}/{row.response}" if row.response else row.question
    raise FlowauditError(
        f"{key} must be true, false or blank, not '{row.value}'",
        path=path,
        line=row.line,
        hint="Play Console reads TRUE or FALSE here",
    )
