"""Rules about what was received: undeclared types, sensitive data, shared ids."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import in_requests, make_finding, row_finding, with_article
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding
from flowaudit.redact import masked_value

# The categories whose business is to use what they receive (docs/contract.md: the WSJ case).
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
                received,
                data_types=(data_type,),
                message=(
                    f"{d.entity} received {data_type} in {in_requests(received)}, but {d.declared.name} is declared "
                    f"({declaration.path if declaration else 'declaration'}:{d.declared.line}) "
                    f"for {', '.join(d.declared.data_as_written or d.declared.data) or 'no data types'}."
                ),
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
                received,
                data_types=(data_type,),
                message=(
                    f"{data_type} reached {d.entity}, {with_article(d.category)} company ({declared}), in "
                    f"{in_requests(received)}."
                ),
                declaration_line=d.declared.line if d.declared is not None else None,
            )


# Companies a shared-identifier finding names in its entity and message; its evidence (one request
# per company) and hosts list them all.
_NAMED = 20


def _some(items: Iterable[str]) -> str:
    """ "A, B, C", or the first :data:`_NAMED` and "and N more": a value sent to a hundred thousand
    domains must not make a title of megabytes."""
    listed = list(items)
    more = len(listed) - _NAMED
    return ", ".join(listed[:_NAMED]) + (f", and {more} more" if more > 0 else "")


def shared_identifiers(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """One finding per identifier value that reached two or more companies.

    The proof a reader can check: each cited request (one per company)
    carries the value, shown masked with its SHA-256 fingerprint, the same
    in every request (in full under ``--no-redact``, see :mod:`flowaudit.redact`).
    """
    # value -> the first recipient that kept it; for a value kept at two companies or more,
    # company id -> the first recipient of that company that kept it. A kept request is read
    # back only for such a value: most never reach a second company.
    first: dict[str, RecipientTally] = {}
    shared: dict[str, dict[str, RecipientTally]] = {}
    for t in tallies:
        d = t.destination
        if d.party == "first" or d.is_platform:
            continue
        for value in t.identifiers:
            holder = first.setdefault(value, t)
            holders = shared.get(value)
            if holders is not None:
                holders.setdefault(d.entity_id, t)
            elif holder.destination.entity_id != d.entity_id:
                shared[value] = {holder.destination.entity_id: holder, d.entity_id: t}
    for value in sorted(shared):
        companies = {k: (t.destination.entity, t.identifiers[value]) for k, t in shared[value].items()}
        order = sorted(companies, key=lambda k: (companies[k][0], k))
        names = [companies[k][0] for k in order]
        data_types = tuple(sorted({found.data_type for _, found in companies.values()}))
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
        shown = masked_value(value)
        who = _some(f"{name} ({companies[k][1].host})" for name, k in zip(names, order, strict=True))
        # The id follows the value alone: a PR that removes one of three
        # companies changes who received it, not which finding this is.
        yield make_finding(
            "identifier-shared-across-companies",
            entity=_some(sorted(names)),
            entity_id="",
            hosts=tuple(dict.fromkeys(companies[k][1].host for k in order)),
            id_scope=digest,
            data_types=data_types,
            message=(
                f"The same {' / '.join(data_types)} value, {shown}, reached {len(names)} companies: {who}. "
                "They can use it to join what they know about the user."
            ),
            evidence=tuple(companies[k][1].cited(shown, value) for k in order),
        )
