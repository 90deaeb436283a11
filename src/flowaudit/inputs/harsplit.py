"""Cutting a HAR's ``log.entries`` list into entries, each parsed whole by the json module.

Building an entry with ijson costs a parse event at a time in its C
builder, and the byte layers under it (the nesting guard, the long-string
reader) each pass over every byte: reading the 20,000-entry real HAR took
0.72 s of parsing and layers. Python's own JSON scanner builds a whole entry
from text in 0.27 s. So the reader (:mod:`flowaudit.inputs.har`) hands
plain entries to :meth:`EntrySplitter.next` and keeps its streaming
machinery for everything else:

* an entry that may hold a string longer than the long-string threshold,
  or nests deeper than the bound, is handed back as its JSON text, to be read
  alone by the streaming reader (it is complete and at most a window long);
* an entry not complete within :data:`WINDOW` characters (one huge value),
  invalid JSON, the end of the list or of the file: the splitter stops, and
  the streaming reader reads the rest of the file (:meth:`EntrySplitter.rest`),
  reporting any break as it always has.

Memory stays bounded by the window: text is taken from the source a chunk
at a time and dropped once its entries are read.

Only the JSON the streaming parser reads the same way is taken: the json
module also reads ``NaN`` and ``Infinity`` and numbers past 64 bits or a
double's range, which are refused here; what is refused, and what the json
module cannot read, stops the splitter like any other error.
"""

from __future__ import annotations

import codecs
import json
import math
import re

from flowaudit.inputs.jsonbytes import JsonBytes
from flowaudit.inputs.stream import CHUNK, CorruptStream

# Characters of the file held at most while one entry is incomplete; a longer entry stops the splitter.
WINDOW = 1024 * 1024

# The opening of ``log.entries``, found in the first bytes of the file (at most HEAD bytes of them).
_ENTRIES = re.compile(rb'"entries"[ \t\n\r]*:[ \t\n\r]*\[')
_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_GOES_ON = "0123456789+-.eE"


def _refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


# The streaming parser (yajl) reads integers as 64-bit and refuses the rest ("integer
# overflow"), and refuses a number too large for a double ("numeric (floating point)
# overflow"): the json module reads both, so the splitter stops there and leaves them to it.
_INT_BOUND = 2**63 - 1


def _integer(text: str) -> int:
    if len(text) < 19:  # 18 digits and a sign: the common case, compared as a short int
        return int(text)
    value = int(text)
    if -_INT_BOUND < value < _INT_BOUND:
        return value
    raise ValueError(f"{text} is more than 64 bits")


def _number(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is too large")
    return value


_JSON = json.JSONDecoder(parse_constant=_refuse, parse_int=_integer, parse_float=_number)


# One element of ``log.entries``: (the element parsed, None), or (None, its JSON text) when
# the streaming reader must read it.
Entry = tuple[object, str | None]


class EntrySplitter:
    """The elements of ``log.entries``, parsed one at a time from ``source``.

    Strings longer than ``long`` bytes and lists and objects nested more
    than ``deep`` levels within an element are left to the streaming reader.
    """

    def __init__(self, source: JsonBytes, long: int, deep: int) -> None:
        self._source = source
        self._long = long
        self._deep = deep
        self._decoder = codecs.getincrementaldecoder("utf-8")()  # JsonBytes gives valid UTF-8 only
        self._text = ""  # the window: text read and not yet consumed, from self._pos on
        self._pos = 0
        self._dropped = 0  # characters dropped from the window's start
        self._ended = False  # nothing more can be read: the source gave its last byte, or broke
        self._complete = False  # the source gave its last byte
        self.broken: CorruptStream | None = None  # why the source broke, to be raised after the bytes read before
        self._unread = b""  # bytes read before the splitter gave up on the document's head

    @property
    def position(self) -> int:
        """Characters of the file consumed (the entries returned and the head)."""
        return self._dropped + self._pos

    def head(self) -> bytes | None:
        """The document up to and including the ``[`` opening ``log.entries``, if it is plain; else None.

        Plain: found within the first bytes, holding no long string, nested
        within the bound, valid JSON as far as it goes, its last key that of
        ``log`` and the last key of ``log`` that of ``entries``. Otherwise the
        streaming reader reads the whole file (from :meth:`rest`).
        """
        data = b""
        while (found := _ENTRIES.search(data)) is None:
            if len(data) >= min(self._long, WINDOW) or self._ended:
                self._unread = data
                return None
            data += self._read(CHUNK)
        head = data[: found.end()]
        if len(head) > self._long or not _plain_head(head, self._deep + 3):
            self._unread = data
            return None
        self._text = self._decoder.decode(data[found.end() :])
        self._dropped = len(head)  # (in bytes: the position only sizes batches)
        return head

    def rest(self) -> bytes:
        """What was read and not consumed: the streaming reader's first bytes (the splitter lets go of them)."""
        rest = self._unread + self._text[self._pos :].encode("utf-8") + self._decoder.getstate()[0]
        self._unread, self._text, self._pos = b"", "", 0
        return rest

    def next(self, first: bool) -> Entry | None:
        """The next element (``first``: none was read before), or None where the splitter stops.

        Stops at the end of the list or wherever the streaming reader is
        needed; :meth:`rest` then starts right after the last element returned
        (or at the list's first byte).
        """
        start = self._skip(self._pos)
        if start < 0:
            return None
        if not first:
            if self._text[start] != ",":
                return None
            start = self._skip(start + 1)
            if start < 0:
                return None
        elif self._text[start] == "]":
            return None
        while True:
            try:
                value, end = _JSON.raw_decode(self._text, start)
            except RecursionError:
                return None  # nested past the interpreter's bound: the streaming reader cuts it
            except ValueError:
                end = -1  # incomplete, or not JSON
            # A number read to the end of the window, or to a character that could go on
            # with it ("1e" then "5"), may go on in the next bytes.
            if end >= 0 and (self._complete or (end < len(self._text) and self._text[end] not in _NUMBER_GOES_ON)):
                break
            shift = self._more()
            if shift < 0:
                return None
            start -= shift
        self._pos = end
        size = end - start
        if size * 4 <= self._long or (size <= self._long and self._text[start:end].isascii()):
            if self._text.count("{", start, end) + self._text.count("[", start, end) <= self._deep:
                return value, None
            if not _deeper(value, self._deep):
                return value, None
        return None, self._text[start:end]

    def _skip(self, at: int) -> int:
        """Where the first character after whitespace from ``at`` is, reading more as needed; -1 at the end."""
        while True:
            at = _SPACE.match(self._text, at).end()  # type: ignore[union-attr]  # (matches the empty string)
            if at < len(self._text):
                return at
            shift = self._more()
            if shift < 0:
                return -1
            at -= shift

    def _more(self) -> int:
        """Read more text into the window; return by how much positions moved, or -1 if no more can be held."""
        unread = len(self._text) - self._pos
        if self._ended or unread >= WINDOW:
            return -1
        shift = self._pos
        self._text = self._text[shift:]
        self._dropped += shift
        self._pos = 0
        # Doubling while one entry is incomplete: each try parses it again from its start.
        self._text += self._decoder.decode(self._read(min(max(CHUNK, unread), WINDOW - unread)), self._complete)
        return shift

    def _read(self, n: int) -> bytes:
        try:
            chunk = self._source.read(n)
        except CorruptStream as e:
            self.broken = e
            chunk = b""
        self._ended = not chunk
        self._complete = self._ended and self.broken is None
        return chunk


def _plain_head(head: bytes, deep: int) -> bool:
    """Whether ``head`` (ending with the ``[`` of ``log.entries``) opens a HAR document plainly."""
    try:
        document = _JSON.decode((head + b"]}}").decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    log = document.get("log") if isinstance(document, dict) else None
    return (
        isinstance(document, dict)
        and isinstance(log, dict)
        and list(document)[-1] == "log"
        and list(log)[-1] == "entries"
        and not _deeper(document, deep)
    )


def _deeper(value: object, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels deep in ``value``."""
    level = [value]
    depth = 0
    while True:
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            return False
        depth += 1
        if depth > limit:
            return True
        level = []
        for container in containers:
            level.extend(container.values() if isinstance(container, dict) else container)


class Spliced:
    """``first``, then ``broken`` raised if given, then what ``rest`` reads (if anything): the streaming reader's bytes.

    Knows its end as :class:`JsonBytes` does, to tell a truncated file from a broken one.
    """

    def __init__(self, first: bytes, rest: JsonBytes | None, broken: CorruptStream | None = None) -> None:
        self._first = first
        self._at = 0
        self._rest = rest
        self._broken = broken

    @property
    def at_end(self) -> bool:
        if self._rest is not None:
            return self._rest.at_end
        return self._at >= len(self._first)

    def read(self, n: int, /) -> bytes:
        if self._at < len(self._first):
            chunk = self._first[self._at : self._at + n]
            self._at += len(chunk)
            if self._at == len(self._first):
                self._first, self._at = b"", 0  # let go of them
            return chunk
        if self._broken is not None:
            raise self._broken
        return self._rest.read(n) if self._rest is not None else b""
