"""The capture addon, driven hook by hook the way mitmproxy drives it
(mitmproxy's own test helpers), and read back by flowaudit's reader."""

from __future__ import annotations

import asyncio
import datetime
import errno
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import connection, dns, exceptions, http
from mitmproxy import flow as mflow
from mitmproxy import io as mio
from mitmproxy.addons.onboarding import Onboarding
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.proxy import context, server_hooks
from mitmproxy.test import taddons, tflow, tutils
from mitmproxy.tls import TlsData

from flowaudit.capture import addon
from flowaudit.capture.addon import (
    Recorder,
    capture_file_name,
    valid_phase,
)
from flowaudit.captureformat import CAPTURE_KEY, MARKER_KEY, SINKHOLED_KEY
from flowaudit.inputs.flowfile import read_flow_file
from flowaudit.inputs.stream import HashingReader
from flowaudit.model import Observation


def run(scenario: Callable[[taddons.context, Recorder], Awaitable[None]], **options: Any) -> None:
    """Run ``scenario`` with a recorder configured with ``options``, between its running and done hooks."""

    async def main() -> None:
        recorder = Recorder()
        with taddons.context(Proxyserver(), Onboarding(), recorder) as tctx:
            tctx.configure(recorder, flowaudit_control=False, **options)
            await recorder.running()
            try:
                await scenario(tctx, recorder)
            finally:
                await recorder.done()

    asyncio.run(main())


def request(url: str, method: str = "POST", **headers: str) -> http.HTTPFlow:
    f = tflow.tflow(req=http.Request.make(method, url, b'{"userId": "user-4242"}', headers))
    f.server_conn = connection.Server(address=(f.request.host, f.request.port))
    return f


def read(path: Path) -> tuple[list[Observation], str | None]:
    with path.open("rb") as raw:
        reading = read_flow_file(HashingReader(raw), "capture.mitm")
        out: list[Observation] = []
        while True:
            try:
                out.append(next(reading))
            except StopIteration as end:
                return out, end.value


def records(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return list(mio.FlowReader(f).stream())


def test_writes_the_capture_record_first_then_each_flow_with_its_phase(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        await tctx.cycle(recorder, _answered())
        recorder.set_phase("consent-granted", "command")
        await tctx.cycle(recorder, _answered("https://api.mixpanel.com/track"))

    run(scenario, flowaudit_capture=str(capture), flowaudit_app="Acme Health", flowaudit_device="Pixel 7")
    first, *rest = records(capture)
    about = first.metadata[CAPTURE_KEY]
    assert first.request.pretty_url == "http://flowaudit.invalid/capture"
    assert (about["app"], about["device"], about["recorder"]) == ("Acme Health", "Pixel 7", "mitmproxy addon")
    assert about["tool_version"] and about["rules_version"] and about["mitmproxy_version"]
    datetime.datetime.fromisoformat(about["started"])
    assert [r.metadata.get(MARKER_KEY, {}).get("via") for r in rest] == [None, "command", None]

    flows, problem = read(capture)
    assert problem is None
    assert [(o.host, o.phase, o.ref) for o in flows] == [
        ("api.segment.io", None, "capture.mitm#2"),
        ("api.mixpanel.com", "consent-granted", "capture.mitm#4"),
    ]


def test_marker_url_is_answered_locally_and_starts_the_phase(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        marker = request("http://flowaudit.invalid/mark/consent-refused", "GET")
        await tctx.cycle(recorder, marker)
        assert marker.response is not None and marker.response.status_code == 200
        assert marker.response.text == "flowaudit: phase consent-refused\n"
        assert recorder.phase == "consent-refused"
        bad = request("http://flowaudit.invalid/mark/not%20a%20name", "GET")
        await tctx.cycle(recorder, bad)
        assert bad.response is not None and bad.response.status_code == 400
        assert "invalid phase name" in bad.response.text
        assert recorder.phase == "consent-refused"
        await tctx.cycle(recorder, _answered())

    run(scenario, flowaudit_capture=str(capture))
    kept = records(capture)
    assert [r.request.path for r in kept] == ["/capture", "/mark/consent-refused", "/v1/batch"]
    assert kept[1].metadata[MARKER_KEY]["via"] == "url"
    [flow], _ = read(capture)  # flowaudit's own records are not the app's traffic
    assert (flow.host, flow.phase) == ("api.segment.io", "consent-refused")


def test_sinkhole_all_answers_locally_and_never_connects(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        preflight = request("https://api.segment.io/v1/track", "OPTIONS", origin="https://shop.example")
        preflight.request.headers["access-control-request-headers"] = "content-type"
        await tctx.cycle(recorder, preflight)
        assert preflight.response is not None and preflight.response.status_code == 204
        assert preflight.response.headers["access-control-allow-origin"] == "https://shop.example"
        assert preflight.response.headers["access-control-allow-headers"] == "content-type"
        post = request("https://api.segment.io/v1/track", origin="https://shop.example")
        await tctx.cycle(recorder, post)
        assert post.response is not None and (post.response.status_code, post.response.content) == (200, b"{}")
        assert post.response.headers["x-flowaudit"] == "sinkholed"
        data = server_hooks.ServerConnectionHookData(
            connection.Server(address=("api.segment.io", 443)), tflow.tclient_conn()
        )
        recorder.server_connect(data)
        assert data.server.error and "answered locally by flowaudit" in data.server.error

    run(scenario, flowaudit_capture=str(capture), flowaudit_sinkhole="all", connection_strategy="lazy")
    flows, _ = read(capture)
    assert [(o.method, o.status) for o in flows] == [("OPTIONS", 204), ("POST", 200)]
    assert all(r.metadata.get(SINKHOLED_KEY) for r in records(capture)[1:])


def test_without_sinkhole_requests_are_forwarded(tmp_path: Path) -> None:
    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        f = request("https://api.segment.io/v1/track")
        await tctx.cycle(recorder, f)
        assert f.response is None  # left to the proxy to forward
        data = server_hooks.ServerConnectionHookData(
            connection.Server(address=("api.segment.io", 443)), tflow.tclient_conn()
        )
        recorder.server_connect(data)
        assert data.server.error is None

    run(scenario, flowaudit_capture=str(tmp_path / "c.mitm"))


def test_third_party_sinkhole_spares_first_party_cdn_and_unknown_hosts(tmp_path: Path) -> None:
    declared = tmp_path / "flowaudit.yml"
    declared.write_text("app: Acme\nfirst_party: [acmehealth.example]\n")
    answered: dict[str, bool] = {}

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        for host in ("api.segment.io", "graph.facebook.com", "api.acmehealth.example", "cdn.jsdelivr.net", "x.invalid"):
            f = request(f"https://{host}/p")
            await tctx.cycle(recorder, f)
            answered[host] = f.response is not None

    run(
        scenario,
        flowaudit_capture=str(tmp_path / "c.mitm"),
        flowaudit_sinkhole="third-party",
        flowaudit_declared=str(declared),
        connection_strategy="lazy",
    )
    assert answered == {
        "api.segment.io": True,
        "graph.facebook.com": True,
        "api.acmehealth.example": False,
        "cdn.jsdelivr.net": False,
        "x.invalid": False,
    }


def dns_lookup(name: str, record_type: int = 1) -> Any:
    return tflow.tdnsflow(req=tutils.tdnsreq(questions=[dns.Question(name, record_type, dns.classes.IN)]))


def test_sinkholed_names_resolve_to_an_address_that_goes_nowhere(tmp_path: Path) -> None:
    """WireGuard devices ask the proxy's DNS: a sinkholed name must not even be looked up."""
    answers: dict[str, list[str] | None] = {}

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        for name, record_type in (("api.segment.io", 1), ("api.segment.io", 28), ("api.acme.example", 1)):
            f = dns_lookup(name, record_type)
            recorder.dns_request(f)
            key = f"{name}/{record_type}"
            answers[key] = None if f.response is None else [str(a.ipv4_address) for a in f.response.answers]

    run(
        scenario,
        flowaudit_capture=str(tmp_path / "c.mitm"),
        flowaudit_sinkhole="third-party",
        connection_strategy="lazy",
    )
    assert answers == {
        "api.segment.io/1": ["192.0.2.1"],  # TEST-NET-1: the device connects there, through the tunnel
        "api.segment.io/28": [],  # no IPv6 answer: clients use the A record
        "api.acme.example/1": None,  # left to mitmproxy's resolver
    }


def test_the_marker_host_resolves_without_sinkhole(tmp_path: Path) -> None:
    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        f = dns_lookup("flowaudit.invalid")
        recorder.dns_request(f)
        assert f.response is not None and [str(a.ipv4_address) for a in f.response.answers] == ["192.0.2.1"]
        other = dns_lookup("api.segment.io")
        recorder.dns_request(other)
        assert other.response is None
        nowhere = connection.Server(address=("192.0.2.1", 443))
        data = server_hooks.ServerConnectionHookData(nowhere, tflow.tclient_conn())
        recorder.server_connect(data)
        assert data.server.error is not None  # nothing is ever sent to that address

    run(scenario, flowaudit_capture=str(tmp_path / "c.mitm"))


def test_a_failed_connect_and_every_lookup_are_written_as_attempts(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        recorder.set_phase("consent-refused", "test")
        tunnel = request("https://graph.facebook.com/", method="CONNECT")
        tunnel.request.authority, tunnel.request.path = "graph.facebook.com:443", ""
        tunnel.response = http.Response.make(502, b"Cannot connect")
        tunnel.server_conn.error = "[Errno -3] Temporary failure in name resolution"
        recorder.http_connect(tunnel)
        recorder.http_connect_error(tunnel)
        marker = request("https://flowaudit.invalid/", method="CONNECT")  # never the app's
        recorder.http_connect_error(marker)
        lookup = dns_lookup("inapps.appsflyer.com")
        recorder.dns_request(lookup)
        lookup.response = lookup.request.fail(dns.response_codes.SERVFAIL)
        recorder.dns_response(lookup)

    run(scenario, flowaudit_capture=str(capture))
    observations, problem = read(capture)
    assert problem is None
    assert [(o.kind, o.host, o.error, o.phase) for o in observations] == [
        ("connect", "graph.facebook.com", "[Errno -3] Temporary failure in name resolution", "consent-refused"),
        ("dns", "inapps.appsflyer.com", "answered SERVFAIL", "consent-refused"),
    ]


def test_sinkhole_needs_the_lazy_connection_strategy() -> None:
    recorder = Recorder()
    with taddons.context(Proxyserver(), recorder) as tctx:
        with pytest.raises(exceptions.OptionsError, match="connection_strategy=lazy"):
            tctx.configure(recorder, flowaudit_sinkhole="all", connection_strategy="eager")


def test_invalid_phase_option_is_refused() -> None:
    recorder = Recorder()
    with taddons.context(Proxyserver(), recorder) as tctx:
        with pytest.raises(exceptions.OptionsError, match="invalid phase name"):
            tctx.configure(recorder, flowaudit_phase="two words")


def test_phase_option_at_start_is_marked_in_the_capture(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        await tctx.cycle(recorder, _answered())

    run(scenario, flowaudit_capture=str(capture), flowaudit_phase="before-consent")
    assert records(capture)[1].metadata[MARKER_KEY]["name"] == "before-consent"
    [flow], _ = read(capture)
    assert flow.phase == "before-consent"


def test_refused_tls_handshake_is_an_uninspectable_connection(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        recorder.set_phase("consent-refused", "key")
        client = tflow.tclient_conn()
        client.sni = "graph.facebook.com"
        client.error = "The client does not trust the proxy's certificate (tlsv1 alert unknown ca)"
        ctx = context.Context(client, tctx.options)
        ctx.server = connection.Server(address=("graph.facebook.com", 443))
        recorder.tls_failed_client(TlsData(client, ctx))

    run(scenario, flowaudit_capture=str(capture))
    [flow], _ = read(capture)
    assert (flow.kind, flow.scheme, flow.host, flow.port, flow.phase) == (
        "tls",
        "tls",
        "graph.facebook.com",
        443,
        "consent-refused",
    )
    assert flow.error is not None and "tlsv1 alert unknown ca" in flow.error


def test_ca_onboarding_site_is_not_recorded(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        await tctx.cycle(recorder, _answered("http://mitm.it/cert/pem"))
        await tctx.cycle(recorder, _answered())

    run(scenario, flowaudit_capture=str(capture))
    assert [o.host for o in read(capture)[0]] == ["api.segment.io"]


def test_onboarding_turned_off_while_recording_records_the_site_again(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        await tctx.cycle(recorder, _answered("http://mitm.it/cert/pem"))
        tctx.configure(recorder, onboarding=False)  # mitm.it is then just a host like any other
        await tctx.cycle(recorder, _answered("http://mitm.it/cert/pem"))

    run(scenario, flowaudit_capture=str(capture))
    assert [o.host for o in read(capture)[0]] == ["mitm.it"]


@pytest.mark.parametrize(
    "host_header",
    ["API.Segment.IO:443", "xn--bcher-kva.example", "[::1]:8080", "example.com.", "flowaudit.invalid", "", "a:b:c"],
)
def test_the_host_a_request_names_is_mitmproxys_pretty_host_from_the_first_read_and_the_kept_one(
    host_header: str,
) -> None:
    addon._HOSTS.clear()
    f = request("http://10.0.0.7:8080/v1/track")
    f.request.headers.pop("host", None)
    if host_header:
        f.request.headers["host"] = host_header
    expected = f.request.pretty_host.lower().rstrip(".")
    assert addon._host_of(f.request) == expected
    assert addon._host_of(f.request) == expected  # kept
    f.request.headers["host"] = "other.example"
    assert addon._host_of(f.request) == "other.example"


def test_the_hosts_kept_are_bounded_in_number_and_length() -> None:
    addon._HOSTS.clear()
    f = request("http://10.0.0.7/")
    for n in range(addon._KEPT_HOSTS + 10):
        f.request.headers["host"] = f"h{n}.example"
        assert addon._host_of(f.request) == f"h{n}.example"
    assert 0 < len(addon._HOSTS) <= addon._KEPT_HOSTS
    addon._HOSTS.clear()
    long = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 60 + ".example"
    f.request.headers["host"] = long
    assert addon._host_of(f.request) == long
    assert not addon._HOSTS


def test_requests_still_pending_at_shutdown_are_written(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        f = request("https://api.segment.io/v1/batch")
        recorder.requestheaders(f)
        recorder.request(f)  # no response ever came

    run(scenario, flowaudit_capture=str(capture))
    [flow], _ = read(capture)
    assert (flow.host, flow.status) == ("api.segment.io", None)


def test_every_record_is_on_disk_as_soon_as_written(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        for n in range(1, 4):
            await tctx.cycle(recorder, _answered(f"https://api.segment.io/v1/t?n={n}"))
            flows, problem = read(capture)  # the file is still open for writing
            assert (len(flows), problem) == (n, None)

    run(scenario, flowaudit_capture=str(capture))


def _started(recorder: Recorder, *urls: str) -> list[http.HTTPFlow]:
    """Requests on their way through the proxy, answers back from their servers."""
    flows = []
    for url in urls:
        f = _answered(url)
        f.live = True
        recorder.requestheaders(f)
        recorder.request(f)
        flows.append(f)
    return flows


def _n(url: str) -> str:
    return url.rpartition("n=")[2]


def test_each_flow_is_on_disk_before_its_hook_returns_in_the_order_flows_complete(tmp_path: Path) -> None:
    """mitmproxy answers a client only once the response hook has returned."""
    capture = tmp_path / "c.mitm"
    on_disk: list[list[str]] = []

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        flows = _started(recorder, *(f"https://api.segment.io/v1/t?n={n}" for n in (3, 1, 2)))
        for f in flows:
            recorder.response(f)
            on_disk.append([_n(o.path) for o in read(capture)[0]])

    run(scenario, flowaudit_capture=str(capture))
    assert on_disk == [["3"], ["3", "1"], ["3", "1", "2"]]
    observations, problem = read(capture)
    # file#n counted from the capture record, so the first app flow is #2
    assert [(_n(o.path), o.ref) for o in observations] == [
        ("3", "capture.mitm#2"),
        ("1", "capture.mitm#3"),
        ("2", "capture.mitm#4"),
    ]
    assert problem is None


def test_listeners_hear_of_each_written_flow_in_file_order(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"
    heard: list[str] = []

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        recorder.listeners.append(lambda f: heard.append(f.request.path if isinstance(f, http.HTTPFlow) else "?"))
        for f in _started(recorder, *(f"https://api.segment.io/v1/t?n={n}" for n in (2, 1))):
            recorder.response(f)

    run(scenario, flowaudit_capture=str(capture))
    assert heard == ["/v1/t?n=2", "/v1/t?n=1"]


def test_a_flow_that_cannot_be_written_is_never_answered_and_stops_the_proxy(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"
    stopped: list[bool] = []

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        tctx.master.shutdown = lambda: stopped.append(True)  # type: ignore[method-assign]
        assert recorder.capture is not None

        def full(record: bytes) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        recorder.capture.write = full  # type: ignore[method-assign]
        flows = _started(recorder, *(f"https://api.segment.io/v1/t?n={n}" for n in (1, 2)))
        for f in flows:  # the first fails; the second comes after the recording stopped
            recorder.response(f)
        for f in flows:  # killed: the proxy closes the connection instead of answering
            assert f.error is not None and f.error.msg == mflow.Error.KILLED_MESSAGE

    run(scenario, flowaudit_capture=str(capture))
    assert stopped == [True]
    assert read(capture) == ([], None)  # the capture record only


def test_a_flow_mitmproxy_could_not_write_either_is_not_answered(tmp_path: Path) -> None:
    capture = tmp_path / "c.mitm"

    async def scenario(tctx: taddons.context, recorder: Recorder) -> None:
        [bad, good] = _started(recorder, "https://api.segment.io/v1/t?n=1", "https://api.segment.io/v1/t?n=2")
        bad.metadata["other.addon"] = {1, 2}  # a set: no flow file can hold it
        recorder.response(bad)
        recorder.response(good)
        assert bad.error is not None and bad.error.msg == mflow.Error.KILLED_MESSAGE
        assert good.error is None

    run(scenario, flowaudit_capture=str(capture))
    assert [_n(o.path) for o in read(capture)[0]] == ["2"]


def test_unwritable_capture_stops_the_proxy(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    stopped: list[bool] = []

    async def main() -> None:
        recorder = Recorder()
        with taddons.context(Proxyserver(), recorder) as tctx:
            tctx.configure(recorder, flowaudit_control=False, flowaudit_capture=str(tmp_path / "file" / "c.mitm"))
            tctx.master.shutdown = lambda: stopped.append(True)  # type: ignore[method-assign]
            await recorder.running()
            await recorder.done()
            assert recorder.failure is not None and "cannot write the capture" in recorder.failure

    asyncio.run(main())
    assert stopped == [True]


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("Acme Health", "captures/acme-health-20260102-030405.mitm"),
        ("../../etc/passwd", "captures/etc-passwd-20260102-030405.mitm"),
        ("", "captures/app-20260102-030405.mitm"),
    ],
)
def test_capture_file_name_is_safe(app: str, expected: str) -> None:
    started = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert capture_file_name("captures/{app}-{time}.mitm", app, started) == expected


@pytest.mark.parametrize("name", ["consent-granted", "step.2", "a", "checkout:done", "x" * 64])
def test_valid_phase_names(name: str) -> None:
    assert valid_phase(name) == name


@pytest.mark.parametrize("name", ["", "two words", "-dash-first", "x" * 65, "a/b", "é"])
def test_invalid_phase_names(name: str) -> None:
    with pytest.raises(ValueError, match="invalid phase name"):
        valid_phase(name)


def _answered(url: str = "https://api.segment.io/v1/batch") -> http.HTTPFlow:
    f = request(url)
    f.response = tflow.tresp()
    return f
