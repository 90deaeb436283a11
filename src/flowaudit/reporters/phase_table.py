"""The consent phases of a result: who was contacted before consent, after
it was given, after it was refused, and what started each phase.

For the terminal report (:func:`phase_table`, a rich renderable); the JSON
result and the HTML timeline take theirs from :mod:`.phases`. The HTML
timeline reads the same fields of :class:`~flowaudit.model.AuditResult`:
``phases``, ``phase_changes``, ``consent_signals`` and each recipient's
``phase_flows``.

Wiring (text.py / json_result.py belong to the lead):
``parts.append(phase_table(result))`` after the recipients table when it is
not None, and ``"consent": phases_to_dict(result)`` in ``result_to_dict``.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.inert import one_line
from flowaudit.model import AuditResult, PhaseChange
from flowaudit.reporters.phases import dropped_changes_sentence, service_rows

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
