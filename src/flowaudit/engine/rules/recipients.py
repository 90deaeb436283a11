"""Rules about who was contacted: undeclared, unknown, declared but unseen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from flowaudit.carried import requests_phrase
from flowaudit.declaration import Declaration, DeclaredRecipient
from flowaudit.engine.rules.evidence import in_requests, make_finding, row_finding
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Evidence, Finding

# An undeclared recipient only tried, never reached: documented in the README's Findings.
ATTEMPTED_SEVERITY = "medium"


def _recipients_line(declaration: Declaration | None) -> int | None:
    """Where a new recipient would be declared."""
    return declaration.line_of("recipients") if declaration is not None else None


def _hosts_phrase(tally: RecipientTally, cited: tuple[Evidence, ...] | None = None) -> str:
    """ "8 requests, 5 shown to a, b and c": ``cited`` (when given) is what the finding cites."""
    hosts = tally.requests.named_hosts()
    shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    if cited is None:
        return f"{in_requests(tally.requests)} to {shown}"
    return f"{requests_phrase(tally.requests.flows, len({e.flow for e in cited}))} to {shown}"


def _cited(tally: RecipientTally, how: str) -> tuple[Evidence, ...]:
    return tuple(replace(e, how=how) for e in tally.requests.evidence())


def undeclared_recipients(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.party != "third" or d.declared is not None or d.is_platform:
            continue
        if declaration is None:
            why = "no declaration was given, so every third party counts as undeclared"
        elif not declaration.names_recipients:
            why = "store declarations name no recipients and no flowaudit.yml was given, so it counts as undeclared"
        else:
            why = f"it is not among the recipients declared in {declaration.path}"
        service = f"{d.service}, " if d.service and d.service != d.entity else ""
        who = f"{d.entity} ({service}{d.category})"
        how = f"host matched {d.matched_domain!r}, {d.service or d.entity}" + (f" [{d.source}]" if d.source else "")
        if not t.reached:
            yield _undeclared_attempted(t, who, how, why, declaration)
            continue
        received = tuple(sorted(t.data_types))
        data = f", carrying {', '.join(received)}" if received else ""
        requests = _cited(t, how)
        evidence = (*requests, *_one_of_each(t, received, {e.flow for e in requests}))
        yield row_finding(
            "undeclared-recipient",
            t,
            t.requests,
            data_types=received,
            id_data_types=(),
            declaration_line=_recipients_line(declaration),
            message=f"{who} received {_hosts_phrase(t, evidence)}{data}; {why}.",
            evidence=evidence,
        )


def _one_of_each(t: RecipientTally, data_types: tuple[str, ...], cited: set[str]) -> tuple[Evidence, ...]:
    """Where each data type the message names was found, so that "carrying X" is backed by a
    location and an excerpt a reader can check, not only by requests: from a request cited
    already when one carried it, else the first that did (then counted among those shown)."""
    found: list[Evidence] = []
    for data_type in data_types:
        places = [e for e in t.data_types[data_type].evidence() if e.data_type == data_type]
        chosen = next((e for e in places if e.flow in cited), places[0] if places else None)
        if chosen is not None:
            found.append(chosen)
    return tuple(found)


def _undeclared_attempted(t: RecipientTally, who: str, how: str, why: str, declaration: Declaration | None) -> Finding:
    """An undeclared third party the app tried to contact (looked up, or a
    connection that failed) but never reached: the app meant to send to it,
    what it would have sent is unknown, so the finding is a lesser one."""
    tried = t.attempts
    hosts = tried.named_hosts()
    shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    return row_finding(
        "undeclared-recipient",
        t,
        tried,
        severity=ATTEMPTED_SEVERITY,
        phases=tuple(tried.phases),
        id_data_types=(),
        declaration_line=_recipients_line(declaration),
        message=(
            f"{who} was tried but never reached: {requests_phrase(tried.flows, tried.cited_flows(), 'attempt')} "
            f"(lookups, failed connections) to {shown}, so what the app would have sent is unknown; {why}."
        ),
        evidence=tuple(replace(e, how=f"{e.how}; {how}") for e in tried.evidence()),
    )


def unknown_third_parties(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.party != "unknown" or not t.reached:
            continue  # a host only tried: see attempted-contact
        yield make_finding(
            "unknown-third-party",
            entity=d.entity,
            entity_id=d.entity_id,
            hosts=t.requests.named_hosts(),
            message=(
                f"{_hosts_phrase(t)}: not a first-party domain and not in the catalog, "
                "so who receives this data is unknown."
            ),
            evidence=_cited(t, "no catalog entry and not first party"),
            declaration_line=_recipients_line(declaration),
        )


def declared_not_observed(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    if declaration is None:
        return
    contacted: set[int] = set()
    received: dict[int, set[str]] = {}
    for t in tallies:
        if t.destination.declared is not None and t.reached:
            contacted.add(id(t.destination.declared))
            if t.analyzed:
                received.setdefault(id(t.destination.declared), set()).update(t.data_types)
    for recipient in declaration.recipients:
        if id(recipient) in contacted:
            if id(recipient) in received:
                yield from _declared_types_not_seen(recipient, received[id(recipient)], declaration)
            continue
        yield make_finding(
            "declared-not-observed",
            entity=recipient.name,
            entity_id=recipient.entity_id or f"declared:{recipient.name.lower()}",
            hosts=(),
            message=(
                f"{recipient.name} is declared ({declaration.path}:{recipient.line}) "
                "but received no request in this capture."
            ),
            declaration_line=recipient.line,
        )


def _declared_types_not_seen(
    recipient: DeclaredRecipient, received: set[str], declaration: Declaration
) -> Iterator[Finding]:
    """Each declared data type (or group) of which no member was seen."""
    for written in recipient.data_as_written:
        if any(dt == written or dt.startswith(written + ".") for dt in received):
            continue
        yield make_finding(
            "declared-not-observed",
            entity=recipient.name,
            entity_id=recipient.entity_id or f"declared:{recipient.name.lower()}",
            hosts=(),
            data_types=(written,),
            message=(
                f"{recipient.name} is declared ({declaration.path}:{recipient.line}) to receive {written}, "
                "which was not seen in this capture."
            ),
            declaration_line=recipient.line,
        )
