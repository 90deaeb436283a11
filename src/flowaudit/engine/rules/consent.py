"""Rules about consent: tracking before it, sharing after it was refused or
withdrawn, identifiers sent in requests that say tracking is off, and
advertising ids in a children's app.

The phases come from :mod:`flowaudit.consent.phases` (capture markers first,
consent signals in the traffic otherwise); these rules read what each
recipient received in each phase (``RecipientTally.consent``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from flowaudit.carried import combined, requests_phrase
from flowaudit.consent.tally import VENDOR_REFUSED
from flowaudit.declaration import DEFAULT_CONSENT_CATEGORIES, Declaration
from flowaudit.engine.rules.data_types import SENSITIVE_RECIPIENT_CATEGORIES
from flowaudit.engine.rules.evidence import in_requests, make_finding, row_finding, with_article
from flowaudit.engine.tally import IDENTIFYING, RecipientTally
from flowaudit.model import Evidence, Finding

# Recipients whose business is tracking: a request that says tracking is
# off must not hand them identifiers, whatever the declaration's consent list.
TRACKING_CATEGORIES = SENSITIVE_RECIPIENT_CATEGORIES
# Recipients that turn an advertising id into ads or attributions.
AD_ID_CATEGORIES = frozenset({"advertising", "attribution"})
_AFTER = {"refused": "after the user refused consent", "withdrawn": "after the user withdrew consent"}


def _required(declaration: Declaration | None) -> frozenset[str]:
    return frozenset(declaration.consent_required_for if declaration else DEFAULT_CONSENT_CATEGORIES)


def _third(t: RecipientTally) -> bool:
    return t.destination.party == "third" and not t.destination.is_platform


def tracking_before_consent(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    required = _required(declaration)
    consent_seen = any(set(t.consent.states) - {"before"} for t in tallies)
    why = (
        "before the user gave consent"
        if consent_seen
        else "and the user never gave consent in this capture (no consent marker, no consent signal)"
    )
    for t in tallies:
        d = t.destination
        before = t.consent.before
        if not _third(t) or d.category not in required or not before.flows:
            continue
        yield row_finding(
            "tracking-before-consent",
            t,
            before,
            phase=before.phase,
            message=(
                f"{d.entity}, {with_article(d.category)} company whose category needs consent, received "
                f"{in_requests(before)} {why}."
            ),
            evidence=tuple(
                replace(e, how=f"request made in phase {before.phase!r}, before consent") for e in before.evidence()
            ),
        )


def sharing_after_opt_out(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    required = _required(declaration)
    for t in tallies:
        d = t.destination
        if not _third(t) or d.category not in required:
            continue
        for state in sorted(t.consent.after_refusal):
            received = t.consent.after_refusal[state]
            data_types = tuple(sorted(received))
            carried = t.consent.refused[state]  # every request that carried any of them
            after = _AFTER.get(state) or _vendor_refusal(t)
            yield make_finding(
                "sharing-after-opt-out",
                entity=d.entity,
                entity_id=d.entity_id,
                hosts=carried.named_hosts(),
                id_scope=f"{d.category}/{state}",
                data_types=data_types,
                id_data_types=(),  # one finding per recipient and state: a new type keeps its id
                phase=carried.phase,
                phases=tuple(carried.phases),
                services=tuple(sorted(t.services)),
                message=(
                    f"{d.entity}, {with_article(d.category)} company, received {', '.join(data_types)} in "
                    f"{in_requests(carried)} {after}."
                ),
                evidence=(*_withheld_by(t, state), *carried.evidence()),
            )


def _withheld_by(t: RecipientTally, state: str) -> tuple[Evidence, ...]:
    """The TC string that withheld this company's vendor consent, cited first."""
    where = t.consent.withheld_by
    if state != VENDOR_REFUSED or where is None:
        return ()
    return (
        replace(where, how=f"{where.how}; it gives TCF vendor {', '.join(map(str, t.consent.withheld))} no consent"),
    )


def _vendor_refusal(t: RecipientTally) -> str:
    """Why requests made with consent given count as made after a refusal for this company."""
    ids = ", ".join(map(str, t.consent.withheld))
    where = t.consent.withheld_by
    cited = f" ({where.flow})" if where else ""
    return (
        f"while the TC string in force{cited} withheld consent from it: the user consented to purposes "
        f"but gave its TCF vendor id ({ids}) neither consent nor legitimate interest"
    )


def opt_out_signal_ignored(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.party == "first" or d.is_platform or d.category not in TRACKING_CATEGORIES:
            continue
        carried = {dt: r for dt, r in t.consent.despite_opt_out.items() if dt in IDENTIFYING}
        if not carried:
            continue
        data_types = tuple(sorted(carried))
        said = {k: e for dt in data_types for k, e in t.consent.opt_out_signals[dt].items()}
        signals = tuple(said[k] for k in sorted(said))
        saying = "; ".join(e.how for e in signals)
        hosts, cited, _ = combined([carried[dt] for dt in data_types])
        refs = {e.flow for e in cited}
        received = ", ".join(
            f"{dt} ({requests_phrase(carried[dt].flows, len(refs & carried[dt].refs()))})" for dt in data_types
        )
        yield make_finding(
            "opt-out-signal-ignored",
            entity=d.entity,
            entity_id=d.entity_id,
            hosts=hosts,
            id_scope=d.category,
            data_types=data_types,
            id_data_types=(),
            phase=min((carried[dt] for dt in data_types), key=lambda c: -c.flows).phase,
            phases=tuple(dict.fromkeys(p for dt in data_types for p in carried[dt].phases)),
            services=tuple(sorted(t.services)),
            message=(
                f"{d.entity} ({d.category}) received {received} in requests that themselves said "
                f"tracking is off: {saying}."
            ),
            evidence=(*signals, *cited),
        )


def advertising_id_in_childrens_app(
    tallies: list[RecipientTally], declaration: Declaration | None
) -> Iterator[Finding]:
    if declaration is None or declaration.audience != "children":
        return
    for t in tallies:
        d = t.destination
        ids = t.consent.advertising_ids
        if not _third(t) or d.category not in AD_ID_CATEGORIES or not ids.flows:
            continue
        yield row_finding(
            "advertising-id-in-childrens-app",
            t,
            ids,
            data_types=("identifiers.advertising_id",),
            phase=ids.phase,
            message=(
                f"{d.entity}, {with_article(d.category)} company, received the device advertising id in "
                f"{in_requests(ids)}, in an app declared for children ({declaration.path})."
            ),
        )
