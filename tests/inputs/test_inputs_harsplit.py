"""Entries parsed whole by the json module read exactly as the streaming reader reads them.

``read_har`` parses plain entries with the json module and leaves the rest
to the streaming reader (``read_har_streamed``'s machinery): every case here
reads the same bytes both ways, often in small random chunks, and compares
observations, problem and notes, or the error.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import har as har_module
from flowaudit.inputs.har import MAX_NESTING, TOO_DEEP, read_har, read_har_streamed
from flowaudit.inputs.harsplit import WINDOW
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.stream import InflatingReader
from flowaudit.model import Observation

from .conftest import REALWORLD, TESTDATA
from .test_inputs_longstrings import SHARED_REALWORLD, Trickle

Reader = Callable[..., Generator[Observation, None, str | None]]
Outcome = tuple[list[Observation], str | None, CaptureNotes] | str


def outcome(reader: Reader, data: bytes, *, most: int = 1 << 20, compressed: bool = False) -> Outcome:
    """What reading ``data`` gives: (observations, problem, notes), or the error's message."""
    notes = CaptureNotes()
    source = Trickle(data, len(data), most)
    reading = reader(InflatingReader(source) if compressed else source, "t.har", notes)
    ended: list[str | None] = []

    def drained() -> Generator[Observation, None, None]:
        ended.append((yield from reading))

    try:
        observations = list(drained())
    except FlowauditError as e:
        return str(e)
    return observations, ended[0], notes


def same_both_ways(data: bytes, *, most: int = 1 << 20, compressed: bool = False) -> Outcome:
    fast = outcome(read_har, data, most=most, compressed=compressed)
    assert fast == outcome(read_har_streamed, data, most=most, compressed=compressed)
    return fast


def real_hars() -> list[Path]:
    roots = [REALWORLD, SHARED_REALWORLD, Path(__file__).resolve().parents[1]]
    found = {p.resolve() for root in roots if root.is_dir() for p in root.rglob("*.har")}
    return sorted(found)


def test_there_are_real_hars_to_compare() -> None:
    assert len(real_hars()) >= 30


@pytest.mark.parametrize("path", real_hars(), ids=lambda p: p.name)
def test_every_real_har_reads_the_same_both_ways(path: Path) -> None:
    data = path.read_bytes()
    same_both_ways(data)
    # cut short at a few points: the entries before each break, and the same problem
    for cut in (len(data) // 7, len(data) // 2, len(data) - 3):
        same_both_ways(data[:cut], most=4096)


def document(*entries: Any, **log: Any) -> bytes:
    return json.dumps({"log": {"version": "1.2", **log, "entries": list(entries)}}).encode()


def entry(n: int, **extra: Any) -> dict[str, Any]:
    request = {"method": "POST", "url": f"https://a.example/{n}", "headers": [{"name": "X-N", "value": str(n)}]}
    return {"startedDateTime": "2026-12-03T10:00:00Z", "request": request, "response": {"status": 200}, **extra}


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def test_an_entry_nested_too_deep_is_cut_as_the_streaming_reader_cuts_it() -> None:
    data = document(entry(1), entry(2, _initiator=nested(MAX_NESTING)), entry(3))
    observations, problem, notes = same_both_ways(data, most=997)  # type: ignore[misc]
    assert [o.index for o in observations] == [1, 2, 3] and problem is None
    assert any(TOO_DEEP in warning for warning in notes.warnings)


def test_nesting_past_the_interpreters_bound_hands_the_rest_to_the_streaming_reader() -> None:
    deep = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    data = document(entry(1), "DEEP", entry(3)).replace(b'"DEEP"', deep)
    observations, problem, _ = same_both_ways(data)  # type: ignore[misc]
    assert [o.index for o in observations] == [1, 3] and problem is None


def test_an_entry_longer_than_the_window_then_plain_ones() -> None:
    data = document(entry(1), entry(2, response={"status": 200, "content": {"text": "r" * 2 * WINDOW}}), entry(3))
    observations, problem, _ = same_both_ways(data, most=65536)  # type: ignore[misc]
    assert [o.index for o in observations] == [1, 2, 3] and problem is None


def test_long_strings_in_plain_sized_entries() -> None:
    body = "é" * (har_module.LONG_STRING // 2 + 10)  # fewer characters than LONG_STRING, more bytes
    data = document(entry(1, request={"method": "POST", "url": "https://b.example/", "postData": {"text": body}}))
    (observation,), problem, _ = same_both_ways(data)  # type: ignore[misc]
    assert observation.body == body.encode() and problem is None


@pytest.mark.parametrize(
    "bad",
    [b"NaN", b"-Infinity", b"1" * 5000, b"01", b"[1,]", b'"\x01"', b"tru", b'{"a" 1}'],
    ids=["nan", "infinity", "huge-int", "leading-zero", "trailing-comma", "control", "cut-literal", "no-colon"],
)
@pytest.mark.parametrize("where", [0, 1, 2])
def test_odd_json_in_an_entry_is_read_as_the_streaming_reader_reads_it(bad: bytes, where: int) -> None:
    entries: list[Any] = [entry(1), entry(2)]
    entries.insert(where, {"x": "BAD"})
    same_both_ways(document(*entries).replace(b'"BAD"', bad))


@pytest.mark.parametrize(
    "data",
    [
        b'{"log": {"entries": [1, "two", null, [], {}]}}',
        b'{"log": {"entries": []}}',
        b'{"log": {"entries": [ ] } } ',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}}] }} trailing',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}} {"x": 1}]}}',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}},]}}',
        b'{"log": {"entries": [,{"request": {"url": "https://a.example/"}}]}}',
        b'{"log": {"entries": [5' + b"0" * 70_000 + b"]}}",
        b'{"log": {"entries": 5, "entries": [{"request": {"url": "https://a.example/"}}]}}',
        b'{"log": 1, "log": {"entries": [{"request": {"url": "https://a.example/"}}]}}',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}}], "entries": [{}, {}]}}',
        b'{"log": {"pages": [{"title": "https://p.example/"}], "entries": [{"request": {"url": "https://a/"}}]}}',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}}]}, "x": [{"entries": [1]}]}',
        b'{"x": {"entries": [{"request": {"url": "https://a.example/"}}]}}',
        b'{"log": {"x": {"entries": [{"request": {"url": "https://a.example/"}}]}}}',
        b'\xef\xbb\xbf{"log": {"entries": [{"request": {"url": "https://a.example/\xff"}}]}}',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/\\udc88"}}, 1e400, -0, 1.5e3]}}',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}}, 12',
        b'{"log": {"entries": [{"request": {"url": "https://a.example/"}},',
        b'{"log": {"entries": [',
        b'{"log": {"entries"',
        b"[]",
        b'{"log": {"pages": "NaN", "entries": [NaN]}}',
        b'{"log": {"title": "\\"entries\\": [", "entries": [{"request": {"url": "https://a.example/"}}]}}',
    ],
)
def test_odd_documents_read_the_same_both_ways(data: bytes) -> None:
    for most in (1, 3, 64, 1 << 20):
        same_both_ways(data, most=most)


def test_a_long_head_is_read_by_the_streaming_reader() -> None:
    pages = [{"id": str(n), "title": f"https://p{n}.example/" + "x" * 200} for n in range(400)]
    data = document(entry(1), entry(2), pages=pages)
    observations, problem, notes = same_both_ways(data)  # type: ignore[misc]
    assert len(observations) == 2 and problem is None and len(notes.page_hosts) == 100


def test_corrupt_compressed_data_after_plain_entries() -> None:
    packed = bytearray(gzip.compress((TESTDATA / "har_files/firefox.har").read_bytes()))
    packed[-2000:-1000] = bytes(1000)
    for most in (7, 1 << 20):
        observations, problem, _ = same_both_ways(bytes(packed), most=most, compressed=True)  # type: ignore[misc]
        assert problem is not None and "compressed data is corrupt" in problem and observations
