"""LZ4: frames (with a magic number) and bare blocks (without one), by the reference library.

Some web SDKs compress their JSON beacons with a JavaScript LZ4 port before
sending them as ``text/plain`` (Assertive Yield's ``api.assertcom.de``
pageviews, in ``tests/corpus/external/reporthar-9gag``, hold the visitor's
``clientUUID``). An LZ4 block keeps short runs of the text as literals, so a
reader of the raw body sees fragments of keys and never whole values.

The formats (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md,
https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md): a frame starts
with the magic number ``04 22 4D 18``; a bare block has none, and senders put
their own few bytes in front (a length, a version: Assertive Yield five).
:func:`find_block` tries the first few offsets and accepts a block only when
the reference decoder (python-lz4, which checks every offset and length
against its buffers) reads it without a fault, which for a block means the
last sequence ends exactly at the end of the body, and only when it grew:
random bytes seldom meet both. The caller adds its own condition (that the
result is text). Output is bounded by the caller's limit, like every
decompressor in :mod:`~flowaudit.payload.decode.compression`.
"""

from __future__ import annotations

import lz4.block
import lz4.frame

FRAME_MAGIC = b"\x04\x22\x4d\x18"
MAX_PREFIX = 8  # bytes a sender may put in front of a bare block (sizes, versions) that are tried
_MIN_BLOCK = 16  # shorter bodies are not worth a guess
# A block puts out at most 255 bytes per byte it holds (a match length's extension byte; the
# format above): the decoder's buffer need be no larger. The reference decoder allocates all of
# it for each try, and a buffer of the caller's limit (1 MiB and more) is a mapping of its own,
# made and dropped per try (``flowaudit.mallopt``). The slack keeps the decoder's checks near its
# buffer's end (the last 5 bytes literals, no match within the last 12) where a larger buffer
# puts them, so a block reads the same either way.
_MAX_GROWTH = 255
_SLACK = 64


def find_block(data: bytes, limit: int) -> bytes | None:
    """The output of a bare block starting within :data:`MAX_PREFIX` bytes of the start, if one is there.

    A block whose output would pass ``limit`` counts as none: with no magic
    number, a failure is only a guess that did not hold.
    """
    if len(data) < _MIN_BLOCK:
        return None
    view = memoryview(data)
    for start in range(min(MAX_PREFIX, len(data) - _MIN_BLOCK) + 1):
        if data[start] >> 4 == 0:
            continue  # a block's first sequence starts with literals: there is nothing to match yet
        room = min(limit, _MAX_GROWTH * (len(data) - start) + _SLACK)
        try:
            out: bytes = lz4.block.decompress(view[start:], uncompressed_size=room)
        except lz4.block.LZ4BlockError:
            continue
        if len(out) >= len(data) - start:
            return out
    return None


def decode_frame(data: bytes, limit: int) -> tuple[bytes, str | None]:
    """The content of the LZ4 frame ``data`` starts with, at most ``limit`` bytes, and what went wrong.

    The error is ``None`` for a whole frame, else says why what came out (possibly nothing) is all there is.
    """
    decompressor = lz4.frame.LZ4FrameDecompressor()
    try:
        out: bytes = decompressor.decompress(data, max_length=limit + 1)
    except RuntimeError as e:  # python-lz4 raises RuntimeError for a damaged frame
        return b"", str(e) or "damaged LZ4 frame"
    if len(out) > limit:
        return b"", "over the limit"
    if not decompressor.eof:
        return out, "frame truncated"
    return out, None
