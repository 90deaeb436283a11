"""Reading a baseline: the finding ids of an earlier JSON result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.suppress.baseline import read_baseline

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "reports/acme-health/flowaudit.json"


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_ids_of_findings_and_of_what_its_own_baseline_suppressed(tmp_path: Path) -> None:
    data = example()
    first, second = data["findings"][:2]
    why = {"statement": "s", "source": "x.json"}
    data |= {
        "findings": [first | {"id": "a"}, second | {"id": "b"}],
        "suppressed": [
            first | {"id": "c", "suppression": why | {"reason": "baseline"}},
            # an ignore-file entry stands on its own and must lapse when it expires
            second | {"id": "d", "suppression": why | {"reason": "ignore-file"}},
        ],
    }
    assert read_baseline(write(tmp_path, data)).ids == {"a", "b", "c"}


def _drop_id(data: dict[str, Any]) -> dict[str, Any]:
    del data["findings"][1]["id"]
    return data


@pytest.mark.parametrize(
    ("content", "fragment", "line"),
    [
        ('{"schema_version": 1,\n "findings": [', "not valid JSON", 2),
        ({"log": {"entries": []}}, "not a flowaudit result", None),
        (example() | {"schema_version": 2}, "schema_version 2 (written by flowaudit", None),
        (_drop_id(example()), "`findings[1]` needs `id:`", None),
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
