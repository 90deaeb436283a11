"""The consent phases of a result as data: who was contacted before consent,
after it was given, after it was refused, and what started each phase.

For the JSON result (:func:`phases_to_dict`, under the ``"consent"`` key) and
the pieces the terminal table (:mod:`.phase_table`) and the HTML timeline
share. Kept apart from the terminal table so that writing JSON does not
import rich.
"""

from __future__ import annotations

from typing import Any

from flowaudit.consent.phases import MAX_CHANGES
from flowaudit.model import AuditResult, ConsentSignalSeen, Evidence, Recipient, RecipientRow, TcfRecord


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
