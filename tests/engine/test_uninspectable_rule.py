"""`uninspectable-connection`: a TLS connection the client refused to let the
proxy open is reported (low), per host, with the refusal as evidence; it is
never taken as silence."""

from __future__ import annotations

from flowaudit.engine import Auditor
from flowaudit.model import Observation

from .conftest import obs

REFUSAL = "The client does not trust the proxy's certificate for graph.facebook.com (tlsv1 alert unknown ca)"


def refused(host: str, n: int, phase: str | None = None) -> Observation:
    return Observation(
        ref=f"cap.mitm#{n}",
        source="cap.mitm",
        index=n,
        kind="tls",
        method="",
        scheme="tls",
        host=host,
        port=443,
        path="",
        phase=phase,
        error=REFUSAL,
    )


def test_refused_connections_are_low_findings_per_host(catalog, declare) -> None:
    auditor = Auditor(catalog, declare("app: Acme\nrecipients:\n  - entity: Meta\n    role: third_party\n"))
    for n, host in enumerate(["graph.facebook.com", "graph.facebook.com", "connect.facebook.net"], start=1):
        auditor.add(refused(host, n))
    auditor.add(obs("https://graph.facebook.com/v19.0/activities", n=4))
    result = auditor.result(())
    found = [f for f in result.findings if f.rule == "uninspectable-connection"]
    assert [(f.host, f.severity, f.entity) for f in found] == [
        ("connect.facebook.net", "low", "Meta"),
        ("graph.facebook.com", "low", "Meta"),
    ]
    graph = found[1]
    assert graph.message.startswith("2 TLS connections to graph.facebook.com refused the proxy's certificate")
    # what it was, why, and its phase (the observation carries no SNI or time here)
    how = f"contacted, contents unknown: the client refused the proxy's TLS certificate ({REFUSAL})"
    how += " · phase before-consent"
    assert [(e.flow, e.request, e.how) for e in graph.evidence] == [
        ("cap.mitm#1", "TLS graph.facebook.com:443", how),
        ("cap.mitm#2", "TLS graph.facebook.com:443", how),
    ]
    # The declared recipient was contacted: not "declared but not observed", and it gets the flows.
    assert not [f for f in result.findings if f.rule == "declared-not-observed"]
    [meta] = result.recipients
    assert (meta.entity, meta.flows) == ("Meta", 4)


def test_ids_are_stable_per_host(catalog) -> None:
    ids = []
    for order in (["a.segment.io", "api.segment.io"], ["api.segment.io", "a.segment.io"]):
        auditor = Auditor(catalog, None)
        for n, host in enumerate(order, start=1):
            auditor.add(refused(host, n))
        ids.append(sorted(f.id for f in auditor.result(()).findings if f.rule == "uninspectable-connection"))
    assert ids[0] == ids[1] and len(set(ids[0])) == 2


def test_platform_pinning_is_not_the_apps(catalog) -> None:
    auditor = Auditor(catalog, None)
    auditor.add(refused("update.googleapis.com", 1))
    assert not [f for f in auditor.result(()).findings if f.rule == "uninspectable-connection"]
