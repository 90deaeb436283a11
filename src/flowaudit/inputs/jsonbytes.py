"""The bytes of a HAR file, made safe for the streaming JSON parser.

Four things stand between a real HAR file and ijson:

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
* bytes that are not UTF-8 (a tool that wrote a Latin-1 header as it was,
  a file damaged in transit). ijson refuses them, and everything after is
  lost; each invalid sequence is replaced by U+FFFD instead, as any UTF-8
  decoder does, so the entry is read and the mark shows where;
* telling a file that ended early (truncated) from one that goes on with
  garbage: the parser's message alone does not say whether the end of the
  file had been reached.
"""

from __future__ import annotations

import codecs

from flowaudit.inputs.sniff import BOM
from flowaudit.inputs.stream import ByteSource
from flowaudit.safetext import mend_surrogates


class JsonBytes:
    """A byte stream for ijson: valid UTF-8, no byte-order mark, no lone surrogate escapes, knows its end."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._started = False
        self._held = b""  # bytes that cannot be judged until more arrive
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self.at_end = False

    def read(self, n: int, /) -> bytes:
        if n == 0:  # ijson probes the type of what read() returns with read(0)
            return b""
        while True:
            raw = self._source.read(n)
            final = not raw
            chunk = self._valid_utf8(raw, final)
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

    def _valid_utf8(self, raw: bytes, final: bool) -> bytes:
        """``raw`` with invalid UTF-8 replaced; a sequence cut at the chunk's end waits for the next."""
        if raw.isascii() and not self._utf8.getstate()[0]:
            return raw  # the common case, checked at C speed
        return self._utf8.decode(raw, final).encode("utf-8")
