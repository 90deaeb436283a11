"""SARIF 2.1.0, as GitHub code scanning reads it.

Each finding becomes a result anchored in the declaration file (see
:mod:`flowaudit.reporters.anchor`), with the finding id as its partial
fingerprint so an alert keeps its identity across runs, and every rule
flowaudit knows is listed with its help text. Capture files are listed as
artifacts with their SHA-256, so the log records what was audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowaudit.display.jsontext import Lazy, json_pieces
from flowaudit.engine.ruleset import RULES, Rule
from flowaudit.model import AuditResult, Finding, SuppressedFinding
from flowaudit.reporters.anchor import anchor, repository_path
from flowaudit.reporters.summary import evidence_line, summarize
from flowaudit.reporters.verdict import warnings

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "flowauditFindingId/v1"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub's "security-severity" (0.0 to 10.0) puts alerts in its critical
# (9.0+), high (7.0+), medium (4.0+) and low bands.
# Info findings are notes, not security alerts: they get none.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "2.0"}


def rule_for(rule_id: str, severity: str) -> Rule:
    """The rule's metadata; a rule this flowaudit does not know (a result
    written by a newer version) gets a plain stand-in."""
    return RULES.get(rule_id) or Rule(rule_id, severity, rule_id.replace("-", " ").capitalize(), "")


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _rule(rule: Rule) -> dict[str, Any]:
    help_text = rule.help or rule.title
    properties: dict[str, Any] = {
        "tags": ["privacy", rule.severity],
        "precision": "high",
        "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[_LEVEL[rule.severity]],
    }
    if rule.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": _camel(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": f"**{rule.title}** (`{rule.id}`, {rule.severity})\n\n{help_text}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }


def _message(f: Finding) -> str:
    lines = [f.message]
    lines += [f"Evidence: {evidence_line(e, data_type=True)}" for e in f.evidence]
    return "\n".join(lines)


def _result(result: AuditResult, f: Finding, rule_index: int) -> dict[str, Any]:
    path, line = anchor(result, f)
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": _message(f)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": path}, "region": {"startLine": line}},
                "message": {"text": f.title},
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.id},
        "properties": {
            "severity": f.severity,
            "entity": f.entity,
            "host": f.host,
            "dataTypes": list(f.data_types),
            "phase": f.phase,
            "evidence": [
                {
                    "flow": e.flow,
                    "request": e.request,
                    "location": e.location,
                    "decoding": list(e.decoding),
                    "dataType": e.data_type,
                    "how": e.how,
                    "excerpt": e.excerpt,
                }
                for e in f.evidence
            ],
        },
    }
    return out


def _suppressed(result: AuditResult, s: SuppressedFinding, rule_index: int) -> dict[str, Any]:
    """A finding an ignore file or baseline accepted: listed with the
    decision, so code scanning shows it as dismissed rather than forgetting it."""
    out = _result(result, s.finding, rule_index)
    out["suppressions"] = [
        {
            "kind": "external",
            "status": "accepted",
            "justification": s.statement,
            "properties": {"reason": s.reason, "source": s.source, "expires": s.expires},
        }
    ]
    return out


def to_sarif(result: AuditResult) -> dict[str, Any]:
    """The SARIF log, its results left :class:`~flowaudit.display.jsontext.Lazy`."""
    rules: dict[str, Rule] = dict(RULES)
    for f in (*result.findings, *(s.finding for s in result.suppressed)):
        rules.setdefault(f.rule, rule_for(f.rule, f.severity))
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    artifacts = [
        {
            "location": {"uri": repository_path(i.path)},
            "hashes": {"sha-256": i.sha256},
            "roles": ["analysisTarget"],
            "properties": {
                "format": i.format,
                "flows": i.flows,
                "complete": i.complete,
                "problem": i.problem,
                **({"recorded": i.recorded} if i.recorded else {}),
            },
        }
        for i in result.inputs
    ]
    if result.declaration:
        declaration: dict[str, Any] = {"location": {"uri": repository_path(result.declaration)}, "roles": ["policy"]}
        if result.declaration_sha256:
            declaration["hashes"] = {"sha-256": result.declaration_sha256}
        artifacts.append(declaration)
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [{"level": "warning", "message": {"text": w}} for w in warnings(result)],
    }
    if result.created:
        invocation["endTimeUtc"] = result.created
    summary = summarize(result)

    def convert(item: Finding | SuppressedFinding) -> dict[str, Any]:
        if isinstance(item, SuppressedFinding):
            return _suppressed(result, item, index[item.finding.rule])
        return _result(result, item, index[item.rule])

    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flowaudit",
                        "version": result.tool_version,
                        "semanticVersion": result.tool_version,
                        "rules": [_rule(r) for r in rules.values()],
                        "properties": {"rulesVersion": result.rules_version},
                    }
                },
                "invocations": [invocation],
                "artifacts": artifacts,
                # a result per finding: made one at a time when written (see flowaudit.display.jsontext)
                "results": Lazy(convert, (*result.findings, *result.suppressed)),
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "app": result.app_name,
                    "flows": result.flows,
                    "complete": result.complete,
                    "redacted": result.redacted,
                    "failOn": result.fail_on,
                    "verdict": summary.gate.verdict,
                    "headline": summary.headline,
                    "findings": dict(summary.findings),
                    "thirdParties": list(summary.third_parties),
                    "undeclared": list(summary.undeclared),
                    "nothingToAudit": summary.nothing_to_audit,
                    "notFullyDecoded": summary.undecoded,
                },
            }
        ],
    }


class SarifReporter:
    name = "sarif"
    extension = "sarif"

    def render(self, result: AuditResult) -> str:
        return "".join(self.chunks(result))

    def chunks(self, result: AuditResult) -> Iterator[str]:
        return json_pieces(to_sarif(result))
