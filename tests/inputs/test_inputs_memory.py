"""Reading streams: memory stays near one flow, whatever the size of the capture."""

from __future__ import annotations

import json
import os
import tracemalloc
import weakref
from pathlib import Path

from mitmproxy.io import tnetstring

from flowaudit.inputs import open_inputs

from .conftest import REALWORLD


def peak_while_reading(path: Path) -> tuple[int, int]:
    """(observations read, peak traced bytes) for reading ``path`` without keeping anything."""
    captures = open_inputs([str(path)])
    tracemalloc.start()
    try:
        count = sum(1 for _ in captures)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert captures.inputs[0].complete
    return count, peak


def real_flow_with_body(size: int) -> bytes:
    """The first Segment flow, its request body replaced by ``size`` random bytes."""
    first = (REALWORLD / "sdk/segment/flows.mitm").read_bytes()
    length, _, _ = first.partition(b":")
    state = tnetstring.loads(first[: len(length) + 1 + int(length) + 1])
    assert isinstance(state, dict)
    state["request"]["content"] = os.urandom(size)
    return tnetstring.dumps(state)


def test_flow_file_of_many_flows(tmp_path: Path) -> None:
    path = tmp_path / "many.mitm"
    path.write_bytes(real_flow_with_body(10_000) * 600)  # 6 MB
    count, peak = peak_while_reading(path)
    assert count == 600
    assert peak < path.stat().st_size / 5


def test_flow_file_of_large_flows(tmp_path: Path) -> None:
    # Large bodies are where a reader that keeps flows around shows: 40 MB of 1 MB uploads.
    path = tmp_path / "large.mitm"
    path.write_bytes(real_flow_with_body(1_000_000) * 40)
    count, peak = peak_while_reading(path)
    assert count == 40
    assert peak < path.stat().st_size / 5


def test_har_of_large_entries(tmp_path: Path) -> None:
    har = json.loads((REALWORLD / "sdk/segment/flows.har").read_text())
    entry = har["log"]["entries"][0]
    entry["response"]["content"]["text"] = "r" * 1_000_000  # browsers keep response bodies
    entry["request"]["postData"]["text"] = "p" * 1_000_000
    har["log"]["entries"] = [entry] * 20
    path = tmp_path / "large.har"
    path.write_text(json.dumps(har))
    count, peak = peak_while_reading(path)
    assert count == 20
    assert peak < path.stat().st_size / 5


class _Record(bytearray):
    """A record that can be watched (a weak reference) to see when it is freed."""


def test_no_record_is_kept_once_decoded() -> None:
    """A decoder that copies the body out (mitmproxy's path does) leaves the record to be freed
    before the audit works on its observation: the numbering and the decoding keep none."""
    from flowaudit.inputs.records import Decoded, decode_in_turn, numbered

    watched: list[weakref.ref[_Record]] = []

    def next_record() -> bytearray | None:
        if len(watched) == 3:
            return None
        record = _Record(b"x" * 1000)
        watched.append(weakref.ref(record))
        return record

    def copying(record: bytearray, name: str, n: int) -> Decoded:
        return Decoded({"n": n, "body": bytes(record)}, None)

    decoded = decode_in_turn(numbered(next_record), "capture.mitm", copying)
    for n in (1, 2, 3):
        assert next(decoded).metadata["n"] == n
        assert watched[-1]() is None  # freed while the audit holds only what was decoded
    assert next(decoded, None) is None
