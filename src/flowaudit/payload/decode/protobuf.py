"""Reading protocol buffers without their schema.

The wire format (https://protobuf.dev/programming-guides/encoding/) says
enough to walk a message without its ``.proto``: each field is a varint tag
(field number and wire type) followed by a varint, 8 bytes, 4 bytes or a
length-prefixed run. A length-prefixed run is a string, bytes or a nested
message; which one is guessed by the walker. Firebase Analytics batches and
Chrome sync requests are protobuf, so the email or event names inside them
are reached only this way.

A parse succeeds only if the whole buffer is consumed exactly, with valid
field numbers and no group wire types (deprecated, and what random bytes
mostly produce): that is what keeps text and binary blobs from being read
as messages.
"""

from __future__ import annotations

import struct

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
_MAX_FIELD = (1 << 29) - 1
_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")

Field = tuple[int, int, int | bytes]  # field number, wire type, value (int, or the raw bytes)


def _varint_rest(buf: bytes, i: int, n: int, first: int) -> tuple[int, int]:
    """A varint whose first byte ``first`` (at ``i - 1``) had its continuation bit set.

    Returns the value and the next position, position -1 when the varint
    runs off the end or past 10 bytes.
    """
    value, shift = first & 0x7F, 7
    end = i + 9 if i + 9 < n else n
    while i < end:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7
    return 0, -1


def parse_message(buf: bytes) -> list[Field] | None:
    """The fields of ``buf`` in wire order, or ``None`` if it is not one whole message.

    Single-byte varints (most tags, lengths and small numbers) are read
    inline: this loop runs for every nested message of every Firebase batch.
    """
    fields: list[Field] = []
    append = fields.append
    i, n = 0, len(buf)
    while i < n:
        tag = buf[i]
        i += 1
        if tag >= 0x80:
            tag, i = _varint_rest(buf, i, n, tag)
            if i < 0 or tag >> 3 > _MAX_FIELD:
                return None
        number, wire = tag >> 3, tag & 7
        if number == 0 or i >= n:
            return None
        if wire == LENGTH:
            size = buf[i]
            i += 1
            if size >= 0x80:
                size, i = _varint_rest(buf, i, n, size)
                if i < 0:
                    return None
            end = i + size
            if end > n:
                return None
            append((number, LENGTH, buf[i:end]))
            i = end
        elif wire == VARINT:
            value = buf[i]
            i += 1
            if value >= 0x80:
                value, i = _varint_rest(buf, i, n, value)
                if i < 0:
                    return None
            append((number, VARINT, value))
        elif wire == FIXED64 or wire == FIXED32:
            end = i + (8 if wire == FIXED64 else 4)
            if end > n:
                return None
            append((number, wire, buf[i:end]))
            i = end
        else:
            return None
    return fields if fields else None


def fixed_value(raw: bytes) -> str:
    """A fixed-width field as text: as a float when it reads as an ordinary one, else as an unsigned integer.

    Coordinates are doubles in most schemas, ids and timestamps integers;
    the float reading is kept only within magnitudes real measurements have.
    """
    if len(raw) == 8:
        (f,) = _DOUBLE.unpack(raw)
        if 1e-4 <= abs(f) <= 1e7:
            return repr(f)
    else:
        (f,) = _FLOAT.unpack(raw)
        if 1e-4 <= abs(f) <= 1e7:
            return f"{f:.7g}"
    return str(int.from_bytes(raw, "little"))
