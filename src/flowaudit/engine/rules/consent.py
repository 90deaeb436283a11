"""Rules about consent: tracking before it, sharing after it was refused or
withdrawn, identifiers sent in requests that say tracking is off, and
advertising ids in a children's app.

The phases come from :mod:`flowaudit.consent.phases` (capture markers first,
consent signals in the traffic otherwise); these rules read what each
recipient received in each phase (``RecipientTally.consent``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from flowaudit.declaration import DEFAULT_CONSENT_CATEGORIES, Declaration
from flowaudit.engine.rules.data_types import SENSITIVE_RECIPIENT_CATEGORIES
from flowaudit.engine.rules.evidence import make_finding, row_finding, with_article
from flowaudit.engine.tally import IDENTIFYING, RecipientTally
from flowaudit.model import Evidence, Finding

# Recipients whose business is tracking: a request that says tracking is
# off must not hand them identifiers, whatever the declaration's consent list.
TRACKING_CATEGORIES = SENSITIVE_RECIPIENT_CATEGORIES
# Recipients that turn an advertising id into ads or attributions.
AD_ID_CATEGORIES = frozenset({"advertising", "attribution"})
_VERB = {"refused": "refused", "withdrawn": "withdrew"}


def _required(declaration: Declaration | None) -> frozenset[str]:
    return frozenset(declaration.consent_required_for if declaration else DEFAULT_CONSENT_CATEGORIES)


def _third(t: RecipientTally) -> bool:
    return t.destination.party == "third" and not t.destination.is_platform


def _requests(n: int) -> str:
    return f"{n} request{'s' if n != 1 else ''}"


def tracking_before_consent(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    required = _required(declaration)
    consent_seen = any(set(t.consent.flows_by_consent) - {"before"} for t in tallies)
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
            phase=before.phase,
            message=(
                f"{d.entity}, {with_article(d.category)} company whose category needs consent, received "
                f"{_requests(before.flows)} {why}."
            ),
            evidence=tuple(
                replace(e, how=f"request made in phase {before.phase!r}, before consent") for e in before.evidence
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
            busiest = max(received.values(), key=lambda r: r.flows)
            yield make_finding(
                "sharing-after-opt-out",
                entity=d.entity,
                entity_id=d.entity_id,
                host=t.top_host(),
                id_scope=f"{d.category}/{state}",
                data_types=data_types,
                id_data_types=(),  # one finding per recipient and state: a new type keeps its id
                phase=busiest.phase,
                message=(
                    f"{d.entity}, {with_article(d.category)} company, received {', '.join(data_types)} in "
                    f"{_requests(t.consent.refused_flows[state])} after the user {_VERB[state]} consent."
                ),
                evidence=_spread(received[dt].evidence for dt in data_types),
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
        busiest = max(carried.values(), key=lambda r: r.flows)
        yield row_finding(
            "opt-out-signal-ignored",
            t,
            data_types=data_types,
            id_data_types=(),
            phase=busiest.phase,
            message=(
                f"{d.entity} ({d.category}) received {', '.join(data_types)} in "
                f"{_requests(busiest.flows)} that themselves said tracking is off: {saying}."
            ),
            evidence=(*signals, *_spread(carried[dt].evidence for dt in data_types)),
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
            data_types=("identifiers.advertising_id",),
            phase=ids.phase,
            message=(
                f"{d.entity}, {with_article(d.category)} company, received the device advertising id in "
                f"{_requests(ids.flows)}, in an app declared for children ({declaration.path})."
            ),
            evidence=tuple(ids.evidence),
        )


def _spread(groups: Iterable[list[Evidence]], limit: int = 5) -> tuple[Evidence, ...]:
    """Up to ``limit`` pieces of evidence, taking from each group in turn so
    every data type is cited before any is cited twice."""
    lists = [list(g) for g in groups]
    out: list[Evidence] = []
    depth = 0
    while len(out) < limit and any(depth < len(g) for g in lists):
        out.extend(g[depth] for g in lists if depth < len(g))
        depth += 1
    return tuple(out[:limit])
