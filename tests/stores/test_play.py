"""Reading Google Play Data safety CSVs in the template's shape, and refusing broken ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.stores.play import read_data_safety
from flowaudit.stores.play_template import HEADER, template_rows


def data_safety(answers: dict[tuple[str, str], str]) -> str:
    """The whole template, with ``answers`` (question, response) -> value filled in, as Play exports it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in template_rows():
        writer.writerow([row.question, row.response, answers.get(row.key, ""), row.requirement, row.label])
    return out.getvalue()


USAGE = "PSL_DATA_USAGE_RESPONSES"
EMAIL_COLLECTED_ONLY = {
    ("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", ""): "TRUE",
    ("PSL_DATA_TYPES_PERSONAL", "PSL_EMAIL"): "TRUE",
    (f"{USAGE}:PSL_EMAIL:PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_COLLECTED"): "TRUE",
    (f"{USAGE}:PSL_EMAIL:DATA_USAGE_COLLECTION_PURPOSE", "PSL_ACCOUNT_MANAGEMENT"): "true",
    ("PSL_DATA_TYPES_APP_PERFORMANCE", "PSL_CRASH_LOGS"): "true",
    (f"{USAGE}:PSL_CRASH_LOGS:PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_COLLECTED"): "true",
    (f"{USAGE}:PSL_CRASH_LOGS:PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_SHARED"): "true",
}


def test_reads_ticked_types_collected_shared_and_purposes(tmp_path: Path) -> None:
    path = tmp_path / "data_safety.csv"
    text = data_safety(EMAIL_COLLECTED_ONLY)
    path.write_text(text)
    answers = read_data_safety(str(path))
    assert answers.collects is True
    assert [(t.type_id, t.collected, t.shared, t.purposes) for t in answers.types] == [
        ("PSL_EMAIL", True, False, ("PSL_ACCOUNT_MANAGEMENT",)),
        ("PSL_CRASH_LOGS", True, True, ()),
    ]
    email = answers.types[0]
    lines = text.splitlines()
    assert lines[email.place.line - 1].startswith("PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,TRUE")
    assert lines[email.sharing_place.line - 1].startswith(
        "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED"
    )
    # Every data-type row is remembered, ticked or not: where an undeclared type would be ticked.
    assert lines[answers.row_of("PSL_NAME").line - 1].startswith("PSL_DATA_TYPES_PERSONAL,PSL_NAME,,")


def test_no_data_collected(tmp_path: Path) -> None:
    path = tmp_path / "data_safety.csv"
    path.write_text(data_safety({("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", ""): "false"}))
    answers = read_data_safety(str(path))
    assert answers.collects is False and answers.types == ()
    assert answers.collects_place.line == 2


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("Question ID (machine readable)", "Question", "the first line must be the header"),
        ("PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,,", "PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,yes,", "must be true, false or"),
        ("PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,", "PSL_DATA_TYPES_PERSONAL,PSL_EMAILS_TYPO,", "unknown Data safety data"),
        ("PSL_DATA_TYPES_PERSONAL,PSL_NAME,,MULTIPLE_CHOICE,", "PSL_DATA_TYPES_PERSONAL,PSL_NAME,", "has 3 columns"),
    ],
)
def test_broken_csv_names_file_line_and_fix(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    path = tmp_path / "data_safety.csv"
    text = data_safety({}).replace(old, new, 1)
    path.write_text(text)
    with pytest.raises(FlowauditError) as caught:
        read_data_safety(str(path))
    assert fragment in caught.value.message, caught.value.message
    assert caught.value.hint
    assert caught.value.line is not None and new in text.splitlines()[caught.value.line - 1]


FAIREMAIL = Path(__file__).parent.parent / "data/stores/play/fairemail/data_safety_export.csv"


def test_reads_a_real_play_console_export() -> None:
    """FairEmail's export as Play Console wrote it (2023): its ticked types, collected only, with purposes."""
    answers = read_data_safety(str(FAIREMAIL))
    assert answers.collects is True
    assert {t.type_id for t in answers.types} == {
        "PSL_NAME", "PSL_EMAIL", "PSL_USER_ACCOUNT", "PSL_EMAILS", "PSL_PHOTOS", "PSL_VIDEOS", "PSL_AUDIO",
        "PSL_MUSIC", "PSL_OTHER_AUDIO", "PSL_CONTACTS", "PSL_CRASH_LOGS", "PSL_PERFORMANCE_DIAGNOSTICS",
        "PSL_OTHER_PERFORMANCE", "PSL_FILES_AND_DOCS", "PSL_IN_APP_SEARCH_HISTORY",
    }  # fmt: skip
    assert all(t.collected and not t.shared for t in answers.types)
    name = next(t for t in answers.types if t.type_id == "PSL_NAME")
    assert name.purposes == ("PSL_APP_FUNCTIONALITY", "PSL_ACCOUNT_MANAGEMENT")
    assert (name.place.line, name.sharing_place.line if name.sharing_place else None) == (6, 44)
    assert len(answers.type_rows) == 38  # every data type row of the template, ticked or not


def test_the_template_is_the_real_exports_rows() -> None:
    """Header, ids, requirements, labels and order as the real export has them; the only
    differences are the deletion question Google replaced after 2023 (tests/data/stores/README.md)."""
    with FAIREMAIL.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == HEADER
    real = [(r[0], r[1], r[3], r[4]) for r in rows[1:]]
    template = [(t.question, t.response, t.requirement, t.label) for t in template_rows()]
    template_keys = {row[:2] for row in template}
    older = [row[:2] for row in real if row[:2] not in template_keys]
    assert older == [("PSL_DATA_COLLECTION_USER_REQUEST_DELETE", "")]
    newer = {q for q, *_ in template} - {q for q, *_ in real}
    assert newer == {
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS", "PSL_ACM_SPECIFY", "PSL_ACCOUNT_DELETION_URL",
        "PSL_SUPPORT_DATA_DELETION_BY_USER", "PSL_DATA_DELETION_URL", "PSL_INDEPENDENTLY_VALIDATED",
        "PSL_UPI_BADGE_OPT_IN", "PSL_HAS_OUTSIDE_APP_ACCOUNTS", "PSL_OUTSIDE_APP_ACCOUNT_TYPES",
        "PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY",
    }  # fmt: skip
    shared = [row for row in real if row[:2] in template_keys]
    assert len(shared) == 763
    assert shared == [row for row in template if row[0] not in newer]  # same ids, requirements, labels, order
