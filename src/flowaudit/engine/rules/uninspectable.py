"""TLS connections the client would not let the proxy open (certificate pinning).

The capture addon records each refused handshake as an observation of kind
``tls``: the app contacted the host, and what it sent is unknown. That is
reported, never taken as silence: an audit that cannot see a connection
must say so rather than pass it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowaudit.carried import requests_phrase
from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import make_finding
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding


def uninspectable_connections(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    for t in tallies:
        d = t.destination
        if d.is_platform:
            continue  # the operating system's or browser's own pinning, not the app's
        for host in sorted(t.uninspectable):
            carried = t.uninspectable[host]
            yield make_finding(
                "uninspectable-connection",
                entity=d.entity,
                entity_id=d.entity_id,
                hosts=(host,),
                id_scope=host,
                message=(
                    f"{requests_phrase(carried.flows, carried.cited_flows(), 'TLS connection')} to {host} "
                    "refused the proxy's "
                    "certificate: the host was contacted, but what was sent is unknown "
                    "(certificate pinning, or the device does not trust the proxy's CA)."
                ),
                evidence=carried.evidence(),
            )
