"""Attempts in a flow file: DNS lookups and CONNECTs the proxy could not carry
out become observations the app only tried (kinds ``dns`` and ``connect``),
with why they failed; raw connections keep their TLS server name."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy import dns, flow, http
from mitmproxy import io as mio
from mitmproxy.net.http import status_codes
from mitmproxy.test import tflow, tutils

from flowaudit.captureformat import PHASE_KEY
from flowaudit.inputs import mitm

from .conftest import Read
from .test_inputs_flowfile import assert_same_both_ways, no_mitmproxy

PROXY_AUTH = "Proxy Authentication Required"


def write(path: Path, *flows: flow.Flow) -> Path:
    """The flow file, checked to read the same on the fast path and through mitmproxy."""
    with path.open("wb") as f:
        writer = mio.FlowWriter(f)
        for one in flows:
            writer.add(one)
    assert_same_both_ways(path)
    return path


def lookup(name: str, qtype: int = dns.types.A, *, answer: int | None = None, phase: str | None = None) -> dns.DNSFlow:
    request = tutils.tdnsreq(questions=[dns.Question(name, qtype, dns.classes.IN)], timestamp=1_796_287_337.5)
    f = tflow.tdnsflow(req=request)
    if answer is not None:
        f.response = request.fail(answer)
    if phase:
        f.metadata[PHASE_KEY] = phase
    return f


def connect(host: str, *, status: int, server_error: str | None = None) -> http.HTTPFlow:
    f = tflow.tflow(req=tutils.treq(method=b"CONNECT", host=host, port=443, path=b"", scheme=b"", authority=b""))
    f.response = tutils.tresp(status_code=status, reason=status_codes.RESPONSES[status].encode())
    f.server_conn.error = server_error
    return f


def test_lookups_are_attempts_with_their_type_phase_and_failure(
    read: Read, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = write(
        tmp_path / "dns.mitm",
        lookup("graph.facebook.com.", answer=dns.response_codes.SERVFAIL, phase="consent-refused"),
        lookup("inapps.appsflyer.com", dns.types.AAAA),  # never answered
        lookup("9.113.0.203.in-addr.arpa", dns.types.PTR),  # a reverse lookup names no recipient
        lookup("flowaudit.invalid"),  # the marker host: not the app's
    )
    monkeypatch.setattr(mitm, "decode_with_mitmproxy", no_mitmproxy)  # read fast, as captures of today are
    observations, (info,) = read(capture)
    assert [(o.kind, o.method, o.host, o.error, o.phase, o.index) for o in observations] == [
        ("dns", "A", "graph.facebook.com", "answered SERVFAIL", "consent-refused", 1),
        ("dns", "AAAA", "inapps.appsflyer.com", "no answer", None, 2),
    ]
    assert all(o.attempted and o.timestamp == 1_796_287_337.5 for o in observations)
    assert info.flows == 2


def test_a_failed_connect_is_an_attempt_a_successful_one_is_skipped(
    read: Read, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = write(
        tmp_path / "connect.mitm",
        connect("graph.facebook.com", status=502, server_error="[Errno -3] Temporary failure in name resolution"),
        connect("api.segment.io", status=200),  # what went through it is its own flows
        connect("inapps.appsflyer.com", status=407),
    )
    monkeypatch.setattr(mitm, "decode_with_mitmproxy", no_mitmproxy)
    observations, _ = read(capture)
    assert [(o.kind, o.method, o.host, o.port, o.status, o.error) for o in observations] == [
        ("connect", "CONNECT", "graph.facebook.com", 443, 502, "[Errno -3] Temporary failure in name resolution"),
        ("connect", "CONNECT", "inapps.appsflyer.com", 443, 407, f"the proxy answered 407 {PROXY_AUTH}"),
    ]
    assert all(o.attempted for o in observations)


def test_raw_connections_keep_the_server_name_and_are_no_attempt(read: Read, tmp_path: Path) -> None:
    f = tflow.ttcpflow()
    f.server_conn.sni = "Broker.Example.COM"
    (o,), _ = read(write(tmp_path / "tcp.mitm", f))
    assert (o.kind, o.sni, o.attempted) == ("tcp", "broker.example.com", False)
