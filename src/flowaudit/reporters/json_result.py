"""The JSON result of CONTRACT.md (``schema_version: 1``).

Field names and shapes are public: add fields, never rename or remove.
Additions beyond CONTRACT are listed in the README.
"""

from __future__ import annotations

import json
from typing import Any

from flowaudit.model import AuditResult, Evidence, Finding, InputInfo, Recipient

SCHEMA_VERSION = 1


def _input(i: InputInfo) -> dict[str, Any]:
    return {
        "path": i.path,
        "sha256": i.sha256,
        "format": i.format,
        "flows": i.flows,
        "complete": i.complete,
        "problem": i.problem,
    }


def _recipient(r: Recipient) -> dict[str, Any]:
    return {
        "entity": r.entity,
        "entity_id": r.entity_id,
        "category": r.category,
        "party": r.party,
        "declared": r.declared,
        "hosts": list(r.hosts),
        "flows": r.flows,
        "data_types": list(r.data_types),
        "parent": r.parent,
        "services": list(r.services),
        "phases": list(r.phases),
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "flow": e.flow,
        "request": e.request,
        "location": e.location,
        "decoding": list(e.decoding),
        "data_type": e.data_type,
        "how": e.how,
        "excerpt": e.excerpt,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "severity": f.severity,
        "title": f.title,
        "message": f.message,
        "entity": f.entity,
        "host": f.host,
        "data_types": list(f.data_types),
        "phase": f.phase,
        "evidence": [_evidence(e) for e in f.evidence],
    }


def result_to_dict(result: AuditResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flowaudit", "version": result.tool_version, "rules_version": result.rules_version},
        "inputs": [_input(i) for i in result.inputs],
        "app": {"name": result.app_name, "declaration": result.declaration},
        "summary": {
            "flows": result.flows,
            "recipients": len(result.recipients),
            "undeclared_recipients": sum(1 for r in result.recipients if r.party == "third" and not r.declared),
            "findings": result.counts(),
            "verdict": "fail" if result.failed() else "pass",
            "fail_on": result.fail_on,
            "complete": result.complete,
            "platform_flows": sum(r.flows for r in result.platform),
        },
        "recipients": [_recipient(r) for r in result.recipients],
        "platform": [_recipient(r) for r in result.platform],
        "findings": [_finding(f) for f in result.findings],
    }


class JsonReporter:
    name = "json"
    extension = "json"

    def render(self, result: AuditResult) -> str:
        return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
