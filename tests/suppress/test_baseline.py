"""Reading a baseline: the finding ids of an earlier JSON result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.suppress.baseline import read_baseline


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_ids_of_findings_and_of_what_its_own_baseline_suppressed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "schema_version": 1,
            "findings": [{"id": "a"}, {"id": "b"}],
            "suppressed": [
                {"id": "c", "suppression": {"reason": "baseline"}},
                # an ignore-file entry stands on its own and must lapse when it expires
                {"id": "d", "suppression": {"reason": "ignore-file"}},
            ],
        },
    )
    assert read_baseline(path).ids == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("content", "fragment", "line"),
    [
        ('{"schema_version": 1,\n "findings": [', "not valid JSON", 2),
        ({"log": {"entries": []}}, "not a flowaudit JSON result", None),
        ({"schema_version": 2, "findings": []}, "schema_version 2 is not supported", None),
        ({"schema_version": 1, "findings": [{"rule": "x"}]}, "a finding without an `id`", None),
    ],
)
def test_wrong_files_are_clear_errors(tmp_path: Path, content: object, fragment: str, line: int | None) -> None:
    with pytest.raises(FlowauditError) as caught:
        read_baseline(write(tmp_path, content))
    assert fragment in caught.value.message and caught.value.line == line


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(FlowauditError, match="baseline not found") as caught:
        read_baseline(tmp_path / "nope.json")
    assert "--format json" in str(caught.value)
