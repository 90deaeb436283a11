"""Plain-HTTP requests that carry a payload."""

from __future__ import annotations

from collections.abc import Iterator

from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import make_finding, sample_evidence
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding


def cleartext_transmissions(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.is_platform:
            continue
        for host in sorted(t.cleartext):
            count = t.cleartext[host]
            yield make_finding(
                "cleartext-transmission",
                entity=d.entity,
                entity_id=d.entity_id,
                host=host,
                id_scope=host,
                message=(
                    f"{count} request{'s' if count != 1 else ''} to {host} carried a payload "
                    "over plain HTTP (http://), unencrypted on the network."
                ),
                evidence=sample_evidence(t.cleartext_samples[host], "sent with scheme http:// and a payload"),
            )
