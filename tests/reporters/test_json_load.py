"""The JSON result read back (`flowaudit report`): what the JSON holds
survives the trip, and a file that is not a result says so clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.model import AuditResult
from flowaudit.reporters.json_load import load_result, result_from_dict
from flowaudit.reporters.json_result import result_to_dict

from ..resultschema import valid_result

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["full", "hostile"])
def test_everything_the_json_holds_survives(name: str, request: pytest.FixtureRequest) -> None:
    result: AuditResult = request.getfixturevalue(name)
    data = valid_result(json.loads(json.dumps(result_to_dict(result))))
    assert result_to_dict(result_from_dict(data)) == data


def test_fields_added_to_the_contract_are_read(full: AuditResult) -> None:
    data = result_to_dict(full)
    data |= {"created": "2026-11-22T19:57:03Z", "redacted": False, "phases": ["before-consent", "after-consent"]}
    data["app"]["declaration_sha256"] = "ab" * 32
    data["findings"][0]["declaration_line"] = 7
    data["recipients"][0]["phase_flows"] = {"before-consent": 3, "after-consent": 1}
    loaded = result_from_dict(data)
    assert (loaded.created, loaded.redacted, loaded.phases) == (
        "2026-11-22T19:57:03Z",
        False,
        ("before-consent", "after-consent"),
    )
    assert loaded.declaration_sha256 == "ab" * 32
    assert loaded.findings[0].declaration_line == 7
    assert loaded.recipients[0].phase_flows == (("before-consent", 3), ("after-consent", 1))


def test_older_results_load_with_defaults(full: AuditResult) -> None:
    data = result_to_dict(full)
    for key in ("platform", "suppressed", "created", "redacted", "phases"):
        data.pop(key, None)
    del data["findings"][0]["evidence"][0]["request"]
    loaded = result_from_dict(data)
    assert loaded.platform == () and loaded.redacted is True and loaded.created is None


def test_the_real_example_result_loads() -> None:
    loaded = load_result(str(ROOT / "reports/acme-health/flowaudit.json"))
    assert loaded.app_name == "Acme Health" and loaded.recipients[0].entity == "Mixpanel"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=2), "schema_version 2 (written by flowaudit 0.1.0), newer than this"),
        (lambda d: d.update(schema_version=0), "schema_version 0 (written by flowaudit 0.1.0), an older format"),
        (lambda d: d.update(schema_version="1"), "`schema_version` must be 1"),
        (lambda d: d.pop("schema_version"), "not a flowaudit result"),
        (lambda d: d["tool"].update(name="other"), "not a flowaudit result"),
        (lambda d: d["findings"][1].pop("severity"), "`findings[1]` needs `severity"),
        (lambda d: d["findings"][0].update(severity="urgent"), "`findings[0].severity` must be one of: critical"),
        (lambda d: d["recipients"][0].update(flows="4"), "`recipients[0].flows` must be a whole number"),
        (lambda d: d["recipients"][0].update(flows=-1), "`recipients[0].flows` must be a whole number, 0 or more"),
        (lambda d: d["recipients"][0].update(declared=1), "`recipients[0].declared` must be true or false"),
        (lambda d: d["recipients"][0].update(party="second"), "`recipients[0].party` must be one of: first, third"),
        (lambda d: d["inputs"][0].update(flows=True), "`inputs[0].flows` must be a whole number"),
        (lambda d: d["inputs"][0].update(format="pcap"), "`inputs[0].format` must be one of: mitm, har"),
        (lambda d: d["recipients"][0].update(hosts=[1]), "`recipients[0].hosts[0]` must be text"),
        (lambda d: d["summary"].update(verdict="ok"), "`summary.verdict` must be one of: fail, pass, none"),
        (lambda d: d["summary"].update(fail_on="always"), "`summary.fail_on` must be one of"),
        (lambda d: d["suppressed"][0]["suppression"].pop("reason"), "`suppressed[0].suppression` needs `reason"),
        (lambda d: d["recipients"][0].update(phase_flows={"before": "3"}), "`recipients[0].phase_flows.before`"),
        (lambda d: d.update(findings={}), "`findings` must be a list"),
    ],
)
def test_wrong_files_are_named(full: AuditResult, tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = result_to_dict(full)
    change(data)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FlowauditError) as e:
        load_result(str(path))
    assert message in str(e.value) and str(path) in str(e.value)
    assert e.value.line is None  # json keeps no lines: the JSON path says where


def test_not_json_and_not_a_result(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "schema_version": 1,\n  oops\n}', encoding="utf-8")
    with pytest.raises(FlowauditError, match=r"broken.json:3: not valid JSON"):
        load_result(str(broken))
    with pytest.raises(FlowauditError, match="not a flowaudit result"):
        load_result(str(ROOT / "tests/data/realworld/sdk/mixpanel/flows.har"))
    with pytest.raises(FlowauditError, match="no such file"):
        load_result(str(tmp_path / "missing.json"))
    with pytest.raises(FlowauditError, match="not valid JSON"):
        load_result(str(ROOT / "tests/data/realworld/sdk/mixpanel/flows.mitm"))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{")
    with pytest.raises(FlowauditError, match="not UTF-8"):
        load_result(str(binary))


def test_a_hostile_nesting_is_a_clear_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(FlowauditError, match="nested too deeply"):
        load_result(str(deep))
