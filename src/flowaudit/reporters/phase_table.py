"""The consent phases of a result: who was contacted before consent, after
it was given, after it was refused, and what started each phase.

For the terminal report (:func:`phase_table`, a rich renderable) and the JSON
result (:func:`phases_to_dict`, under the ``"consent"`` key). The HTML
timeline reads the same fields of :class:`~flowaudit.model.AuditResult`:
``phases``, ``phase_changes``, ``consent_signals`` and each recipient's
``phase_flows``.

Wiring (text.py / json_result.py belong to the lead):
``parts.append(phase_table(result))`` after the recipients table when it is
not None, and ``"consent": phases_to_dict(result)`` in ``result_to_dict``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.consent.phases import MAX_CHANGES
from flowaudit.inert import one_line
from flowaudit.model import AuditResult, ConsentSignalSeen, Evidence, PhaseChange, Recipient, RecipientRow, TcfRecord

_CONSENT_STYLE = {"before": "yellow", "granted": "green", "partial": "green", "refused": "red", "withdrawn": "red"}


def _text(value: object, style: str = "") -> Text:
    return Text(one_line(str(value)), style=style)


def _began(change: PhaseChange) -> Text:
    if change.evidence is None:
        return _text("from the start of the capture" if change.source == "start" else "")
    e = change.evidence
    where = f" ({e.location})" if e.location else ""
    return _text(f"{e.flow}: {e.how}{where}")


def phase_table(result: AuditResult) -> RenderableType | None:
    """None when the capture says nothing about consent (no marker, no signal,
    a single phase): the recipients table then says it all."""
    decided = [c for c in result.phase_changes if c.source != "start"]
    if not decided and len(result.phases) < 2 and not result.consent_signals:
        return None
    parts: list[RenderableType] = []
    if result.phase_changes:
        timeline = Table(title="Consent phases", title_justify="left", title_style="bold")
        timeline.add_column("Phase")
        timeline.add_column("Consent")
        timeline.add_column("Began", overflow="fold")
        for change in result.phase_changes:
            timeline.add_row(
                _text(change.phase),
                _text(change.consent, _CONSENT_STYLE.get(change.consent, "")),
                _began(change),
            )
        parts.append(timeline)
        if result.phase_changes_dropped:
            parts.append(_text(dropped_changes_sentence(result.phase_changes_dropped), "yellow"))
    rows = [r for r in result.recipients if r.party != "first" and r.phase_flows]
    if rows and result.phases:
        table = Table(title="Requests per consent phase", title_justify="left", title_style="bold")
        table.add_column("Company")
        table.add_column("Category")
        for phase in result.phases:
            table.add_column(one_line(phase), justify="right")
        for r in rows:
            for w in service_rows(r):
                counts = dict(w.phase_flows)
                table.add_row(
                    _text(f"{r.entity} ({', '.join(w.services)})" if len(r.rows) > 1 else r.entity),
                    _text(w.category if len(r.rows) > 1 else r.category_label),
                    *(_text(counts[p]) if p in counts else Text("") for p in result.phases),
                )
        parts.append(table)
    if result.consent_signals:
        signals = Table(title="Consent signals in the traffic", title_justify="left", title_style="bold")
        signals.add_column("Signal")
        signals.add_column("Meaning")
        signals.add_column("Requests", justify="right")
        signals.add_column("First seen", overflow="fold")
        for s in result.consent_signals:
            signals.add_row(_text(s.kind), _text(s.meaning), _text(s.flows), _text(f"{s.first.flow}: {s.summary}"))
        parts.append(signals)
    return Group(*parts) if parts else None


def service_rows(r: Recipient) -> tuple[RecipientRow, ...]:
    """A company's rows in a per-phase table: one per service row when it has
    several (Google Ads and Google Analytics apart), else the company as one row."""
    if len(r.rows) > 1:
        return r.rows
    return (RecipientRow(r.category, r.services, r.flows, r.phase_flows),)


def tcf_details(t: TcfRecord) -> tuple[tuple[str, str], ...]:
    """A TC string's record as labelled lines: what HTML shows under the signal."""

    def ids(values: tuple[int, ...]) -> str:
        return ", ".join(map(str, values)) or "none"

    names = {v.id: v.name for v in t.vendor_names}

    def vendors(values: tuple[int, ...]) -> str:
        if not values:
            return "none"
        named = ", ".join(f"{v} {names[v]}" for v in values if v in names)
        return f"{len(values)}: {named}{' and others' if len(names) < len(values) else ''}" if named else ids(values)

    return (
        (
            "Consent management platform",
            f"CMP {t.cmp_id}, version {t.cmp_version}, publisher country {t.publisher_country}",
        ),
        ("Versions", f"Global Vendor List {t.vendor_list_version}, TCF policy {t.policy_version}"),
        ("Purposes consented", ids(t.purposes_consented)),
        ("Purposes by legitimate interest", ids(t.purposes_legitimate_interest)),
        ("Special features opted in", ids(t.special_features)),
        ("Vendors consented", vendors(t.vendors_consented)),
        ("Vendors by legitimate interest", vendors(t.vendors_legitimate_interest)),
    )


def dropped_changes_sentence(dropped: int) -> str:
    """What every format says when the timeline was cut at its bound."""
    more = "1 more phase change" if dropped == 1 else f"{dropped} more phase changes"
    return f"{more} not listed: a report lists at most {MAX_CHANGES} (the consent state flipped that often)."


def _evidence(e: Evidence | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"flow": e.flow, "location": e.location, "how": e.how, "excerpt": e.excerpt}


def _signal(s: ConsentSignalSeen) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "meaning": s.meaning,
        "summary": s.summary,
        "flows": s.flows,
        "first": _evidence(s.first),
        "tcf": _tcf(s.tcf),
    }


def _tcf(t: TcfRecord | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "cmp_id": t.cmp_id,
        "cmp_version": t.cmp_version,
        "vendor_list_version": t.vendor_list_version,
        "policy_version": t.policy_version,
        "publisher_country": t.publisher_country,
        "purposes_consented": list(t.purposes_consented),
        "purposes_legitimate_interest": list(t.purposes_legitimate_interest),
        "special_features": list(t.special_features),
        "vendors_consented": list(t.vendors_consented),
        "vendors_legitimate_interest": list(t.vendors_legitimate_interest),
        "vendor_names": [{"id": v.id, "name": v.name} for v in t.vendor_names],
    }


def phases_to_dict(result: AuditResult) -> dict[str, Any]:
    """``{"phases": [...], "signals": [...]}``: each phase with the consent
    state it began and its evidence, and each kind of signal seen."""
    return {
        "phases": [
            {"phase": c.phase, "consent": c.consent, "source": c.source, "evidence": _evidence(c.evidence)}
            for c in result.phase_changes
        ],
        "changes_dropped": result.phase_changes_dropped,
        "signals": [_signal(s) for s in result.consent_signals],
    }
