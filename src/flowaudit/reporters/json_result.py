"""The JSON result of docs/contract.md (``schema_version: 1``).

Field names and shapes are public: add fields, never rename or remove.
Additions beyond docs/contract.md are listed in the README. The published
schema, ``result.schema.json`` beside this module, describes every field
written here (a field added here goes there too: the tests check every
result they write against it, strictly); a rename or removal is a new
``SCHEMA_VERSION``, with the schema's ``schema_version`` const.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowaudit.display.jsontext import Lazy, json_pieces, materialised
from flowaudit.model import AuditResult, DecodeGap, Evidence, Finding, InputInfo, Recipient, SuppressedFinding
from flowaudit.reporters.phases import phases_to_dict
from flowaudit.reporters.summary import row_evidence, summarize

SCHEMA_VERSION = 1


def _input(i: InputInfo) -> dict[str, Any]:
    return {
        "path": i.path,
        "sha256": i.sha256,
        "format": i.format,
        "flows": i.flows,
        "complete": i.complete,
        "problem": i.problem,
        "app": i.app,
        "device": i.device,
        "started": i.started,
        "page_hosts": list(i.page_hosts),
        "warnings": list(i.warnings),
    }


def _recipient(r: Recipient) -> dict[str, Any]:
    return {
        "entity": r.entity,
        "entity_id": r.entity_id,
        "category": r.category,
        "categories": list(r.categories or (r.category,)),
        "party_inferred": r.party_inferred,
        "party": r.party,
        "declared": r.declared,
        "hosts": list(r.hosts),
        "flows": r.flows,
        "data_types": list(r.data_types),
        "parent": r.parent,
        "services": list(r.services),
        "phases": list(r.phases),
        "phase_flows": dict(r.phase_flows),
        # Per data type, its first few pieces of evidence: no row states a type it cannot show.
        "evidence": [_evidence(e) for _, items in row_evidence(r) for e in items],
        "rows": [
            {"category": w.category, "services": list(w.services), "flows": w.flows, "phase_flows": dict(w.phase_flows)}
            for w in r.rows
        ],
        "attempts": r.attempts,
        "reached": r.reached,
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    out = {
        "flow": e.flow,
        "request": e.request,
        "location": e.location,
        "decoding": list(e.decoding),
        "data_type": e.data_type,
        "how": e.how,
        "excerpt": e.excerpt,
    }
    if e.value is not None:  # only under --no-redact: see flowaudit.redact
        out["value"] = e.value
    # Why it counts, where known: written only when set, so request citations stay as they were.
    for key, text in (("detector", e.detector), ("source", e.source), ("property", e.property)):
        if text:
            out[key] = text
    return out


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "severity": f.severity,
        "title": f.title,
        "message": f.message,
        "entity": f.entity,
        "host": f.host,
        "hosts": list(f.hosts),
        "data_types": list(f.data_types),
        "phase": f.phase,
        "phases": list(f.phases),
        "services": list(f.services),
        "evidence": [_evidence(e) for e in f.evidence],
        "declaration_line": f.declaration_line,
        "declaration_file": f.declaration_file,
        "declaration_key": f.declaration_key,
    }


def _suppressed(s: SuppressedFinding) -> dict[str, Any]:
    """The finding as in ``findings``, plus why it does not count."""
    return {
        **finding_to_dict(s.finding),
        "suppression": {"reason": s.reason, "statement": s.statement, "source": s.source, "expires": s.expires},
    }


def _gap(g: DecodeGap) -> dict[str, Any]:
    return {
        "reason": g.reason,
        "label": g.label,
        "requests": g.requests,
        "examples": [{"flow": e.flow, "request": e.request, "how": e.how} for e in g.examples],
        "recipients": list(g.recipients),
    }


def summary_to_dict(result: AuditResult) -> dict[str, Any]:
    """The same numbers and names every other format states (see reporters.summary)."""
    s = summarize(result)
    return {
        "flows": s.flows,
        "attempts": result.attempts,
        "recipients": s.companies,
        "undeclared_recipients": len(s.undeclared),
        "findings": dict(s.findings),
        "verdict": s.gate.verdict,
        "headline": s.headline,
        "third_parties": len(s.third_parties),
        "companies": {
            "first_party": list(s.first_parties),
            "third_party": list(s.third_parties),
            "undeclared": list(s.undeclared),
            "with_personal_data": list(s.with_personal_data),
        },
        "nothing_to_audit": s.nothing_to_audit,
        "fail_on": s.gate.fail_on,
        "failing_findings": s.gate.failing,
        "complete": result.complete,
        "platform_flows": s.platform_flows,
        "suppressed": s.suppressed,
        "not_fully_decoded": s.undecoded,
    }


def _document(result: AuditResult) -> dict[str, Any]:
    """The result, its sections that grow with the capture left :class:`Lazy`."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flowaudit", "version": result.tool_version, "rules_version": result.rules_version},
        "inputs": [_input(i) for i in result.inputs],
        "app": {
            "name": result.app_name,
            "declaration": result.declaration,
            "declaration_sha256": result.declaration_sha256,
            "declaration_files": [
                {"path": d.path, "kind": d.kind, "sha256": d.sha256} for d in result.declaration_files
            ],
            "first_party_inferred": list(result.first_party_inferred),
        },
        "created": result.created,
        "redacted": result.redacted,
        "summary": summary_to_dict(result),
        "recipients": Lazy(_recipient, result.recipients),
        "platform": Lazy(_recipient, result.platform),
        "findings": Lazy(finding_to_dict, result.findings),
        "phases": list(result.phases),
        "consent": phases_to_dict(result),
        # Requests whose payload could not be fully decoded, per reason (a request may have several).
        "decoding": {"not_fully_decoded": result.undecoded, "reasons": [_gap(g) for g in result.decode_gaps]},
        # Always listed (not only with --show-suppressed): the machine record hides nothing,
        # and a baseline made from this result must know what its own baseline covered.
        "suppressed": Lazy(_suppressed, result.suppressed),
    }


def result_to_dict(result: AuditResult) -> dict[str, Any]:
    document: dict[str, Any] = materialised(_document(result))
    return document


def result_chunks(result: AuditResult) -> Iterator[str]:
    """``json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\\n"``,
    a recipient or finding at a time, in pieces that each end a line."""
    return json_pieces(_document(result))


class JsonReporter:
    name = "json"
    extension = "json"

    def render(self, result: AuditResult) -> str:
        return "".join(self.chunks(result))

    def chunks(self, result: AuditResult) -> Iterator[str]:
        return result_chunks(result)
