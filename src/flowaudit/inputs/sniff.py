"""Telling capture formats apart by their first bytes, never by file name.

Captures get renamed, exported without extensions and shared as
``capture.txt``; a folder of captures also holds the scripts and pages that
produced them. Looking at the content is the only reliable way to know what
a file is, and the first few kilobytes are enough:

* a mitmproxy flow file is a stream of tnetstrings, each flow a dictionary:
  ``<digits>:`` then the first key, itself ``<digits>:<key>`` ended by ``;``
  or ``,`` (text or bytes);
* a HAR file is a JSON object whose (only) key is ``"log"``, possibly after a
  UTF-8 byte-order mark (Fiddler, Windows tools) and whitespace;
* either may be zlib-compressed (mitmproxy's ``.zhar``) or gzipped.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from flowaudit.inputs.stream import ZLIB_OR_GZIP

HEAD = 4096
BOM = b"\xef\xbb\xbf"

_TNETSTRING_DICT = re.compile(rb"(\d{1,12}):(\d{1,12}):")
_HAR = re.compile(rb'\s*\{\s*"log"\s*:')
_FIRST_KEY = re.compile(rb'\s*\{\s*"((?:[^"\\]|\\.){0,40})')

_EMPTY = "an empty file"

# Magic numbers of things people mistake for captures, to say what was found.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first: zstd -d)"),
    (b"\xd4\xc3\xb2\xa1", "a pcap packet capture (record with mitmproxy, or export a HAR)"),
    (b"\xa1\xb2\xc3\xd4", "a pcap packet capture (record with mitmproxy, or export a HAR)"),
    (b"\x0a\x0d\x0d\x0a", "a pcapng packet capture (record with mitmproxy, or export a HAR)"),
    (b"PK\x03\x04", "a zip archive (unpack it first)"),
)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What a file holds: ``format`` is "mitm", "har" or None (not a capture)."""

    format: str | None
    compressed: bool = False
    found: str = ""  # what the content looks like, for the error message

    @property
    def empty(self) -> bool:
        return self.found == _EMPTY


def sniff(path: Path) -> Sniffed:
    """Classify a file by its first bytes. Raises OSError if it cannot be read."""
    with path.open("rb") as f:
        head = f.read(HEAD)
    if not head:
        return Sniffed(None, found=_EMPTY)
    if _is_zlib_or_gzip(head):
        inner = _inflate_head(head)
        if inner is not None:
            kind = _classify(inner)
            if kind.format is not None:
                return Sniffed(kind.format, compressed=True)
            return Sniffed(None, compressed=True, found=f"compressed data holding {kind.found}")
    return _classify(head)


def _is_zlib_or_gzip(head: bytes) -> bool:
    if head.startswith(b"\x1f\x8b"):
        return True
    # RFC 1950: deflate method 8 with a window up to 32K (0x78), header checksum.
    return len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0


def _inflate_head(head: bytes) -> bytes | None:
    try:
        return zlib.decompressobj(ZLIB_OR_GZIP).decompress(head, HEAD)
    except zlib.error:
        return None  # merely starts like zlib; judge the bytes as they are


def _classify(head: bytes) -> Sniffed:
    if not head:
        return Sniffed(None, found=_EMPTY)
    if _is_tnetstring_dict(head):
        return Sniffed("mitm")
    text = head.removeprefix(BOM)
    if _HAR.match(text):
        return Sniffed("har")
    stripped = text.lstrip()
    if stripped.startswith(b"{"):
        key = _FIRST_KEY.match(stripped)
        first = f' (its first key is "{key.group(1).decode("utf-8", "replace")}")' if key else ""
        return Sniffed(None, found=f'JSON that is not a HAR: no top-level "log" object{first}')
    if stripped.startswith(b"["):
        return Sniffed(None, found="a JSON array, not a HAR object")
    if stripped.startswith(b"<"):
        return Sniffed(None, found="HTML or XML")
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            return Sniffed(None, found=what)
    return Sniffed(None, found=_describe_bytes(text))


def _is_tnetstring_dict(head: bytes) -> bool:
    m = _TNETSTRING_DICT.match(head)
    if m is None:
        return False
    type_at = m.end() + int(m.group(2))
    if type_at >= len(head):
        return True  # first key runs past the sniffed bytes; the reader will judge
    return head[type_at : type_at + 1] in (b";", b",")


def _describe_bytes(data: bytes) -> str:
    sample = data[:200]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 3:  # not just a character cut at the sample's end
            return "binary data"
        text = sample[: e.start].decode("utf-8")
    if any(not (c.isprintable() or c in "\r\n\t") for c in text):
        return "binary data"
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"text starting {first_line[:40]!r}" if first_line else "blank text"
