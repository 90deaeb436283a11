"""Rules about what was received: undeclared types, sensitive data, shared ids."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import make_finding, row_finding, with_article
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Evidence, Finding

# The categories whose business is to use what they receive (CONTRACT: the WSJ case).
SENSITIVE_RECIPIENT_CATEGORIES = frozenset({"advertising", "analytics", "attribution", "social"})


def is_sensitive(data_type: str) -> bool:
    return data_type.startswith("health.") or data_type == "sensitive.traits"


def undeclared_data_types(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.party != "third" or d.declared is None:
            continue
        for data_type in sorted(set(t.data_types) - set(d.declared.data)):
            received = t.data_types[data_type]
            yield row_finding(
                "undeclared-data-type",
                t,
                data_types=(data_type,),
                message=(
                    f"{d.entity} received {data_type} in {received.flows} "
                    f"request{'s' if received.flows != 1 else ''}, but {d.declared.name} is declared "
                    f"({declaration.path if declaration else 'declaration'}:{d.declared.line}) "
                    f"for {', '.join(d.declared.data_as_written or d.declared.data) or 'no data types'}."
                ),
                evidence=tuple(received.evidence),
                declaration_line=d.declared.line,
            )


def sensitive_data(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.party == "first" or d.category not in SENSITIVE_RECIPIENT_CATEGORIES:
            continue
        for data_type in sorted(filter(is_sensitive, t.data_types)):
            received = t.data_types[data_type]
            declared = "declared" if d.declared is not None else "not declared"
            yield row_finding(
                "sensitive-data-to-third-party",
                t,
                data_types=(data_type,),
                message=(
                    f"{data_type} reached {d.entity}, {with_article(d.category)} company ({declared}), in "
                    f"{received.flows} request{'s' if received.flows != 1 else ''}."
                ),
                evidence=tuple(received.evidence),
                declaration_line=d.declared.line if d.declared is not None else None,
            )


def shared_identifiers(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """One finding per identifier value that reached two or more companies."""
    seen: dict[str, dict[str, tuple[str, str, Evidence]]] = {}
    for t in tallies:
        d = t.destination
        if d.party == "first" or d.is_platform:
            continue
        for value, (data_type, evidence) in t.identifiers.items():
            seen.setdefault(value, {}).setdefault(d.entity_id, (d.entity, data_type, evidence))
    for value in sorted(seen):
        companies = seen[value]
        if len(companies) < 2:
            continue
        names = sorted(entity for entity, _, _ in companies.values())
        data_types = tuple(sorted({data_type for _, data_type, _ in companies.values()}))
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
        # The id follows the value alone: a PR that removes one of three
        # companies changes who received it, not which finding this is.
        yield make_finding(
            "identifier-shared-across-companies",
            entity=", ".join(names),
            entity_id="",
            host=None,
            id_scope=digest,
            data_types=data_types,
            message=(
                f"The same {' / '.join(data_types)} value reached {len(names)} companies: "
                f"{', '.join(names)}. They can use it to join what they know about the user."
            ),
            evidence=tuple(companies[k][2] for k in sorted(companies)),
        )
