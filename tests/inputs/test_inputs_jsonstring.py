"""Decoding a long JSON string piece by piece: the same string as a JSON parser reads, held once."""

from __future__ import annotations

import base64
import binascii
import json

import pytest

from flowaudit.inputs.jsonstring import LongString, StringError, StringReader

# Escapes of every kind, a surrogate pair (an emoji), raw multi-byte UTF-8, escaped quotes and backslashes.
MIXED = '{"a": "x\\"y"}\n\t\\ \u00e9\u20ac\U0001f600 end/'


def read(raw: bytes, cuts: list[int], limit: int = 1 << 30) -> LongString:
    """Feed ``raw`` (a JSON string's bytes between its quotes) cut at ``cuts``, as the stream does."""
    reader = StringReader(limit)
    at = 0
    for cut in [*cuts, len(raw)]:
        reader.feed(reader.take_carry() + raw[at:cut])
        at = cut
    return reader.finish()


def raw_of(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()[1:-1]


@pytest.mark.parametrize("ascii_only", [False, True])
def test_every_cut_reads_the_string_the_parser_reads(ascii_only: bool) -> None:
    raw = json.dumps(MIXED, ensure_ascii=ascii_only).encode()[1:-1]
    for first in range(len(raw) + 1):
        for second in range(first, len(raw) + 1, 3):
            held = read(raw, [first, second])
            assert held.text() == MIXED and not held.cut, (first, second)
            assert held.body(base64_encoded=True) == MIXED.encode()  # labelled base64, but is not


@pytest.mark.parametrize(
    "tail", ["", "=", "==", "Q", "QQ", "QQ=", "QQ==", "QQ===", "QUI", "QUI=", "QUI==", "QUJ=", "Q===", "Qw==", "QR=="]
)
def test_base64_is_decoded_as_read_exactly_as_b64decode_takes_it(tail: str) -> None:
    text = base64.b64encode(bytes(range(256)) * 40).decode() + tail
    try:
        expected: bytes | None = base64.b64decode(text, validate=True)
    except binascii.Error:
        expected = None
    for cuts in ([], [1], [5, 6, 7], [len(text) - 2], list(range(3, len(text), 1001))):
        held = read(text.encode(), cuts)
        assert held.decoded or expected is None  # base64 is held as its bytes while it is read, never as text
        assert held.body(base64_encoded=True) == (expected if expected is not None else text.encode())
        assert held.text() == text
        assert held.body(base64_encoded=False) == text.encode()


def test_base64_escaped_slashes_are_base64() -> None:
    data = bytes(range(256)) * 8
    text = base64.b64encode(data).decode()
    assert "/" in text
    held = read(text.replace("/", "\\/").encode(), [100, 101, 102])
    assert held.decoded and held.body(base64_encoded=True) == data and held.text() == text


def test_text_that_stops_looking_like_base64_is_text_again() -> None:
    text = "QUJD" * 5000 + "Q=Q " + "rest"
    held = read(text.encode(), [4001, 20001, 20003])
    assert not held.decoded and held.text() == text
    assert held.body(base64_encoded=True) == text.encode()  # labelled base64 but is not: the text as written


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"a\x01b", "invalid character"),
        (b"tab\there", "invalid character"),
        (b"bad \\q escape", "escape"),
        (b"bad \\u00zz hex", "escape"),
    ],
)
@pytest.mark.parametrize("limit", [0, 1 << 20])
def test_what_the_parser_refuses_is_refused(raw: bytes, reason: str, limit: int) -> None:
    with pytest.raises(StringError, match=reason):
        read(raw, [], limit)


def test_an_escape_cut_by_the_closing_quote_is_refused() -> None:
    with pytest.raises(StringError):
        read(b"abc\\", [])


def test_a_skipped_string_is_checked_and_not_kept() -> None:
    raw = raw_of(MIXED * 100)
    held = read(raw, list(range(1, len(raw), 7)), limit=0)
    assert held.cut and not held.data and held.text() == ""


def test_text_past_the_limit_is_cut() -> None:
    held = read(raw_of(MIXED * 10), [50, 51], limit=40)
    assert held.cut and held.body(base64_encoded=False) == (MIXED * 10).encode()[:40]


def test_base64_past_the_limit_keeps_its_first_bytes_and_is_still_checked() -> None:
    data = bytes(range(256)) * 40
    text = base64.b64encode(data)
    held = read(text, [999, 5000], limit=1000)
    assert held.cut and held.body(base64_encoded=True) == data[:1000]
    not_base64 = read(text + b"!", [999, 5000], limit=1000)
    assert not_base64.cut and not_base64.body(base64_encoded=True) == text[:1000]
