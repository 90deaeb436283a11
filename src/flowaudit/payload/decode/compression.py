"""Bounded decompression: gzip, deflate (zlib and raw), brotli, zstd.

Every decompressor here stops at a caller-given output size instead of
trusting the stream: a decompression bomb must cost the audit at most that
size, never the size it announces. Errors are data (:class:`Inflated`), not
exceptions, because a corrupt body is something to report, not a crash.

Magic bytes (RFC 1952 for gzip, RFC 1950 for zlib, RFC 8878 for zstd) are
how bodies compressed without a ``Content-Encoding`` header are recognised;
brotli (RFC 7932) has none.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import brotli
import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZLIB_LEVELS = frozenset(b"\x01\x5e\x9c\xda")  # second byte of a zlib header with a 32 KiB window

# Brotli's Python binding (1.1, the version mitmproxy pins) has no output
# bound, so input is fed a few bytes at a time and output is measured after
# each step. Measured on 1 GiB of zeros at quality 11: one 16-byte step yields
# at most 16 MiB, so the overshoot past the limit stays bounded.
_BROTLI_STEP = 16

ENCODINGS = ("gzip", "deflate", "br", "zstd")
_INFLATE_STEP = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Inflated:
    """The outcome of one decompression.

    ``data`` is what came out (possibly partial, for a truncated stream);
    ``error`` says why the stream was not a clean one; ``over_limit`` that
    output went past the limit, in which case ``data`` is empty (nothing
    past a limit is ever handed on) and ``consumed`` says how much input had
    produced that much.
    """

    data: bytes
    error: str | None = None
    over_limit: bool = False
    consumed: int = 0  # input bytes read when output passed the limit: their ratio tells a bomb apart


def sniff(data: bytes | bytearray) -> str | None:
    """The compression a body's first bytes announce, if any."""
    if data[:2] == GZIP_MAGIC:
        return "gzip"
    if data[:4] == ZSTD_MAGIC:
        return "zstd"
    if len(data) > 2 and data[0] == 0x78 and data[1] in _ZLIB_LEVELS and (data[0] << 8 | data[1]) % 31 == 0:
        return "deflate"
    return None


def inflate(encoding: str, data: bytes, limit: int) -> Inflated:
    """Decompress ``data`` as ``encoding`` (one of :data:`ENCODINGS`), at most ``limit`` bytes of output."""
    if encoding == "gzip":
        return _gzip(data, limit)
    if encoding == "deflate":
        return _deflate(data, limit)
    if encoding == "br":
        return _brotli(data, limit)
    if encoding == "zstd":
        return _zstd(data, limit)
    raise ValueError(f"unknown encoding {encoding!r}")


def _zlib_stream(data: bytes, wbits: int, limit: int) -> Inflated:
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as e:
        return Inflated(b"", str(e))
    if len(out) > limit:
        return Inflated(b"", over_limit=True, consumed=len(data) - len(d.unconsumed_tail))
    if not d.eof:
        return Inflated(out, "stream truncated")
    return Inflated(out)


def _gzip(data: bytes, limit: int) -> Inflated:
    """gzip, including bodies of several concatenated members (RFC 1952 2.2)."""
    chunks: list[bytes] = []
    total = 0
    rest = data
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = d.decompress(rest, limit - total + 1)
        except zlib.error as e:
            return Inflated(b"".join(chunks), str(e))
        total += len(out)
        if total > limit:
            return Inflated(b"", over_limit=True, consumed=len(data) - len(d.unconsumed_tail))
        chunks.append(out)
        if not d.eof:
            return Inflated(b"".join(chunks), "stream truncated")
        rest = d.unused_data
        if rest[:2] != GZIP_MAGIC:
            return Inflated(b"".join(chunks))


def _deflate(data: bytes, limit: int) -> Inflated:
    """HTTP "deflate" is meant to be zlib (RFC 9110 8.4.1.2); some servers send raw deflate."""
    wrapped = _zlib_stream(data, zlib.MAX_WBITS, limit)
    if wrapped.error is None or wrapped.data:
        return wrapped
    raw = _zlib_stream(data, -zlib.MAX_WBITS, limit)
    return raw if raw.error is None or raw.data else wrapped


def _brotli(data: bytes, limit: int) -> Inflated:
    d = brotli.Decompressor()
    chunks: list[bytes] = []
    total = 0
    try:
        for i in range(0, len(data), _BROTLI_STEP):
            out = d.process(data[i : i + _BROTLI_STEP])
            total += len(out)
            if total > limit:
                return Inflated(b"", over_limit=True, consumed=min(len(data), i + _BROTLI_STEP))
            chunks.append(out)
            if d.is_finished():
                break
    except brotli.error as e:
        return Inflated(b"".join(chunks), str(e) or "not a brotli stream")
    if not d.is_finished():
        return Inflated(b"".join(chunks), "stream truncated")
    return Inflated(b"".join(chunks))


def _zstd(data: bytes, limit: int) -> Inflated:
    chunks: list[bytes] = []
    total = 0
    try:
        with zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True) as reader:
            while True:
                out = reader.read(limit - total + 1)
                if not out:
                    break
                total += len(out)
                if total > limit:
                    return Inflated(b"", over_limit=True, consumed=len(data))  # the reader does not say
                chunks.append(out)
    except zstandard.ZstdError as e:
        return Inflated(b"".join(chunks), str(e))
    # The reader ends quietly on a cut stream; the frame header's content size (when given) tells.
    try:
        declared = zstandard.frame_content_size(data)
    except zstandard.ZstdError:
        declared = -1
    if (total == 0 and declared != 0) or total < declared:
        return Inflated(b"".join(chunks), "stream truncated")
    return Inflated(b"".join(chunks))


def inflate_windows(encoding: str, data: bytes | bytearray, window: int, cap: int) -> Iterator[bytes]:
    """Decompress ``data`` as ``encoding`` one window (at most ``window`` bytes) at a time, up to ``cap``
    bytes in all: a stream too large to hold is read in pieces, each dropped before the next.
    A damaged stream simply ends (:func:`inflate` says why)."""
    # Inflated a mebibyte at a time, then cut: zlib copies the input left over at each call.
    step = max(window, _INFLATE_STEP)
    if encoding in ("gzip", "deflate"):
        chunks = _zlib_windows(data, encoding, step)
    elif encoding == "br":
        chunks = _brotli_windows(data, step)
    elif encoding == "zstd":
        chunks = _zstd_windows(data, step)
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    total = 0
    for chunk in chunks:
        for start in range(0, len(chunk), window):
            piece = chunk[start : start + window]
            if total + len(piece) > cap:
                if cap > total:
                    yield piece[: cap - total]
                return
            total += len(piece)
            yield piece


def _zlib_windows(data: bytes | bytearray, encoding: str, window: int) -> Iterator[bytes]:
    if encoding == "gzip":
        wbits = 16 + zlib.MAX_WBITS
    else:
        wbits = zlib.MAX_WBITS if sniff(data) == "deflate" else -zlib.MAX_WBITS
    d = zlib.decompressobj(wbits)
    rest = data
    while True:
        try:
            out = d.decompress(rest, window)
        except zlib.error:
            return
        if out:
            yield out
        rest = d.unconsumed_tail
        if d.eof:
            rest = d.unused_data
            if encoding != "gzip" or rest[:2] != GZIP_MAGIC:
                return
            d = zlib.decompressobj(wbits)  # the next member (RFC 1952 2.2)
        elif not out and not rest:
            return


def _brotli_windows(data: bytes | bytearray, window: int) -> Iterator[bytes]:
    d = brotli.Decompressor()
    pending = bytearray()
    try:
        for i in range(0, len(data), _BROTLI_STEP):
            pending += d.process(data[i : i + _BROTLI_STEP])
            while len(pending) >= window:
                yield bytes(pending[:window])
                del pending[:window]
            if d.is_finished():
                break
    except brotli.error:
        pass
    if pending:
        yield bytes(pending)


def _zstd_windows(data: bytes | bytearray, window: int) -> Iterator[bytes]:
    try:
        with zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True) as reader:
            while out := reader.read(window):
                yield out
    except zstandard.ZstdError:
        return
