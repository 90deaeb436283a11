"""Reading mitmproxy flow files: every format mitmproxy writes, and every way a file can be broken."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from mitmproxy.io import tnetstring

from flowaudit.errors import FlowauditError

from .conftest import REALWORLD, TESTDATA, Read

# (method, host, path) of each capture, as its README describes the traffic.
REALWORLD_TRAFFIC = {
    "sdk/mixpanel": [("POST", "api.mixpanel.com", "/track"), ("POST", "api.mixpanel.com", "/engage")],
    "sdk/segment": [("POST", "api.segment.io", "/v1/batch")] * 2,
    "sdk/sentry": [("POST", "o123456.ingest.us.sentry.io", "/api/4501234567890/envelope/")],
    "sdk/sentry-gzip": [("POST", "o123456.ingest.us.sentry.io", "/api/4501234567890/envelope/")],
    "browser/mixpanel": [
        ("GET", "clients2.google.com", "/time/1/current"),
        ("POST", "update.googleapis.com", "/service/update2/json"),
        ("POST", "update.googleapis.com", "/service/update2/json"),
        ("POST", "api-js.mixpanel.com", "/track/"),
        ("POST", "api-js.mixpanel.com", "/engage/"),
    ],
}


def records(path: Path) -> list[bytes]:
    """The raw tnetstring records of a flow file."""
    data, out = path.read_bytes(), []
    while data:
        head, _, _ = data.partition(b":")
        end = len(head) + 1 + int(head) + 1
        out.append(data[:end])
        data = data[end:]
    return out


def rewritten(record: bytes, change: dict[str, object]) -> bytes:
    """A copy of a real flow record with top-level fields replaced."""
    state = tnetstring.loads(record)
    assert isinstance(state, dict)
    state.update(change)
    return tnetstring.dumps(state)


@pytest.mark.parametrize("capture", sorted(REALWORLD_TRAFFIC))
def test_realworld_flow_files_read_completely(read: Read, capture: str) -> None:
    path = REALWORLD / capture / "flows.mitm"
    observations, (info,) = read(path)
    assert [(o.method, o.host, o.path.split("?")[0]) for o in observations] == REALWORLD_TRAFFIC[capture]
    assert all(o.kind == "http" and o.status == 200 for o in observations)
    assert [o.ref for o in observations] == [f"{path}#{n}" for n in range(1, len(observations) + 1)]
    assert (info.format, info.flows, info.complete, info.problem) == ("mitm", len(observations), True, None)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bodies_are_kept_as_sent_on_the_wire(read: Read) -> None:
    (sentry,), _ = read(REALWORLD / "sdk/sentry/flows.mitm")
    assert ("Content-Encoding", "br") in sentry.request_headers
    assert not sentry.body_decoded and not sentry.body_truncated
    assert b"jane.doe@example.com" not in sentry.body
    assert b'"email":"jane.doe@example.com"' in brotli.decompress(sentry.body)

    (gzipped,), _ = read(REALWORLD / "sdk/sentry-gzip/flows.mitm")
    assert b"type 2 diabetes" in gzip.decompress(gzipped.body)


def test_headers_timestamps_and_ports(read: Read) -> None:
    observations, _ = read(REALWORLD / "sdk/segment/flows.mitm")
    first = observations[0]
    assert (first.scheme, first.port) == ("https", 443)
    assert dict(first.request_headers)["Authorization"].startswith("Basic ")
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in first.request_headers)
    assert first.timestamp == pytest.approx(1795374706.958952)
    assert first.phase is None


# Each file of mitmproxy's own test data: expected (ref index, kind, host, port) of what it yields.
TESTDATA_FLOWS = {
    "dumpfile-011.mitm": [(1, "http", "example.com", 443)],
    "dumpfile-018.mitm": [(1, "http", "www.example.com", 443)],
    "dumpfile-019.mitm": [(1, "http", "webrv.rtb-seller.com", 443)],
    "dumpfile-10.mitm": [(1, "http", "example.com", 443)],
    "dumpfile-19.mitm": [(1, "http", "cloudflare-quic.com", 443)],
    "dumpfile-7.mitm": [(1, "http", "example.com", 80), (2, "http", "example.com", 443)],
    # Records 2, 3 and 5 are pre-7 WebSocket message records that migration
    # turns into copies of the upgrade request (3 into a made-up "unknown" host).
    "dumpfile-7-websocket.mitm": [
        (1, "http", "echo.websocket.org", 80),
        (4, "http", "echo.websocket.org", 443),
        (6, "http", "echo.websocket.org", 443),
    ],
    "flows/corrupted_gzip_body.mitm": [(1, "http", "127.0.0.1", 5000)],
    "flows/diff_data.mitm": [
        (1, "http", "jnn-pa.googleapis.com", 443),
        (2, "http", "www.vskills.in", 443),
        (3, "http", "s0.2mdn.net", 443),
        (4, "http", "clients4.google.com", 443),
        (5, "tcp", "mtalk.google.com", 5228),
        (6, "tcp", "mtalk.google.com", 5228),
        (7, "http", "slack.com", 443),
    ],
    "flows/error_log.mitm": [(1, "http", "163.com", 80), (2, "http", "httpbin.org", 443)],
    "flows/event_stream.mitm": [(n, "http", "clientstream.launchdarkly.com", 443) for n in (1, 2)],
    "flows/incomplete_log.mitm": [
        (1, "http", "example.com", 443),
        (2, "http", "google.com", 443),
        (3, "http", "google.com", 443),
        (4, "http", "google.com", 443),
    ],
    "flows/successful_log.mitm": [(1, "http", "example.com", 443), (2, "http", "httpbin.org", 443)],
    "flows/websocket.mitm": [(n, "http", "demo.piesocket.com", 443) for n in (1, 2, 3)],
}


@pytest.mark.parametrize("name", sorted(TESTDATA_FLOWS))
def test_mitmproxy_testdata_flow_files(read: Read, name: str) -> None:
    observations, (info,) = read(TESTDATA / name)
    assert [(o.index, o.kind, o.host, o.port) for o in observations] == TESTDATA_FLOWS[name]
    assert info.complete and info.flows == len(observations)


def test_mitmproxy_testdata_covers_every_flow_file() -> None:
    on_disk = {str(p.relative_to(TESTDATA)) for p in TESTDATA.glob("**/*.mitm")}
    assert on_disk == set(TESTDATA_FLOWS) | {"dumpfile-010.mitm"}


def test_transparent_mode_flow_uses_the_host_the_client_addressed(read: Read) -> None:
    # event_stream.mitm was recorded in transparent mode: request.host is 3.33.235.18.
    (first, _), _ = read(TESTDATA / "flows/event_stream.mitm")
    assert b"3.33.235.18" in (TESTDATA / "flows/event_stream.mitm").read_bytes()
    assert first.host == "clientstream.launchdarkly.com"


def test_malformed_host_header_falls_back_to_the_connection_target(read: Read, tmp_path: Path) -> None:
    record = records(REALWORLD / "sdk/mixpanel/flows.mitm")[0]
    state = tnetstring.loads(record)
    assert isinstance(state, dict)
    request = state["request"]
    request["host"] = b"203.0.113.9"
    request["headers"] = [
        [b"Host", b"api.mixpanel.com:99:x"] if k.lower() == b"host" else [k, v] for k, v in request["headers"]
    ]
    path = tmp_path / "odd-host.mitm"
    path.write_bytes(tnetstring.dumps(state))
    (o,), _ = read(path)
    assert o.host == "203.0.113.9"
    assert ("Host", "api.mixpanel.com:99:x") in o.request_headers


def test_raw_tcp_flow_carries_what_the_client_sent(read: Read) -> None:
    observations, _ = read(TESTDATA / "flows/diff_data.mitm")
    tcp = observations[4]
    assert (tcp.kind, tcp.method, tcp.scheme, tcp.path, tcp.status) == ("tcp", "", "tcp", "", None)
    assert len(tcp.body) == 188
    assert tcp.request_headers == ()


def test_unanswered_request_has_no_status(read: Read) -> None:
    observations, _ = read(TESTDATA / "flows/incomplete_log.mitm")
    assert [o.status for o in observations] == [None] * 4


def test_flow_format_older_than_mitmproxy_converts(read: Read) -> None:
    path = TESTDATA / "dumpfile-010.mitm"
    with pytest.raises(FlowauditError) as caught:
        read(path)
    error = caught.value
    assert error.path == str(path)
    assert "flow format of mitmproxy 0.10" in error.message
    assert "converts formats from 0.11 on" in error.message
    assert error.hint


def test_flow_format_newer_than_installed_mitmproxy(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "future.mitm"
    path.write_bytes(rewritten(records(REALWORLD / "sdk/segment/flows.mitm")[0], {"version": 999}))
    with pytest.raises(FlowauditError) as caught:
        read(path)
    error = caught.value
    assert error.path == str(path)
    assert re.search(r"flow format version 999; the installed mitmproxy \S+ reads versions up to \d+", error.message)
    assert error.hint == "upgrade mitmproxy: pip install -U mitmproxy"


def test_phase_marker_from_flow_metadata(read: Read, tmp_path: Path) -> None:
    first, second = records(REALWORLD / "sdk/mixpanel/flows.mitm")
    path = tmp_path / "phased.mitm"
    path.write_bytes(first + rewritten(second, {"metadata": {"flowaudit.phase": "after-consent"}}))
    observations, _ = read(path)
    assert [o.phase for o in observations] == [None, "after-consent"]


def cut_inside_second_flow(tmp_path: Path, keep: int) -> tuple[Path, int]:
    source = REALWORLD / "sdk/mixpanel/flows.mitm"
    first_length = len(records(source)[0])
    path = tmp_path / "cut.mitm"
    path.write_bytes(source.read_bytes()[: first_length + keep])
    return path, first_length


@pytest.mark.parametrize("keep", [1, 3, 100, 2000], ids=["in-length", "after-colon", "early", "late"])
def test_truncated_flow_file_yields_flows_before_the_break(read: Read, tmp_path: Path, keep: int) -> None:
    path, _ = cut_inside_second_flow(tmp_path, keep)
    observations, (info,) = read(path)
    assert [o.path for o in observations] == ["/track"]
    assert not info.complete
    assert info.problem is not None and info.problem.startswith("truncated after flow #1: ")
    assert info.flows == 1
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_truncated_inside_the_first_flow_is_incomplete_not_an_error(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "cut.mitm"
    path.write_bytes((REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes()[:500])
    observations, (info,) = read(path)
    assert observations == []
    assert (info.complete, info.flows) == (False, 0)
    assert info.problem is not None and info.problem.startswith("truncated after flow #0: ")


def test_garbage_after_good_flows_is_incomplete(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "tail.mitm"
    path.write_bytes((REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes() + b"<html>oops</html>")
    observations, (info,) = read(path)
    assert len(observations) == 2
    assert not info.complete
    assert info.problem == "unreadable data after flow #2: no record length at byte 4671"


def test_record_that_is_not_a_flow_after_good_ones(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "odd.mitm"
    path.write_bytes((REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes() + tnetstring.dumps({"type": "nonsense"}))
    observations, (info,) = read(path)
    assert len(observations) == 2
    assert info.problem is not None
    assert info.problem.startswith("unreadable data after flow #2: flow #3 cannot be rebuilt")


@pytest.mark.parametrize(
    "content",
    [
        b"12:3:abc;xxxxxx;",  # sniffs like a flow file, but the record is not a dictionary
        tnetstring.dumps({"type": "nonsense", "version": 21}),  # a dictionary, but no flow
        b"14:3:abc;5:hello^}",  # framed right, but "hello" is no float
    ],
    ids=["not-a-dict", "not-a-flow", "corrupt"],
)
def test_unreadable_from_the_first_byte_is_an_error(read: Read, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.mitm"
    path.write_bytes(content)
    with pytest.raises(FlowauditError, match="not a readable mitmproxy flow file") as caught:
        read(path)
    assert caught.value.path == str(path)


def test_gzipped_flow_file_reads_like_the_original(read: Read, tmp_path: Path) -> None:
    source = REALWORLD / "browser/mixpanel/flows.mitm"
    path = tmp_path / "flows.mitm.gz"
    path.write_bytes(gzip.compress(source.read_bytes()))
    plain, _ = read(source)
    packed, (info,) = read(path)
    assert [(o.method, o.host, o.path, o.body) for o in packed] == [(o.method, o.host, o.path, o.body) for o in plain]
    assert info.complete
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_truncated_gzipped_flow_file_is_incomplete(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "flows.mitm.gz"
    packed = gzip.compress((REALWORLD / "browser/mixpanel/flows.mitm").read_bytes())
    path.write_bytes(packed[: len(packed) * 2 // 3])
    observations, (info,) = read(path)
    assert 0 < len(observations) < 5
    assert info.problem is not None and info.problem.startswith(f"truncated after flow #{len(observations)}")


def _flowaudit_capture(path: Path) -> Path:
    """A capture as `flowaudit record --app --device` writes it: the capture
    record, then app traffic, a phase marker, and traffic in that phase."""
    from mitmproxy.io import FlowWriter

    from flowaudit.capture.addon import _local_record, _marker_record
    from flowaudit.captureformat import CAPTURE_KEY

    about = {"app": "Acme Health", "device": "Pixel 7 emulator", "started": "2026-11-22T19:28:00+00:00"}
    first, second = records(REALWORLD / "sdk/mixpanel/flows.mitm")
    with path.open("wb") as out:
        FlowWriter(out).add(_local_record("/capture", "flowaudit capture record\n", {CAPTURE_KEY: about}))
        out.write(first)
        FlowWriter(out).add(_marker_record("consent-granted", "key"))
        out.write(rewritten(second, {"metadata": {"flowaudit.phase": "consent-granted"}}))
    return path


def test_capture_record_and_markers_reach_the_custody_facts(read: Read, tmp_path: Path) -> None:
    observations, (info,) = read(_flowaudit_capture(tmp_path / "recorded.mitm"))
    assert [o.ref.rsplit("#")[1] for o in observations] == ["2", "4"]
    assert (info.app, info.device, info.started) == ("Acme Health", "Pixel 7 emulator", "2026-11-22T19:28:00+00:00")
    assert info.flows == 2
    assert observations[1].phase == "consent-granted"
    assert observations[1].phase_ref == observations[1].ref.replace("#4", "#3")  # the marker's own record
    assert observations[0].phase_ref is None


def test_a_malformed_capture_record_is_ignored(read: Read, tmp_path: Path) -> None:
    from mitmproxy.io import FlowWriter

    from flowaudit.capture.addon import _local_record
    from flowaudit.captureformat import CAPTURE_KEY

    path = tmp_path / "odd.mitm"
    with path.open("wb") as out:
        odd = {"app": ["not", "text"], "device": "d" * 999}
        FlowWriter(out).add(_local_record("/capture", "x", {CAPTURE_KEY: odd}))
        out.write(records(REALWORLD / "sdk/mixpanel/flows.mitm")[0])
    _, (info,) = read(path)
    assert info.app is None and info.device == "d" * 200


@pytest.mark.parametrize("fmt", ["text", "json", "html", "sarif", "junit", "markdown"])
def test_record_app_and_device_reach_every_output(tmp_path: Path, fmt: str) -> None:
    from flowaudit.pipeline import audit_captures
    from flowaudit.reporters import get_reporter

    capture = _flowaudit_capture(tmp_path / "recorded.mitm")
    result = audit_captures([str(capture)], (), fail_on="never")
    assert result.app_name == "Acme Health"
    [marked] = [c for c in result.phase_changes if c.source == "marker"]
    assert marked.evidence is not None and marked.evidence.flow == f"{capture}#3"
    rendered = get_reporter(fmt).render(result)
    assert "Acme Health" in rendered and "Pixel 7 emulator" in rendered
