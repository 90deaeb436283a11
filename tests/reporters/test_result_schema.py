"""The published result schema (``result.schema.json``) describes every JSON
result flowaudit writes: the bundled example, a result for every external
and every shared real-world capture, with and without a declaration, under
``--no-redact``, with suppressed findings, and the hand-built results whose
every field is filled (the hostile one included). Checked strictly
(tests/resultschema.py): a field written but not in the schema fails too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from flowaudit import shape
from flowaudit.cli import main
from flowaudit.errors import FlowauditError
from flowaudit.reporters.json_load import RESULT_SCHEMA, check_result
from flowaudit.reporters.json_result import SCHEMA_VERSION, result_to_dict

from ..resultschema import valid_result, valid_result_text
from .results import full_result, hostile_result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples/acme-health"
EXTERNAL = ROOT / "tests/corpus/external"
REALWORLD = ROOT / "tests/data/realworld"  # the shared real captures (../shared/realworld)
DECLARATIONS = ROOT / "tests/data/declarations"
MIXPANEL = REALWORLD / "sdk/mixpanel/flows.mitm"


# Real captures flowaudit refuses (exit 2, no result): a broken HAR, mitmproxy 0.10's
# flow format, and JSON that is not a HAR. Every other capture must give a result.
REFUSED = {
    "mitmproxy-testdata/corrupted_har/brokenfile.har",
    "mitmproxy-testdata/dumpfile-010.mitm",
    "mitmproxy-testdata/har_extractor.har",
}


def check(*args: object) -> str | None:
    """``flowaudit check ARGS --format json``'s standard output; None when it refused the input (exit 2)."""
    run = CliRunner().invoke(main, ["check", *map(str, args), "--format", "json", "--fail-on", "never"])
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    if run.exit_code == 2:
        assert run.stdout == "" and run.stderr.startswith("flowaudit: error: "), run.output
        return None
    assert run.exit_code == 0, run.output
    return run.stdout


def _captures(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".har", ".mitm"))


CASES: dict[str, Callable[[], str | None]] = {
    "example report": lambda: (ROOT / "reports/acme-health/flowaudit.json").read_text(encoding="utf-8"),
    "declared": lambda: check(EXAMPLE / "capture.mitm", "--declared", EXAMPLE / "flowaudit.yml"),
    "no declaration": lambda: check(MIXPANEL),
    "no-redact": lambda: check(EXAMPLE / "capture.mitm", "--declared", EXAMPLE / "flowaudit.yml", "--no-redact"),
    "suppressed by an ignore file": lambda: check(
        MIXPANEL,
        "--declared",
        DECLARATIONS / "mixpanel-full.yml",
        "--ignore-file",
        DECLARATIONS / "mixpanel-health-accepted.flowaudit-ignore.yml",
        "--show-suppressed",
    ),
    "suppressed by a baseline": lambda: check(
        EXAMPLE / "capture.mitm",
        "--declared",
        EXAMPLE / "flowaudit.yml",
        "--baseline",
        ROOT / "reports/acme-health/flowaudit.json",
    ),
    "several inputs": lambda: check(*_captures(REALWORLD / "sdk")),
    "hand-built, every field": lambda: json.dumps(result_to_dict(full_result())),
    "hand-built, hostile": lambda: json.dumps(result_to_dict(hostile_result())),
    **{f"external {p.parent.name}": (lambda p=p: check(p)) for p in _captures(EXTERNAL)},
    **{f"realworld {p.relative_to(REALWORLD)}": (lambda p=p: check(p)) for p in _captures(REALWORLD)},
}


def test_the_schema_is_shipped_valid_and_versioned() -> None:
    schema = shape.schema(RESULT_SCHEMA)  # read as package data, as an installed flowaudit finds it
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert f"schema_version {SCHEMA_VERSION}" in schema["title"]


def test_every_case_names_real_captures() -> None:
    assert sum(name.startswith("external ") for name in CASES) >= 10
    assert sum(name.startswith("realworld ") for name in CASES) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_result_written_is_described_by_the_schema(name: str) -> None:
    text = CASES[name]()
    if name.removeprefix("realworld ") in REFUSED:
        assert text is None, f"{name} now gives a result: take it out of REFUSED so it is checked"
        return
    assert text is not None, f"{name}: flowaudit refused the capture"
    data = valid_result_text(text)
    if name == "no-redact":
        assert data["redacted"] is False
    if name.startswith("suppressed"):
        assert data["suppressed"] and data["summary"]["suppressed"] == len(data["suppressed"])


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["findings"][0].update(note="x"),
        lambda d: d["suppressed"][0]["suppression"].update(by="x"),
        lambda d: d["summary"]["companies"].update(fourth_party=[]),
        lambda d: d["recipients"][0].update(x=1),
        lambda d: d["findings"][0]["evidence"][0].update(x=1),
        lambda d: d["consent"]["phases"][1]["evidence"].update(x=1),
    ],
)
def test_a_field_written_but_not_in_the_schema_fails_the_check(change: Callable[[dict[str, Any]], None]) -> None:
    data = result_to_dict(full_result())
    change(data)
    with pytest.raises(AssertionError, match="departs from result.schema.json"):
        valid_result(data)


def _contract_fields(value: Any, where: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every field of the contract's example result, as a path (list items: the first)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in [(*where, key), *_contract_fields(item, (*where, key))]]
    if isinstance(value, list) and value:
        return _contract_fields(value[0], (*where, 0))
    return []


CONTRACT_EXAMPLE = json.loads(
    re.search(r"```json\n(.*?)```", (ROOT / "docs/contract.md").read_text(encoding="utf-8"), re.S).group(1)  # type: ignore[union-attr]
)


@pytest.mark.parametrize("path", _contract_fields(CONTRACT_EXAMPLE), ids=lambda p: ".".join(map(str, p)))
def test_every_field_of_the_contract_is_required(path: tuple[str | int, ...]) -> None:
    data = json.loads((ROOT / "reports/acme-health/flowaudit.json").read_text(encoding="utf-8"))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    with pytest.raises(FlowauditError, match="not a flowaudit result|needs"):
        check_result(data, "result.json")
