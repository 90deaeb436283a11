"""SARIF 2.1.0 as GitHub code scanning takes it: schema-valid, anchored in
the declaration, fingerprinted by finding id, every rule with help text."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from flowaudit.engine.ruleset import RULES
from flowaudit.model import AuditResult
from flowaudit.reporters.sarif import FINGERPRINT_KEY, SarifReporter

from .captures import run_flowaudit

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/data/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def sarif(result: AuditResult) -> dict:
    log = json.loads(SarifReporter().render(result))
    jsonschema.validate(log, SCHEMA)
    return log


def test_full_result_validates_and_anchors_at_declaration_lines(full: AuditResult) -> None:
    run = sarif(full)["runs"][0]
    by_id = {r["partialFingerprints"][FINGERPRINT_KEY]: r for r in run["results"] if "suppressions" not in r}
    assert set(by_id) == {f.id for f in full.findings}
    for f in full.findings:
        location = by_id[f.id]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "flowaudit.yml"
        assert location["region"]["startLine"] == (f.declaration_line or 1)
    critical = by_id["a1b2c3d4e5f60718293a"]
    assert critical["level"] == "error" and critical["ruleId"] == "sensitive-data-to-third-party"
    assert "api.mixpanel.com" in critical["message"]["text"]


def test_every_rule_has_help_and_results_point_at_them(full: AuditResult) -> None:
    run = sarif(full)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(RULES)] == list(RULES)
    for rule in rules:
        assert rule["help"]["text"] and rule["fullDescription"]["text"] and rule["shortDescription"]["text"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    high = next(r for r in rules if r["id"] == "undeclared-recipient")
    assert high["properties"]["security-severity"] == "7.5"
    assert high["defaultConfiguration"]["level"] == "error"


def test_without_declaration_results_anchor_at_the_capture(full: AuditResult) -> None:
    run = sarif(replace(full, declaration=None))["runs"][0]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location == {"artifactLocation": {"uri": "captures/acme.mitm"}, "region": {"startLine": 1}}


def test_custody_and_suppressions_are_recorded(full: AuditResult) -> None:
    run = sarif(full)["runs"][0]
    artifacts = {a["location"]["uri"]: a for a in run["artifacts"]}
    assert artifacts["captures/acme.mitm"]["hashes"]["sha-256"] == full.inputs[0].sha256
    assert artifacts["flowaudit.yml"]["hashes"]["sha-256"] == full.declaration_sha256
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("captures/late.har is incomplete" in n for n in notes)
    [suppressed] = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed["suppressions"][0]["justification"] == "Our status page provider, reviewed by legal."


def test_hostile_result_validates(hostile: AuditResult) -> None:
    sarif(hostile)


def test_unknown_rule_from_a_newer_result_gets_a_rule_entry(full: AuditResult) -> None:
    newer = replace(full.findings[0], rule="from-the-future", id="ffffffffffffffffffff")
    run = sarif(replace(full, findings=(newer,)))["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "from-the-future"


@pytest.mark.parametrize("declared", [True, False])
def test_real_capture_sarif_validates(tmp_path: Path, declared: bool) -> None:
    out = tmp_path / "r.sarif"
    decl = ["--declared", ROOT / "examples/acme-health/flowaudit.yml"] if declared else []
    run = run_flowaudit(
        "check", ROOT / "examples/acme-health/capture.mitm", *decl, "--format", "sarif", "-o", out, cwd=ROOT
    )
    assert run.returncode == 1, run.stderr
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(log, SCHEMA)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == ({"examples/acme-health/flowaudit.yml"} if declared else {"examples/acme-health/capture.mitm"})
