"""Schemaless protobuf: whole messages only, with every wire type."""

from __future__ import annotations

import struct

from flowaudit.payload.decode.protobuf import FIXED32, FIXED64, LENGTH, VARINT, fixed_value, parse_message


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    return _varint(number << 3 | wire) + payload


def test_every_wire_type() -> None:
    inner = _field(1, LENGTH, _varint(5) + b"hello")
    message = (
        _field(1, VARINT, _varint(300))
        + _field(2, LENGTH, _varint(len(inner)) + inner)
        + _field(3, FIXED64, struct.pack("<d", 48.8566))
        + _field(4, FIXED32, struct.pack("<I", 7))
        + _field(20000, VARINT, _varint(1))  # a multi-byte tag
    )
    assert parse_message(message) == [
        (1, VARINT, 300),
        (2, LENGTH, inner),
        (3, FIXED64, struct.pack("<d", 48.8566)),
        (4, FIXED32, struct.pack("<I", 7)),
        (20000, VARINT, 1),
    ]
    assert parse_message(inner) == [(1, LENGTH, b"hello")]


def test_not_a_message() -> None:
    assert parse_message(b"") is None
    assert parse_message(b'{"json": true}') is None  # '{' is a group start: refused
    assert parse_message(_field(1, LENGTH, _varint(10) + b"short")) is None  # length past the end
    assert parse_message(b"\x08") is None  # value missing
    assert parse_message(b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01") is None  # varint over 10 bytes
    assert parse_message(b"\x00\x01") is None  # field number 0


def test_fixed_values() -> None:
    assert fixed_value(struct.pack("<d", 48.8566)) == "48.8566"
    assert fixed_value(struct.pack("<f", 2.3522)) == "2.3522"
    assert fixed_value(struct.pack("<Q", 1694320772457713)) == "1694320772457713"
