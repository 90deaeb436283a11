"""The byte streams capture readers pull from.

Two concerns live here so that neither reader has to know about them:

* custody: every byte taken from the file on disk goes through
  :class:`HashingReader`, so the SHA-256 in the report is of the exact file
  that was audited, computed in the same single pass that reads it;
* compression: mitmproxy writes ``.zhar`` files as zlib-compressed HAR, and
  people gzip captures to share them. :class:`InflatingReader` undoes either
  on the fly, never inflating more than the reader asked for, so a small
  file that inflates to gigabytes is streamed like a large one.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import BinaryIO, Protocol

CHUNK = 64 * 1024

# zlib.decompressobj: 32 + 15 accepts a zlib or a gzip header, detected automatically.
ZLIB_OR_GZIP = 32 + zlib.MAX_WBITS


class ByteSource(Protocol):
    """Anything with ``read(n)``; returns b"" only at the end of the data."""

    def read(self, n: int, /) -> bytes: ...


class CorruptStream(ValueError):
    """The compressed data cannot be decompressed (not merely cut short)."""


class HashingReader:
    """Reads a file and hashes every byte read, in order."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._sha = hashlib.sha256()

    def read(self, n: int, /) -> bytes:
        data = self._raw.read(n)
        self._sha.update(data)
        return data

    def finish(self) -> str:
        """Hash whatever a reader left unread and return the whole file's SHA-256."""
        while data := self._raw.read(CHUNK):
            self._sha.update(data)
        return self._sha.hexdigest()


class InflatingReader:
    """Decompresses zlib or gzip data (including concatenated gzip members)."""

    def __init__(self, inner: ByteSource) -> None:
        self._inner = inner
        self._inflater = zlib.decompressobj(ZLIB_OR_GZIP)

    def read(self, n: int, /) -> bytes:
        out = bytearray()
        while len(out) < n:
            if self._inflater.eof:
                # Whatever follows the end of a stream must be another gzip member.
                feed = self._inflater.unused_data or self._inner.read(CHUNK)
                if not feed:
                    break
                self._inflater = zlib.decompressobj(ZLIB_OR_GZIP)
            else:
                feed = self._inflater.unconsumed_tail or self._inner.read(CHUNK)
            try:
                got = self._inflater.decompress(feed, n - len(out))
            except zlib.error as e:
                raise CorruptStream(f"compressed data is corrupt ({e})") from e
            out += got
            if not feed and not got:
                break  # end of file; a stream cut short just ends here
        return bytes(out)
