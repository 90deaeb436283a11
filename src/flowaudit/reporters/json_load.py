"""The JSON result read back: ``flowaudit report RESULT.json`` renders any
format from a saved audit without the captures.

The reverse of :mod:`flowaudit.reporters.json_result`. A file that is not a
flowaudit result, or one of a ``schema_version`` this flowaudit does not
read, is a :class:`FlowauditError` naming the file and the field; fields the
contract added later are optional, so results from older versions load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowaudit.errors import FlowauditError
from flowaudit.model import (
    SEVERITIES,
    AuditResult,
    ConsentSignalSeen,
    DecodeGap,
    Evidence,
    Finding,
    InputInfo,
    PhaseChange,
    Recipient,
    SuppressedFinding,
)
from flowaudit.reporters.json_result import SCHEMA_VERSION

_MISSING = object()
_KIND_NAMES: dict[type, str] = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "an object",
}


class _Reader:
    """Typed access to the parsed JSON with errors that name the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, what: str) -> FlowauditError:
        return FlowauditError(
            f"not a valid flowaudit result: {where} {what}",
            path=self.source,
            hint="give the JSON written by `flowaudit check --format json`",
        )

    def get(self, obj: dict[str, Any], key: str, kind: type, where: str, default: Any = _MISSING) -> Any:
        at = f"{where}.{key}" if where else key
        value = obj.get(key)
        if value is None:
            if default is _MISSING:
                raise self.fail(at, "is missing")
            return default
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(at, f"must be {_KIND_NAMES[kind]}")
        return value

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def objects(self, obj: dict[str, Any], key: str, where: str, default: Any = _MISSING) -> list[dict[str, Any]]:
        items = self.get(obj, key, list, where, default)
        at = f"{where}.{key}" if where else key
        return [self.obj(v, f"{at}[{n}]") for n, v in enumerate(items)]

    def strings(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        items = self.get(obj, key, list, where, [])
        for n, v in enumerate(items):
            if not isinstance(v, str):
                raise self.fail(f"{where}.{key}[{n}]" if where else f"{key}[{n}]", "must be text")
        return tuple(items)


def _input(r: _Reader, d: dict[str, Any], where: str) -> InputInfo:
    return InputInfo(
        path=r.get(d, "path", str, where),
        sha256=r.get(d, "sha256", str, where),
        format=r.get(d, "format", str, where),
        flows=r.get(d, "flows", int, where),
        complete=r.get(d, "complete", bool, where),
        problem=r.get(d, "problem", str, where, None),
        app=r.get(d, "app", str, where, None),
        device=r.get(d, "device", str, where, None),
        started=r.get(d, "started", str, where, None),
        page_hosts=r.strings(d, "page_hosts", where),
    )


def _recipient(r: _Reader, d: dict[str, Any], where: str) -> Recipient:
    phase_flows = r.get(d, "phase_flows", dict, where, {})
    for phase, count in phase_flows.items():
        if type(count) is not int:
            raise r.fail(f"{where}.phase_flows.{phase}", "must be a whole number")
    return Recipient(
        entity=r.get(d, "entity", str, where),
        entity_id=r.get(d, "entity_id", str, where),
        category=r.get(d, "category", str, where),
        categories=r.strings(d, "categories", where),
        party_inferred=r.get(d, "party_inferred", bool, where, False),
        party=r.get(d, "party", str, where),
        declared=r.get(d, "declared", bool, where),
        hosts=r.strings(d, "hosts", where),
        flows=r.get(d, "flows", int, where),
        data_types=r.strings(d, "data_types", where),
        parent=r.get(d, "parent", str, where, None),
        services=r.strings(d, "services", where),
        phases=r.strings(d, "phases", where),
        phase_flows=tuple(phase_flows.items()),
    )


def _evidence(r: _Reader, d: dict[str, Any], where: str) -> Evidence:
    return Evidence(
        flow=r.get(d, "flow", str, where),
        location=r.get(d, "location", str, where, ""),
        decoding=r.strings(d, "decoding", where),
        data_type=r.get(d, "data_type", str, where, None),
        how=r.get(d, "how", str, where, ""),
        excerpt=r.get(d, "excerpt", str, where, ""),
        request=r.get(d, "request", str, where, ""),
        value=r.get(d, "value", str, where, None),
    )


def _finding(r: _Reader, d: dict[str, Any], where: str) -> Finding:
    severity = r.get(d, "severity", str, where)
    if severity not in SEVERITIES:
        raise r.fail(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    host = r.get(d, "host", str, where, None)
    return Finding(
        id=r.get(d, "id", str, where),
        rule=r.get(d, "rule", str, where),
        severity=severity,
        title=r.get(d, "title", str, where),
        message=r.get(d, "message", str, where),
        entity=r.get(d, "entity", str, where, None),
        host=host,
        hosts=r.strings(d, "hosts", where) if "hosts" in d else ((host,) if host else ()),
        data_types=r.strings(d, "data_types", where),
        phase=r.get(d, "phase", str, where, None),
        evidence=tuple(
            _evidence(r, e, f"{where}.evidence[{n}]") for n, e in enumerate(r.objects(d, "evidence", where, []))
        ),
        declaration_line=r.get(d, "declaration_line", int, where, None),
    )


def _phase_change(r: _Reader, d: dict[str, Any], where: str) -> PhaseChange:
    evidence = r.get(d, "evidence", dict, where, None)
    return PhaseChange(
        phase=r.get(d, "phase", str, where),
        consent=r.get(d, "consent", str, where),
        source=r.get(d, "source", str, where),
        evidence=_evidence(r, evidence, f"{where}.evidence") if evidence is not None else None,
    )


def _signal(r: _Reader, d: dict[str, Any], where: str) -> ConsentSignalSeen:
    return ConsentSignalSeen(
        kind=r.get(d, "kind", str, where),
        meaning=r.get(d, "meaning", str, where),
        summary=r.get(d, "summary", str, where, ""),
        flows=r.get(d, "flows", int, where),
        first=_evidence(r, r.get(d, "first", dict, where), f"{where}.first"),
    )


def _gap(r: _Reader, d: dict[str, Any], where: str) -> DecodeGap:
    return DecodeGap(
        reason=r.get(d, "reason", str, where),
        label=r.get(d, "label", str, where),
        requests=r.get(d, "requests", int, where),
        examples=tuple(
            _evidence(r, e, f"{where}.examples[{n}]") for n, e in enumerate(r.objects(d, "examples", where, []))
        ),
    )


def _suppressed(r: _Reader, d: dict[str, Any], where: str) -> SuppressedFinding:
    why = r.get(d, "suppression", dict, where)
    at = f"{where}.suppression"
    return SuppressedFinding(
        finding=_finding(r, d, where),
        reason=r.get(why, "reason", str, at),
        statement=r.get(why, "statement", str, at),
        source=r.get(why, "source", str, at),
        expires=r.get(why, "expires", str, at, None),
    )


def result_from_dict(data: object, source: str = "result") -> AuditResult:
    """The :class:`AuditResult` a JSON result (parsed) describes."""
    r = _Reader(source)
    top = r.obj(data, "the file")
    tool = top.get("tool")
    if "schema_version" not in top or not isinstance(tool, dict) or tool.get("name") != "flowaudit":
        raise FlowauditError(
            'not a flowaudit result (no schema_version and tool.name "flowaudit")',
            path=source,
            hint="give the JSON written by `flowaudit check --format json`",
        )
    version = top["schema_version"]
    if version != SCHEMA_VERSION:
        raise FlowauditError(
            f"unsupported schema_version {version!r}: this flowaudit reads schema_version {SCHEMA_VERSION}",
            path=source,
            hint="use the flowaudit version that wrote the file, or upgrade flowaudit",
        )
    app = r.get(top, "app", dict, "app", {})
    consent = r.get(top, "consent", dict, "", {})
    decoding = r.get(top, "decoding", dict, "", {})
    summary = r.get(top, "summary", dict, "summary")
    fail_on = r.get(summary, "fail_on", str, "summary", "high")
    if fail_on not in (*SEVERITIES, "never"):
        raise r.fail("summary.fail_on", f"must be a severity or 'never', not {fail_on!r}")
    return AuditResult(
        tool_version=r.get(tool, "version", str, "tool"),
        rules_version=r.get(tool, "rules_version", str, "tool"),
        inputs=tuple(_input(r, d, f"inputs[{n}]") for n, d in enumerate(r.objects(top, "inputs", ""))),
        app_name=r.get(app, "name", str, "app", None),
        declaration=r.get(app, "declaration", str, "app", None),
        declaration_sha256=r.get(app, "declaration_sha256", str, "app", None),
        first_party_inferred=r.strings(app, "first_party_inferred", "app"),
        recipients=tuple(_recipient(r, d, f"recipients[{n}]") for n, d in enumerate(r.objects(top, "recipients", ""))),
        platform=tuple(_recipient(r, d, f"platform[{n}]") for n, d in enumerate(r.objects(top, "platform", "", []))),
        findings=tuple(_finding(r, d, f"findings[{n}]") for n, d in enumerate(r.objects(top, "findings", ""))),
        suppressed=tuple(
            _suppressed(r, d, f"suppressed[{n}]") for n, d in enumerate(r.objects(top, "suppressed", "", []))
        ),
        flows=r.get(summary, "flows", int, "summary"),
        fail_on=fail_on,
        phases=r.strings(top, "phases", ""),
        phase_changes=tuple(
            _phase_change(r, d, f"consent.phases[{n}]")
            for n, d in enumerate(r.objects(consent, "phases", "consent", []))
        ),
        consent_signals=tuple(
            _signal(r, d, f"consent.signals[{n}]") for n, d in enumerate(r.objects(consent, "signals", "consent", []))
        ),
        phase_changes_dropped=r.get(consent, "changes_dropped", int, "consent", 0),
        undecoded=r.get(decoding, "not_fully_decoded", int, "decoding", 0),
        decode_gaps=tuple(
            _gap(r, d, f"decoding.reasons[{n}]") for n, d in enumerate(r.objects(decoding, "reasons", "decoding", []))
        ),
        created=r.get(top, "created", str, "", None),
        redacted=r.get(top, "redacted", bool, "", True),
    )


def load_result(path: str) -> AuditResult:
    """Read and check a JSON result file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FlowauditError("no such file", path=path) from None
    except IsADirectoryError:
        raise FlowauditError("is a folder, not a JSON result", path=path) from None
    except UnicodeDecodeError:
        raise FlowauditError(
            "not a JSON result (not UTF-8 text)",
            path=path,
            hint="give the JSON written by `flowaudit check --format json`; captures go to `flowaudit check`",
        ) from None
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror}", path=path) from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise FlowauditError(
            f"not valid JSON: {e.msg} (column {e.colno})",
            path=path,
            line=e.lineno,
            hint="give the JSON written by `flowaudit check --format json`; captures go to `flowaudit check`",
        ) from None
    return result_from_dict(data, source=path)
