"""Building findings and their evidence from tallies, shared by every rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flowaudit.engine.ids import finding_id
from flowaudit.engine.ruleset import RULES
from flowaudit.engine.tally import RecipientTally, Sample
from flowaudit.model import Evidence, Finding


def with_article(word: str) -> str:
    """ "an analytics", "a social": category names in messages."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def sample_evidence(samples: Iterable[Sample], how: str) -> tuple[Evidence, ...]:
    return tuple(Evidence(flow=s.ref, request=s.request, how=how) for s in samples)


def make_finding(
    rule: str,
    *,
    entity: str | None,
    entity_id: str,
    host: str | None,
    message: str,
    evidence: tuple[Evidence, ...] = (),
    id_scope: str = "",
    data_types: tuple[str, ...] = (),
    id_data_types: tuple[str, ...] | None = None,
    phase: str | None = None,
    declaration_line: int | None = None,
) -> Finding:
    """A finding with the rule's severity and title and a stable id.

    ``id_scope`` is what, besides rule and entity, tells this finding apart
    from its siblings: the host for findings about one host, the category
    for findings about a whole recipient row (so a new host of the same
    company keeps the id, while Google's advertising and analytics rows get
    two). ``id_data_types`` defaults to ``data_types``; a finding that only
    mentions the types it saw (an undeclared recipient) passes ``()`` so a new
    type does not make it a new finding.
    """
    meta = RULES[rule]
    return Finding(
        id=finding_id(rule, entity_id, id_scope, data_types if id_data_types is None else id_data_types),
        rule=rule,
        severity=meta.severity,
        title=f"{meta.title}: {entity}" if entity else meta.title,
        message=message,
        entity=entity,
        host=host,
        data_types=data_types,
        phase=phase,
        evidence=evidence,
        declaration_line=declaration_line,
    )


def row_finding(rule: str, tally: RecipientTally, *, message: str, **rest: Any) -> Finding:
    """A finding about a whole recipient row: named after its entity and busiest
    host, its id scoped by the row's category (see :func:`make_finding`)."""
    d = tally.destination
    return make_finding(
        rule,
        entity=d.entity,
        entity_id=d.entity_id,
        host=tally.top_host(),
        id_scope=d.category,
        message=message,
        **rest,
    )
