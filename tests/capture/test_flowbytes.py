"""The record encoder writes exactly what mitmproxy's FlowWriter writes, for
every flow file in the suite and the shared real-world captures, and keeps
doing so when a connection's state changes between two of its flows."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import http
from mitmproxy import io as mio
from mitmproxy.io import tnetstring
from mitmproxy.test import tflow

from flowaudit.capture.flowbytes import RecordEncoder, encode

from ..inputs.test_inputs_flowfile import SHARED_REALWORLD, flow_files

TESTS = Path(__file__).resolve().parents[1]
FLOW_FILES = [*flow_files(TESTS), *(flow_files(SHARED_REALWORLD) if SHARED_REALWORLD.is_dir() else [])]


def mitmproxy_record(f: Any) -> bytes:
    return tnetstring.dumps(f.get_state())


def readable_flows(path: Path) -> list[Any]:
    flows = []
    with path.open("rb") as fh:
        try:
            for f in mio.FlowReader(fh).stream():
                flows.append(f)
        except Exception:  # noqa: BLE001 - a damaged or hostile file: its readable flows are enough
            pass
    return flows


def test_every_flow_file_in_the_suite_is_encoded_byte_for_byte_as_mitmproxy_does() -> None:
    encoder = RecordEncoder()
    flows = [f for path in FLOW_FILES for f in readable_flows(path)]
    assert len(flows) >= 50, FLOW_FILES  # the suite's captures, not an empty loop
    for f in flows:
        expected = mitmproxy_record(f)
        assert encoder.record(f) == expected
        assert encoder.record(f) == expected  # again, from the kept connection states


def test_a_connection_changed_between_two_flows_is_encoded_as_it_is_now() -> None:
    encoder = RecordEncoder()
    first = tflow.tflow(resp=True)
    second = tflow.tflow(resp=True)
    second.client_conn, second.server_conn = first.client_conn, first.server_conn  # keep-alive
    assert encoder.record(first) == mitmproxy_record(first)
    first.client_conn.timestamp_end = 1234.5
    first.server_conn.sni = "changed.example"
    assert encoder.record(second) == mitmproxy_record(second)
    first.client_conn.cipher_list = ["TLS_AES_128_GCM_SHA256"]
    assert encoder.record(second) == mitmproxy_record(second)
    first.client_conn.cipher_list.append("TLS_AES_256_GCM_SHA384")  # changed in place
    assert encoder.record(second) == mitmproxy_record(second)


def test_a_flow_with_a_backup_and_other_flow_types() -> None:
    encoder = RecordEncoder()
    edited = tflow.tflow(resp=True)
    edited.backup()
    edited.request.path = "/edited"
    unchanged = tflow.tflow(resp=True)
    unchanged.backup()  # mitmproxy leaves out a backup equal to the state
    for f in (edited, unchanged, tflow.ttcpflow(), tflow.tudpflow(), tflow.tdnsflow(resp=True), tflow.twebsocketflow()):
        assert encoder.record(f) == mitmproxy_record(f)


class Level(enum.IntEnum):
    HIGH = 7


class Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -17,
        10**40,
        1.5,
        1795374706.9607813,
        float("inf"),
        b"",
        b"\x00\xff" * 3,
        "",
        "h\u00e9llo \U0001f600",
        [],
        (),
        {},
        [1, [2, (3, b"x")], {"k": None}],
        {"b": 1, "a": {"z": [True, False], "y": "t"}, "": b""},
        {f"key{n}": n for n in range(2000)},  # more texts than the encoder keeps encoded
        Level.HIGH,
        Name("sub"),
        {"x" * 40: "y" * 40},
    ],
)
def test_values_are_encoded_as_mitmproxys_tnetstring_does(value: Any) -> None:
    assert encode(value) == tnetstring.dumps(value)
    assert encode({"wrapped": [value]}) == tnetstring.dumps({"wrapped": [value]})


@pytest.mark.parametrize("value", [object(), {"k": {1, 2}}, "\ud83d"])
def test_what_mitmproxy_refuses_is_refused(value: Any) -> None:
    with pytest.raises(ValueError):
        tnetstring.dumps(value)
    with pytest.raises(ValueError):
        encode(value)


def test_a_big_body_is_written_whole() -> None:
    f = tflow.tflow(req=http.Request.make("POST", "https://example.com/", b"x" * 3_000_000), resp=True)
    assert RecordEncoder().record(f) == mitmproxy_record(f)


def test_http_flows_are_written_from_their_fields_without_get_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first HTTP flow (checked against mitmproxy's get_state()), HTTP flows are
    written from their fields: the same bytes, without the state walk that costs the proxy."""
    encoder = RecordEncoder()
    first = live_like(tflow.tflow(resp=True))
    assert encoder.record(first) == mitmproxy_record(first)
    flows = [live_like(tflow.tflow(resp=True)), live_like(tflow.tflow()), live_like(tflow.tflow(resp=True))]
    flows[1].request.content = None
    flows[2].request.trailers = http.Headers(checksum="abc")
    flows[2].response.content = b"x" * 100_000  # type: ignore[union-attr]
    flows[2].response.timestamp_end = None  # type: ignore[union-attr]
    flows[2].metadata["flowaudit.phase"] = "consent-granted"
    flows[2].marked, flows[2].comment, flows[2].is_replay = ":star:", "note", "request"
    expected = [mitmproxy_record(f) for f in flows]
    monkeypatch.setattr(http.HTTPFlow, "get_state", lambda self: pytest.fail("get_state() called"))
    assert [encoder.record(f) for f in flows] == expected


def live_like(f: http.HTTPFlow) -> http.HTTPFlow:
    """A test flow with timestamps as a live proxy sets them (floats; mitmproxy's test flows have integers)."""
    f.timestamp_created = 1795374706.9607813
    for message in (f.request, f.response):
        if message is not None:
            message.timestamp_start, message.timestamp_end = 1795374707.25, 1795374707.5
    return f
