"""Building findings and their evidence from tallies, shared by every rule."""

from __future__ import annotations

from typing import Any

from flowaudit.carried import Carried, requests_phrase
from flowaudit.engine.ids import finding_id
from flowaudit.engine.ruleset import RULES
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Evidence, Finding


def with_article(word: str) -> str:
    """ "an analytics", "a social": category names in messages."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def in_requests(carried: Carried) -> str:
    """ "4 requests", or "12 requests, 5 shown": the count agrees with what a finding cites."""
    return requests_phrase(carried.flows, carried.cited_flows())


def make_finding(
    rule: str,
    *,
    entity: str | None,
    entity_id: str,
    hosts: tuple[str, ...],
    message: str,
    evidence: tuple[Evidence, ...] = (),
    id_scope: str = "",
    data_types: tuple[str, ...] = (),
    id_data_types: tuple[str, ...] | None = None,
    phase: str | None = None,
    phases: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    declaration_line: int | None = None,
    severity: str | None = None,
) -> Finding:
    """A finding with the rule's severity and title and a stable id.

    ``id_scope`` is what, besides rule and entity, tells this finding apart
    from its siblings: the host for findings about one host, the category
    for findings about a whole recipient row (so a new host of the same
    company keeps the id, while Google's advertising and analytics rows get
    two). ``id_data_types`` defaults to ``data_types``; a finding that only
    mentions the types it saw (an undeclared recipient) passes ``()`` so a new
    type does not make it a new finding. ``severity`` overrides the rule's
    default where the README documents a lesser case.
    """
    meta = RULES[rule]
    return Finding(
        id=finding_id(rule, entity_id, id_scope, data_types if id_data_types is None else id_data_types),
        rule=rule,
        severity=severity or meta.severity,
        title=f"{meta.title}: {entity}" if entity else meta.title,
        message=message,
        entity=entity,
        host=hosts[0] if hosts else None,
        hosts=hosts,
        data_types=data_types,
        phase=phase,
        phases=phases or ((phase,) if phase else ()),
        services=services,
        evidence=evidence,
        declaration_line=declaration_line,
    )


def row_finding(
    rule: str,
    tally: RecipientTally,
    carried: Carried,
    *,
    message: str,
    evidence: tuple[Evidence, ...] | None = None,
    **rest: Any,
) -> Finding:
    """A finding about what one recipient row received: named after its
    entity and the hosts that carried it (``carried``), citing those
    requests (``evidence`` overrides the citations, e.g. to reword them),
    its id scoped by the row's category (see :func:`make_finding`), and
    placed in the phases of those requests and the row's services."""
    d = tally.destination
    if rest.get("phase"):
        rest.setdefault("phases", tuple(carried.phases))
    return make_finding(
        rule,
        entity=d.entity,
        entity_id=d.entity_id,
        hosts=carried.named_hosts(),
        id_scope=d.category,
        services=tuple(sorted(tally.services)),
        message=message,
        evidence=carried.evidence() if evidence is None else evidence,
        **rest,
    )
