"""The bytes of a HAR file, made safe for the streaming JSON parser.

Three things stand between a real HAR file and ijson:

* a UTF-8 byte-order mark, which Fiddler and other Windows tools write and
  JSON parsers reject;
* lone UTF-16 surrogate escapes (``"\\udc88"``). JSON allows them, and they
  are common: mitmproxy's HAR export writes body bytes that are not valid
  in the declared charset as surrogate escapes (a gzip body labelled
  ``application/json`` is enough), and browsers serialise JavaScript strings
  holding half of an emoji the same way. ijson's C backend turns such an
  escape into bytes Python will not decode and fails with a
  UnicodeDecodeError, losing every entry after it. Each lone surrogate
  escape is therefore replaced, before parsing, by ``\\ufffd`` (the
  replacement character): same length, valid JSON, and a body keeps its
  readable parts. Surrogate pairs (emoji) are valid and left alone;
* telling a file that ended early (truncated) from one that goes on with
  garbage: the parser's message alone does not say whether the end of the
  file had been reached.
"""

from __future__ import annotations

import re

from flowaudit.inputs.sniff import BOM
from flowaudit.inputs.stream import ByteSource

# "\uD800" to "\uDFFF" written as an escape, and a low surrogate ("\uDC00" on).
# Whether the backslash really starts an escape depends on the backslashes
# before it, which a regular expression would have to look back for at every
# byte (slow); so candidates are found fast and that is checked for each.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_HIGH_NIBBLE = frozenset(b"89abAB")
_REPLACEMENT = rb"\ufffd"  # as long as the escape it replaces
_LOOKAHEAD = 12  # length of an escaped pair: enough bytes to judge any escape
_BACKSLASH = ord("\\")


class JsonBytes:
    """A byte stream for ijson: no byte-order mark, no lone surrogate escapes, knows its end."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._started = False
        self._held = b""  # bytes that cannot be judged until more arrive
        self.at_end = False

    def read(self, n: int, /) -> bytes:
        if n == 0:  # ijson probes the type of what read() returns with read(0)
            return b""
        while True:
            chunk = self._source.read(n)
            final = not chunk
            data = self._held + chunk
            if not self._started:
                if len(data) < len(BOM) and not final:
                    self._held = data
                    continue
                self._started = True
                data = data.removeprefix(BOM)
            ready, self._held = mend_surrogates(data, final=final)
            if ready or final:
                self.at_end = not ready
                return ready


def mend_surrogates(data: bytes, *, final: bool) -> tuple[bytes, bytes]:
    """Replace lone surrogate escapes; return (bytes ready to parse, bytes to hold back).

    Unless ``final``, the last bytes are held back: an escape there might
    be cut, or be the first half of a pair whose second half has not
    arrived. The split never falls inside a run of backslashes or a pair, so
    the held bytes are judged afresh, correctly, with the next ones.
    """
    limit = len(data) if final else len(data) - _LOOKAHEAD
    cut = max(limit, 0)
    mended: bytearray | None = None  # a copy, made at the first change
    pair_end = 0
    for m in _SURROGATE_ESCAPE.finditer(data):
        at = m.start()
        if at < pair_end:
            continue  # the second half of a pair
        if at >= limit:
            cut = min(cut, _run_start(data, at))  # judge it with the bytes after it
            break
        if (at - _run_start(data, at)) % 2:
            continue  # its backslash is escaped: literal text "\\u..."
        if data[at + 3] in _HIGH_NIBBLE and _LOW_SURROGATE_ESCAPE.match(data, at + 6):
            pair_end = at + 12  # a valid pair: keep, and never split it
            if pair_end > cut:
                cut = min(cut, _run_start(data, at))
            continue
        if mended is None:
            mended = bytearray(data)
        mended[at : at + 6] = _REPLACEMENT
    result = bytes(mended) if mended is not None else data
    while cut > 0 and result[cut - 1] == _BACKSLASH:
        cut -= 1
    return result[:cut], result[cut:]


def _run_start(data: bytes, at: int) -> int:
    """Where the run of backslashes ending at ``at`` (inclusive) starts."""
    start = at
    while start > 0 and data[start - 1] == _BACKSLASH:
        start -= 1
    return start
