"""The diff as JSON: what a script or a newsroom's notebook reads.

``kind: "flowaudit-diff"`` tells it apart from a result; findings have the
same shape as in a result.
"""

from __future__ import annotations

import json
from typing import Any

from flowaudit import __version__
from flowaudit.diff.model import RecipientChange, ResultDiff, Side
from flowaudit.diff.words import gate_verdict, headline
from flowaudit.reporters.json_result import finding_to_dict

SCHEMA_VERSION = 1


def _side(side: Side) -> dict[str, Any]:
    r = side.result
    return {
        "label": side.label,
        "kind": side.kind,
        "tool_version": r.tool_version,
        "rules_version": r.rules_version,
        "app": r.app_name,
        "declaration": r.declaration,
        "flows": r.flows,
        "inputs": [{"path": i.path, "sha256": i.sha256, "complete": i.complete} for i in r.inputs],
    }


def _change(c: RecipientChange) -> dict[str, Any]:
    return {
        "entity": c.entity,
        "entity_id": c.entity_id,
        "party": c.party,
        "categories": list(c.categories),
        "declared": {"old": c.declared_old, "new": c.declared_new},
        "data_types": {"appeared": list(c.data_types_added), "disappeared": list(c.data_types_removed)},
        "hosts": {"appeared": list(c.hosts_added), "disappeared": list(c.hosts_removed)},
        "flows": {"old": c.flows_old, "new": c.flows_new},
    }


def diff_to_dict(diff: ResultDiff) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "flowaudit-diff",
        "tool": {"name": "flowaudit", "version": __version__},
        "old": _side(diff.old),
        "new": _side(diff.new),
        "summary": {
            "recipients_appeared": len(diff.with_change("appeared")),
            "recipients_disappeared": len(diff.with_change("disappeared")),
            "recipients_changed": len(diff.with_change("changed")),
            "data_types_appeared": sum(len(c.data_types_added) for c in diff.recipients),
            "data_types_disappeared": sum(len(c.data_types_removed) for c in diff.recipients),
            "new_findings": len(diff.new_findings),
            "fixed_findings": len(diff.fixed_findings),
            "unchanged_findings": diff.unchanged_findings,
            "fail_on": diff.fail_on,
            "verdict": gate_verdict(diff),
            "headline": headline(diff),
        },
        "notes": list(diff.notes),
        "recipients": {
            change: [_change(c) for c in diff.with_change(change)] for change in ("appeared", "disappeared", "changed")
        },
        "findings": {
            "new": [finding_to_dict(f) for f in diff.new_findings],
            "fixed": [finding_to_dict(f) for f in diff.fixed_findings],
        },
    }


def render_json(diff: ResultDiff) -> str:
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"
