"""Long strings in a HAR are read from its bytes, never by the JSON parser: held once, and only if used.

Every case here reads the same bytes with long strings taken out and with
them left to the parser (``LONG_STRING`` past any string), and compares.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from flowaudit.inputs import har as har_module
from flowaudit.inputs import longstrings, open_inputs
from flowaudit.inputs.fields import MAX_BODY
from flowaudit.inputs.har import read_har
from flowaudit.inputs.longstrings import ANY, ITEM
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.model import Observation

ROOT = Path(__file__).resolve().parents[2]
SHARED_REALWORLD = Path(os.environ.get("FLOWAUDIT_SHARED", ROOT.parent / "shared")) / "realworld"
MIXED = '{"a": "x\\"y"}\n\t\\ \u00e9\u20ac\U0001f600 end/'


class Trickle:
    """A byte source handing out its data in chunks of random size, at most ``most`` bytes."""

    def __init__(self, data: bytes, seed: int, most: int) -> None:
        self._data, self._rng, self._at, self._most = data, random.Random(seed), 0, most

    def read(self, n: int, /) -> bytes:
        chunk = self._data[self._at : self._at + min(n, self._rng.randint(1, self._most))]
        self._at += len(chunk)
        return chunk


def document(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}).encode()


def entry(url: str, post: dict[str, Any] | None = None, response_text: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST", "url": url, "headers": [{"name": "X-Mixed", "value": MIXED}]}
    if post is not None:
        request["postData"] = post
    response: dict[str, Any] = {"status": 200, "content": {"size": 0, "mimeType": "text/plain"}}
    if response_text is not None:
        response["content"]["text"] = response_text
    return {"startedDateTime": "2026-12-03T10:00:00Z", "request": request, "response": response}


def read(data: bytes, *, long: int | None = None, most: int = 1 << 20) -> tuple[list[Observation], str | None]:
    """Observations and problem of reading ``data``; ``long``: LONG_STRING (default: the reader's)."""
    saved = har_module.LONG_STRING
    har_module.LONG_STRING = saved if long is None else long
    try:
        reading = read_har(Trickle(data, len(data), most), "t.har", CaptureNotes())
        observations: list[Observation] = []
        while True:
            try:
                observations.append(next(reading))
            except StopIteration as end:
                return observations, end.value
    finally:
        har_module.LONG_STRING = saved


def same_both_ways(data: bytes, long: int = 16, most: int = 1 << 20) -> list[Observation]:
    """Read ``data`` with strings over ``long`` bytes taken out and with none; both agree."""
    taken = read(data, long=long, most=most)
    assert taken == read(data, long=1 << 40, most=most)
    return taken[0]


def test_a_long_text_body_is_the_text() -> None:
    text = MIXED * 200_000  # 7 MB, escapes of every kind throughout
    post = {"mimeType": "application/json", "text": text}
    observations, problem = read(document(entry("https://a.example/1", post), entry("https://a.example/2")))
    assert problem is None and [o.index for o in observations] == [1, 2]
    assert observations[0].body == text.encode() and not observations[0].body_truncated
    assert dict(observations[0].request_headers)["X-Mixed"] == MIXED


@pytest.mark.parametrize("encoding_first", [False, True])
def test_a_long_base64_body_is_decoded_wherever_its_encoding_is(encoding_first: bool) -> None:
    body = os.urandom(3_000_000)
    text = base64.b64encode(body).decode()
    post = {"encoding": "base64", "text": text} if encoding_first else {"text": text, "encoding": "base64"}
    (observation,), problem = read(document(entry("https://a.example/", post)))
    assert problem is None and observation.body == body


def test_long_text_labelled_base64_that_is_not_is_the_text() -> None:
    text = "QUJD" * 500_000 + "not base64"
    (observation,), _ = read(document(entry("https://a.example/", {"text": text, "_encoding": "base64"})))
    assert observation.body == text.encode()


def test_a_har_cut_inside_a_long_body_reads_every_entry_before_it() -> None:
    post = {"mimeType": "text/plain", "text": "z" * 5_000_000}
    data = document(*(entry(f"https://a.example/{n}") for n in range(1, 4)), entry("https://a.example/4", post))
    cut = data[: data.index(b"zzz") + 2_000_000]
    observations, problem = read(cut)
    assert [o.index for o in observations] == [1, 2, 3]
    assert problem is not None and problem.startswith("truncated after entry #3")
    assert read(cut, long=1 << 40) == (observations, problem)  # as the parser says it


@pytest.mark.parametrize("bad", [b"\\q", b"\x01"])
def test_invalid_json_inside_a_long_string_ends_reading_there(bad: bytes) -> None:
    data = document(entry("https://a.example/1"), entry("https://a.example/2", {"text": "y" * 200_000}))
    at = data.index(b"yyy") + 100_000
    observations, problem = read(data[:at] + bad + data[at:])
    assert [o.index for o in observations] == [1]
    assert problem is not None and problem.startswith("unreadable data after entry #1")


@pytest.mark.parametrize("seed", range(5))
def test_escapes_and_characters_cut_by_every_read_boundary(seed: int) -> None:
    """Reads of 1 to 7 bytes cut every escape, surrogate pair and UTF-8 sequence somewhere."""
    rng = random.Random(seed)
    pieces = [MIXED, "QUJD" * 20, "\\", '"', "\U0001f600", "\u00e9", "x" * 30, "==", "/"]
    entries = [
        entry(
            f"https://a.example/{n}?q={rng.choice(pieces)}",
            {"text": "".join(rng.choices(pieces, k=40)), **({"encoding": "base64"} if n % 3 == 0 else {})},
            response_text="".join(rng.choices(pieces, k=20)),
        )
        for n in range(30)
    ]
    base64_text = base64.b64encode(os.urandom(900)).decode()
    entries.append(entry("https://a.example/b64", {"text": base64_text, "encoding": "base64"}))
    assert len(same_both_ways(document(*entries), long=16, most=7)) == 31


def test_a_long_response_body_is_never_held() -> None:
    """Browsers keep every response body; the reader reads none, so none is held (the parser made each a str)."""
    data = document(*(entry(f"https://a.example/{n}", response_text="r" * 8_000_000) for n in range(3)))
    tracemalloc.start()
    try:
        observations, problem = read(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problem is None and len(observations) == 3
    assert peak < 4_000_000


def test_what_the_reader_uses_is_kept_and_nothing_else() -> None:
    wanted = har_module._wanted
    request, response = ("log", "entries", ITEM, "request"), ("log", "entries", ITEM, "response")
    assert wanted(6, (*request, "postData", "text")) == (MAX_BODY, True)
    assert wanted(6, ("postData", "text")) == (MAX_BODY, False)  # the rest of its place out of view
    assert wanted(6, ("content", "text"))[0] < 300_000  # a response body: at most a capture record
    assert wanted(7, (*response, "headers", ITEM, "value")) == (0, True)
    assert wanted(7, ("headers", ITEM, "value"))[0] == MAX_BODY  # could be the request's
    assert wanted(9, (*request, "headers", ITEM, "value", ITEM, "x"))[0] == MAX_BODY  # read as its text
    assert wanted(6, (*request, "postData", ANY))[0] == MAX_BODY  # a key written with escapes: could be "text"
    assert wanted(2, ("log", "comment")) == (0, True)
    assert wanted(4, ("log", "pages", ITEM, "title"))[0] == MAX_BODY


def test_a_placeholder_written_in_a_capture_is_only_text() -> None:
    """A capture cannot name a string held for another entry: placeholders carry a secret."""
    text = "\u0000" + "0" * 16 + ":1"
    data = document(entry("https://a.example/", {"text": "b" * 200_000}), entry("https://a.example/", {"text": text}))
    (first, second), _ = read(data)
    assert first.body == b"b" * 200_000 and second.body == text.encode()


def har_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.har"))


def read_file(path: Path) -> tuple[list[Observation], Any]:
    try:
        captures = open_inputs([str(path)])
        return list(captures), captures.inputs
    except Exception as e:  # a file that is not a readable HAR must fail the same way both ways
        return [], repr(e)


def assert_every_har_reads_the_same(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    before = {}
    with monkeypatch.context() as m:
        m.setattr(har_module, "LONG_STRING", 1 << 40)
        for path in paths:
            before[path] = read_file(path)
    # Every string of more than 16 bytes that a read's end cuts (about every kilobyte) is taken out.
    monkeypatch.setattr(har_module, "LONG_STRING", 16)
    monkeypatch.setattr(har_module, "CHUNK", 1021)
    monkeypatch.setattr(har_module, "_MAX_CHUNK", 4096)
    monkeypatch.setattr(longstrings, "_PIECE", 1000)
    for path in paths:
        assert read_file(path) == before[path], path


def test_every_har_in_the_tests_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = har_files(ROOT / "tests")
    assert len(paths) >= 40
    assert_every_har_reads_the_same(paths, monkeypatch)


@pytest.mark.needs_shared
@pytest.mark.skipif(not SHARED_REALWORLD.is_dir(), reason="../shared/realworld is not beside the checkout")
def test_every_har_in_shared_realworld_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = har_files(SHARED_REALWORLD)
    assert len(paths) >= 10
    assert_every_har_reads_the_same(paths, monkeypatch)


def test_the_stream_is_the_bytes_with_placeholders() -> None:
    """What the parser is handed is the document, each long string a placeholder in a chunk of its own."""
    from flowaudit.inputs.jsonbytes import JsonBytes
    from flowaudit.inputs.nesting import NestingGuard

    data = document(entry("https://a.example/", {"text": "p" * 5000}, response_text="r" * 5000))
    guard = NestingGuard(JsonBytes(io.BytesIO(data)), 256, b'"cut"', lambda: None)
    stream = longstrings.LongStrings(guard, 1000, lambda place: (10, True))
    chunks = list(iter(lambda: stream.read(333), b""))
    placeholders = [c for c in chunks if c.startswith(b'"\\u0000')]
    assert len(placeholders) == 2 and all(c.endswith(b'"') and c.count(b'"') == 2 for c in placeholders)
    texts = [stream.take(json.loads(c)) for c in placeholders]
    assert [t.text() for t in texts if t] == ["p" * 10, "r" * 10]
    joined = b"".join(chunks)
    for c, original in zip(placeholders, (b'"' + b"p" * 5000 + b'"', b'"' + b"r" * 5000 + b'"'), strict=True):
        joined = joined.replace(c, original)
    assert joined == data
