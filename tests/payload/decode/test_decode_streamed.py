"""JSON read as a stream (payload.decode.streamed): each value with the path and key a whole
decoding gives it, an object at a time, in bounded memory."""

from __future__ import annotations

import json

from flowaudit.payload.decode.streamed import JsonStream

DOCUMENT = {
    "rows": [{"i": 1, "n": "a"}, {"i": 2, "ok": True, "none": None, "empty": ""}],
    "user": {"id": "u-5f3a", "name": "Jane", "tags": ["x", "y"], "geo": {"lat": 52.5201, "lon": 13.405}},
    "top": "level",
}


def _read(data: bytes, piece: int) -> tuple[list[list[tuple[str, str | None, str]]], JsonStream]:
    stream = JsonStream(max_nesting=64)
    groups = [group for start in range(0, len(data), piece) for group in stream.feed(data[start : start + piece])]
    groups.extend(stream.close())
    return groups, stream


def test_values_come_with_the_walkers_paths_and_keys_one_object_at_a_time() -> None:
    groups, stream = _read(json.dumps(DOCUMENT).encode(), piece=7)  # cut anywhere, even inside a token
    assert stream.failed is None
    assert groups == [
        [("rows[0].i", "i", "1"), ("rows[0].n", "n", "a")],
        [("rows[1].i", "i", "2"), ("rows[1].ok", "ok", "true")],  # null and "" carry nothing, as in the walker
        [("user.tags[0]", "tags", "x"), ("user.tags[1]", "tags", "y")],
        [("user.geo.lat", "lat", "52.5201"), ("user.geo.lon", "lon", "13.405")],  # numbers as sent
        [("user.id", "id", "u-5f3a"), ("user.name", "name", "Jane")],
        [("top", "top", "level")],
    ]


def test_what_is_not_json_stops_the_stream_and_says_why() -> None:
    groups, stream = _read(b'{"a": "b", "c": [1, 2} trailing', piece=4)
    assert stream.failed is not None and stream.failed.startswith("not read as JSON past this point")
    assert groups == [[("c[0]", "c", "1"), ("c[1]", "c", "2")], [("a", "a", "b")]]  # as far as it went


def test_a_value_too_long_to_hold_stops_the_stream() -> None:
    stream = JsonStream(max_nesting=64)
    data, piece = b'{"blob": "' + b"x" * (5 << 20), 1 << 20
    assert [g for start in range(0, len(data), piece) for g in stream.feed(data[start : start + piece])] == []
    assert stream.failed == "a value longer than 4 MiB"


def test_nesting_past_the_bound_is_skipped_and_the_rest_read() -> None:
    data = b'{"deep": ' + b"[" * 100 + b'"lost"' + b"]" * 100 + b', "after": "kept"}'
    groups, stream = _read(data, piece=16)
    assert stream.failed is None and groups == [[("after", "after", "kept")]]
