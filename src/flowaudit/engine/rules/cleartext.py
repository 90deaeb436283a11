"""Personal data sent over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import in_requests, make_finding
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding


def cleartext_transmissions(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.is_platform:
            continue
        for host in sorted(t.cleartext):
            carried = t.cleartext[host]
            evidence = carried.evidence()
            data_types = tuple(sorted({e.data_type for e in evidence if e.data_type}))
            yield make_finding(
                "cleartext-transmission",
                entity=d.entity,
                entity_id=d.entity_id,
                hosts=(host,),
                id_scope=host,
                data_types=data_types,
                message=(
                    f"{in_requests(carried)} to {host} carried personal data "
                    f"({', '.join(data_types)}) over plain HTTP (http://), readable by anyone on the network path."
                ),
                evidence=evidence,
            )
