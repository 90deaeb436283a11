"""The JSON result read back: ``flowaudit report RESULT.json`` renders any
format from a saved audit without the captures; ``diff`` and ``--baseline``
read results too.

The reverse of :mod:`flowaudit.reporters.json_result`. What a result may
hold is stated once, in the published schema ``result.schema.json`` beside
this module (versioned with ``schema_version``); every result read is
checked against it, and only then turned into model objects, so the
conversion below trusts the shape. A file that is not a flowaudit result,
one of another ``schema_version``, or one the schema rejects is a
:class:`FlowauditError` naming the file and the JSON path.
"""

from __future__ import annotations

import json
from typing import Any

from flowaudit import shape
from flowaudit.bounds import MAX_NESTING, MAX_RESULT_BYTES, TooLarge, deeper_than, read_bounded
from flowaudit.errors import FlowauditError
from flowaudit.model import (
    AuditResult,
    ConsentSignalSeen,
    DeclarationFile,
    DecodeGap,
    Evidence,
    Finding,
    InputInfo,
    PhaseChange,
    Recipient,
    RecipientRow,
    SuppressedFinding,
    TcfRecord,
    TcfVendorName,
)
from flowaudit.reporters.json_result import SCHEMA_VERSION
from flowaudit.safetext import parse_json
from flowaudit.shape import Shape
from flowaudit.yamlsource import YamlDoc

RESULT_SCHEMA = Shape("flowaudit.reporters", "result.schema.json", "the result")
_HOW = "give the JSON written by `flowaudit check CAPTURE... --format json -o result.json`"


def read_result(path: str) -> dict[str, Any]:
    """A JSON result file, parsed and checked against the result schema."""
    try:
        text = read_bounded(path, MAX_RESULT_BYTES).decode("utf-8-sig")
    except TooLarge as e:
        raise FlowauditError(f"not a flowaudit result: {e}", path=path, hint=_HOW) from None
    except FileNotFoundError:
        raise FlowauditError("no such file", path=path) from None
    except IsADirectoryError:
        raise FlowauditError("is a folder, not a JSON result", path=path) from None
    except UnicodeDecodeError:
        raise FlowauditError(
            "not a JSON result (not UTF-8 text)", path=path, hint=f"{_HOW}; captures go to `flowaudit check`"
        ) from None
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror}", path=path) from e
    try:
        data = parse_json(text)
    except json.JSONDecodeError as e:
        raise FlowauditError(
            f"not valid JSON: {e.msg} (column {e.colno})",
            path=path,
            line=e.lineno,
            hint=f"{_HOW}; captures go to `flowaudit check`",
        ) from None
    except ValueError as e:  # nested too deeply for the parser, a number of thousands of digits
        raise FlowauditError(f"not a flowaudit result: {e}", path=path, hint=_HOW) from None
    if deeper_than(data):
        raise FlowauditError(
            f"not a flowaudit result: nested more than {MAX_NESTING} levels deep", path=path, hint=_HOW
        )
    return check_result(data, path)


def check_result(data: object, source: str = "result") -> dict[str, Any]:
    """``data`` itself when it is a result this flowaudit reads; else the first problem, at its JSON path."""
    tool = data.get("tool") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or "schema_version" not in data
        or not isinstance(tool, dict)
        or (tool.get("name") != "flowaudit")
    ):
        raise FlowauditError(
            'not a flowaudit result (no schema_version and tool.name "flowaudit")', path=source, hint=_HOW
        )
    _check_version(data["schema_version"], tool.get("version"), source)
    # A JSON result has no line numbers to give (json keeps none): the place is the JSON path.
    problems = shape.problems(YamlDoc(source, data, {}), RESULT_SCHEMA)
    if problems:
        more = len(problems) - 1
        others = f"{more} more problem{'s' if more > 1 else ''} after this one; " if more else ""
        raise FlowauditError(
            f"not a valid flowaudit result: {problems[0].message}",
            path=source,
            hint=f"{others}its schema is flowaudit/reporters/result.schema.json; {_HOW}",
        )
    return data


def _check_version(version: object, writer: object, source: str) -> None:
    """A result of another schema version is named as such, with what to do about it."""
    if type(version) is not int or version == SCHEMA_VERSION:
        return  # not a number: the schema says what is wrong
    by = f" (written by flowaudit {writer})" if isinstance(writer, str) else ""
    if version < SCHEMA_VERSION:
        raise FlowauditError(
            f"this result has schema_version {version}{by}, an older format; this flowaudit reads "
            f"schema_version {SCHEMA_VERSION}",
            path=source,
            hint="write it again with this flowaudit from the captures it came from: "
            "`flowaudit check CAPTURE... --format json -o result.json`",
        )
    raise FlowauditError(
        f"this result has schema_version {version}{by}, newer than this flowaudit reads "
        f"(schema_version {SCHEMA_VERSION})",
        path=source,
        hint="upgrade flowaudit (`pip install -U flowaudit`), or use the flowaudit version that wrote it",
    )


def _input(d: dict[str, Any]) -> InputInfo:
    return InputInfo(
        path=d["path"],
        sha256=d["sha256"],
        format=d["format"],
        flows=d["flows"],
        complete=d["complete"],
        problem=d.get("problem"),
        app=d.get("app"),
        device=d.get("device"),
        started=d.get("started"),
        page_hosts=tuple(d.get("page_hosts", ())),
        warnings=tuple(d.get("warnings", ())),
    )


def _recipient(d: dict[str, Any]) -> Recipient:
    return Recipient(
        entity=d["entity"],
        entity_id=d["entity_id"],
        category=d["category"],
        categories=tuple(d.get("categories", ())),
        party_inferred=d.get("party_inferred", False),
        party=d["party"],
        declared=d["declared"],
        hosts=tuple(d["hosts"]),
        flows=d["flows"],
        data_types=tuple(d["data_types"]),
        parent=d.get("parent"),
        services=tuple(d.get("services", ())),
        phases=tuple(d.get("phases", ())),
        phase_flows=tuple(d.get("phase_flows", {}).items()),
        evidence=tuple(_evidence(e) for e in d.get("evidence", ())),
        rows=tuple(
            RecipientRow(w["category"], tuple(w["services"]), w["flows"], tuple(w.get("phase_flows", {}).items()))
            for w in d.get("rows", ())
        ),
        attempts=d.get("attempts", 0),
    )


def _evidence(d: dict[str, Any]) -> Evidence:
    return Evidence(
        flow=d["flow"],
        location=d.get("location", ""),
        decoding=tuple(d.get("decoding", ())),
        data_type=d.get("data_type"),
        how=d.get("how", ""),
        excerpt=d.get("excerpt", ""),
        request=d.get("request", ""),
        value=d.get("value"),
        detector=d.get("detector", ""),
        source=d.get("source", ""),
        property=d.get("property", ""),
    )


def _finding(d: dict[str, Any]) -> Finding:
    host = d["host"]
    return Finding(
        id=d["id"],
        rule=d["rule"],
        severity=d["severity"],
        title=d["title"],
        message=d["message"],
        entity=d["entity"],
        host=host,
        hosts=tuple(d["hosts"]) if "hosts" in d else ((host,) if host else ()),
        data_types=tuple(d["data_types"]),
        phase=d["phase"],
        phases=tuple(d.get("phases", ())),
        services=tuple(d.get("services", ())),
        evidence=tuple(_evidence(e) for e in d["evidence"]),
        declaration_line=d.get("declaration_line"),
        declaration_file=d.get("declaration_file"),
        declaration_key=d.get("declaration_key"),
    )


def _phase_change(d: dict[str, Any]) -> PhaseChange:
    evidence = d.get("evidence")
    return PhaseChange(
        phase=d["phase"],
        consent=d["consent"],
        source=d["source"],
        evidence=_evidence(evidence) if evidence is not None else None,
    )


def _signal(d: dict[str, Any]) -> ConsentSignalSeen:
    return ConsentSignalSeen(
        kind=d["kind"],
        meaning=d["meaning"],
        summary=d.get("summary", ""),
        flows=d["flows"],
        first=_evidence(d["first"]),
        tcf=_tcf(d["tcf"]) if d.get("tcf") else None,
    )


def _tcf(d: dict[str, Any]) -> TcfRecord:
    return TcfRecord(
        cmp_id=d["cmp_id"],
        cmp_version=d["cmp_version"],
        vendor_list_version=d["vendor_list_version"],
        policy_version=d["policy_version"],
        publisher_country=d["publisher_country"],
        purposes_consented=tuple(d["purposes_consented"]),
        purposes_legitimate_interest=tuple(d["purposes_legitimate_interest"]),
        special_features=tuple(d["special_features"]),
        vendors_consented=tuple(d["vendors_consented"]),
        vendors_legitimate_interest=tuple(d["vendors_legitimate_interest"]),
        vendor_names=tuple(TcfVendorName(v["id"], v["name"]) for v in d.get("vendor_names", ())),
    )


def _gap(d: dict[str, Any]) -> DecodeGap:
    return DecodeGap(
        reason=d["reason"],
        label=d["label"],
        requests=d["requests"],
        examples=tuple(_evidence(e) for e in d.get("examples", ())),
        recipients=tuple(d.get("recipients", ())),
    )


def _suppressed(d: dict[str, Any]) -> SuppressedFinding:
    why = d["suppression"]
    return SuppressedFinding(
        finding=_finding(d),
        reason=why["reason"],
        statement=why["statement"],
        source=why["source"],
        expires=why.get("expires"),
    )


def result_from_dict(data: object, source: str = "result") -> AuditResult:
    """The :class:`AuditResult` a JSON result (parsed) describes, once the schema accepts it."""
    top = check_result(data, source)
    app = top["app"]
    consent = top.get("consent", {})
    decoding = top.get("decoding", {})
    summary = top["summary"]
    return AuditResult(
        tool_version=top["tool"]["version"],
        rules_version=top["tool"]["rules_version"],
        inputs=tuple(_input(d) for d in top["inputs"]),
        app_name=app["name"],
        declaration=app["declaration"],
        declaration_sha256=app.get("declaration_sha256"),
        declaration_files=tuple(
            DeclarationFile(f["path"], f["kind"], f["sha256"]) for f in app.get("declaration_files", ())
        ),
        first_party_inferred=tuple(app.get("first_party_inferred", ())),
        recipients=tuple(_recipient(d) for d in top["recipients"]),
        platform=tuple(_recipient(d) for d in top.get("platform", ())),
        findings=tuple(_finding(d) for d in top["findings"]),
        suppressed=tuple(_suppressed(d) for d in top.get("suppressed", ())),
        flows=summary["flows"],
        attempts=summary.get("attempts", 0),
        fail_on=summary.get("fail_on", "high"),
        phases=tuple(top.get("phases", ())),
        phase_changes=tuple(_phase_change(d) for d in consent.get("phases", ())),
        consent_signals=tuple(_signal(d) for d in consent.get("signals", ())),
        phase_changes_dropped=consent.get("changes_dropped", 0),
        undecoded=decoding.get("not_fully_decoded", 0),
        decode_gaps=tuple(_gap(d) for d in decoding.get("reasons", ())),
        created=top.get("created"),
        redacted=top.get("redacted", True),
    )


def load_result(path: str) -> AuditResult:
    """Read and check a JSON result file."""
    return result_from_dict(read_result(path), source=path)
