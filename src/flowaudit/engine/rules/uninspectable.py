"""Connections flowaudit could not read, and hosts the app only tried to reach.

The capture addon records each TLS handshake the client refused (certificate
pinning) as an observation of kind ``tls``, and keeps raw TCP and UDP flows
that are not HTTP (kinds ``tcp``, ``udp``: MQTT, QUIC the proxy could not
open): the app contacted the host, and what it sent is unknown. DNS lookups
and connections that could not be opened (kinds ``dns``, ``connect``) show a
host the app tried to contact. Each is reported, never taken as silence: an
audit that cannot see a connection must say so rather than pass it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowaudit.carried import Carried, requests_phrase
from flowaudit.declaration import Declaration
from flowaudit.engine.destinations import Destination
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
            yield _about_host(
                "uninspectable-connection",
                d,
                host,
                carried,
                f"{requests_phrase(carried.flows, carried.cited_flows(), 'TLS connection')} to {host} "
                "refused the proxy's certificate: the host was contacted, but what was sent is unknown "
                "(certificate pinning, or the device does not trust the proxy's CA).",
            )
        for host in sorted(t.not_http):
            carried = t.not_http[host]
            yield _about_host(
                "uninspectable-connection",
                d,
                host,
                carried,
                f"{requests_phrase(carried.flows, carried.cited_flows(), 'connection')} to {host} "
                "that are not HTTP (a raw TCP or UDP protocol, or QUIC the proxy could not open): "
                "the host was contacted; what was sent is read only as raw bytes.",
                scope=f"raw {host}",
            )


def attempted_contacts(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """Each host the app tried to contact and never reached (no request got there)."""
    for t in tallies:
        d = t.destination
        if d.is_platform:
            continue  # the operating system's or browser's own lookups
        for host in sorted(t.unreached_hosts()):
            tried = t.attempts_to[host]
            yield _about_host(
                "attempted-contact",
                d,
                host,
                tried,
                f"The app tried to contact {host} ({requests_phrase(tried.flows, tried.cited_flows(), 'attempt')}: "
                "lookups, connections that could not be opened) and never reached it: what it would have "
                "sent is unknown.",
            )


def _about_host(rule: str, d: Destination, host: str, carried: Carried, message: str, scope: str = "") -> Finding:
    """A finding about one host; its message ends with what the first cited
    connection was (SNI, time, phase), which formats that list only flow
    references still show."""
    evidence = carried.evidence()
    first = f" First: {evidence[0].how}." if evidence and evidence[0].how else ""
    return make_finding(
        rule,
        entity=d.entity,
        entity_id=d.entity_id,
        hosts=(host,),
        id_scope=scope or host,
        message=message + first,
        evidence=evidence,
        phases=tuple(carried.phases),
    )
