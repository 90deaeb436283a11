"""Taking long strings out of a JSON byte stream before the parser sees them.

A HAR's large values are strings: request bodies (``postData.text``) and
response bodies (``content.text``), often base64. ijson's C parser holds a
string in its lexer's buffer and its own, then hands Python a ``str``: a
64 MiB body took four times its size. So each string longer than a
threshold is read here from the raw bytes instead: decoded piece by piece
into one buffer (:mod:`flowaudit.inputs.jsonstring`), or only checked and
dropped when the reader has no use for it, and the parser is handed a
short placeholder string in its place. The reader swaps placeholders back
(:meth:`LongStrings.text`, :meth:`LongStrings.take`).

Whether a string is wanted, and how much of it, is asked of the caller
with its place: the keys of the containers around it that the bytes just
before it show (:data:`ITEM` for a list item, :data:`ANY` for a key written
with escapes). The caller adds the depth the nesting guard tracks.

The stream sits after the nesting guard and uses its state: whether a
chunk ends inside a string. Every chunk this returns ends outside strings,
with the start of a string still open held back until it closes or is
known to be long, so a long string is always seen from its opening quote,
and a placeholder is always returned alone, in a chunk of its own.

Every held string is kept until :meth:`LongStrings.release`: the reader
releases them once the entries they belong to have been read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Final

from flowaudit.inputs.jsonstring import LongString, StringError, StringReader
from flowaudit.inputs.nesting import NestingGuard


class _Slot:
    """A slot in a place that is not a key's name."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


ITEM: Final = _Slot("ITEM")  # a list item
ANY: Final = _Slot("ANY")  # a key that could be anything (written with escapes)
Slot = str | _Slot
Place = tuple[Slot, ...]

# Asked for each long string with its place (innermost last, the string's own key or ITEM
# at the end): how many bytes of it to keep, and whether that is sure (more of the place, if
# it were in view, could not change it).
Wanted = Callable[[Place], tuple[int, bool]]

_PIECE = 256 * 1024  # bytes read at once while inside a long string
_CONTEXTS = (4 * 1024, 32 * 1024, 256 * 1024)  # how far back a string's place is looked for, in turn
_QUOTE = ord('"')

# The content of a JSON string up to its closing quote (or the end of the bytes).
_CONTENT = re.compile(rb'(?:[^"\\]++|\\.)*+', re.DOTALL)
# Read backwards: text up to the first quote not escaped (one followed by an even run of backslashes).
_TO_OPENING = re.compile(rb'(?:[^"]++|"(?=(?:\\\\)*\\(?!\\)))*+', re.DOTALL)
# Reading JSON backwards (from a point outside strings): a run of what is neither a quote nor
# structure, a whole string (its quotes are those not followed by an odd run of backslashes), one
# structural character, or else a quote alone: a string cut by the start of what is read.
_BACKWARDS = re.compile(rb'[^"\[\]{}:,]++|"(?:[^"]++|"(?=(?:\\\\)*\\(?!\\)))*+"|[\[\]{}:,"]', re.DOTALL)


class LongStrings:
    """A JSON byte stream in which every string longer than ``threshold`` bytes is a placeholder."""

    def __init__(self, guard: NestingGuard, threshold: int, wanted: Wanted) -> None:
        self._guard = guard
        self._threshold = threshold
        self._wanted = wanted
        self._held = b""  # the start of a string open where the guard's last chunk ended
        self._rest = b""  # bytes from the guard after a long string, not yet looked at
        self._recent: list[bytes] = []  # what read() returned lately, at least _CONTEXTS[-1] bytes
        self._recent_size = 0
        self._reading: StringReader | None = None
        self._strings: dict[str, LongString] = {}
        # A capture cannot guess it (secrets.token_hex does the same, but importing secrets brings random).
        self._prefix = f"\x00{os.urandom(8).hex()}:"
        self._count = 0

    @property
    def holding(self) -> bool:
        """Whether any string is held (else no value read so far is a placeholder)."""
        return bool(self._strings)

    def read(self, n: int, /) -> bytes:
        if n == 0:  # ijson probes the type of what read() returns with read(0)
            return b""
        while True:
            if self._reading is not None:
                return self._finish_string()
            chunk, self._rest = (self._rest, b"") if self._rest else (self._guard.read(n), b"")
            if not chunk:
                end, self._held = self._held, b""
                return end  # a string still open at the end: the parser reports the cut
            data = self._held + chunk if self._held else chunk
            self._held = b""
            if not self._guard.in_string:
                return self._out(data)
            start = _opening(data)
            if start < 0:  # (only past a point where the bytes stop being JSON, and the parser stops there)
                return self._out(data)
            if len(data) - start - 1 < self._threshold:
                self._held = data[start:]
            else:
                self._begin(data, start)
            if start:
                return self._out(data[:start])

    def take(self, value: object) -> LongString | None:
        """The long string ``value`` stands for (forgotten here), or None if it is not a placeholder."""
        if isinstance(value, str) and value.startswith(self._prefix):
            return self._strings.pop(value, None)
        return None

    def text(self, value: object) -> object:
        """``value``, or the text of the long string it stands for."""
        if isinstance(value, str) and value.startswith(self._prefix) and value in self._strings:
            return self._strings[value].text()
        return value

    def resolve(self, value: object) -> None:
        """Replace every placeholder inside ``value`` (lists and objects, in place) by its text."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (dict, list)):
                    self.resolve(item)
                else:
                    value[key] = self.text(item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    self.resolve(item)
                else:
                    value[i] = self.text(item)

    def release(self) -> None:
        """Forget every string held: no value read later stands for one of them."""
        self._strings.clear()

    def _out(self, data: bytes) -> bytes:
        self._recent.append(data)
        self._recent_size += len(data)
        while self._recent_size - len(self._recent[0]) >= _CONTEXTS[-1]:
            self._recent_size -= len(self._recent.pop(0))
        return data

    def _begin(self, data: bytes, start: int) -> None:
        """A long string opens at ``data[start]``: read it, keeping what the caller wants of it."""
        before = [*self._recent, data[:start]]
        available = sum(map(len, before))
        limit = 0
        for size in _CONTEXTS:
            limit, sure = self._wanted(_place(_last(before, size)))
            if sure or size >= available:
                break
        self._reading = StringReader(limit)
        self._rest = data[start + 1 :]

    def _finish_string(self) -> bytes:
        """Read the long string being read to its closing quote; return its placeholder."""
        reading = self._reading
        assert reading is not None
        while True:
            chunk, self._rest = (self._rest, b"") if self._rest else (self._guard.read(_PIECE), b"")
            if not chunk:
                self._reading = None
                return b'"'  # the file ends inside the string: the parser reports the cut
            carry = reading.take_carry()
            text = carry + chunk if carry else chunk
            end = _CONTENT.match(text).end()  # type: ignore[union-attr]  # (matches the empty string)
            try:
                if end == len(text) or text[end] != _QUOTE:  # no closing quote yet
                    reading.feed(text)
                    continue
                reading.feed(text[:end])
                held = reading.finish()
            except StringError as e:
                self._reading = None
                raise StringError(f"lexical error: {e} (in a string of more than {self._threshold} bytes)") from e
            self._reading = None
            self._rest = text[end + 1 :]
            self._count += 1
            placeholder = f"{self._prefix}{self._count}"
            self._strings[placeholder] = held
            return self._out(b'"\\u0000' + placeholder[1:].encode("ascii") + b'"')


def _opening(data: bytes) -> int:
    """Where the string open at the end of ``data`` starts (its opening quote), or -1.

    ``data`` starts outside strings.
    """
    for size in (4096, len(data)):
        start = max(0, len(data) - size)
        while start and data[start - 1] == ord("\\"):
            start -= 1  # a run of backslashes is read whole
        tail = data[start:][::-1]
        inside = _TO_OPENING.match(tail).end()  # type: ignore[union-attr]  # (matches the empty string)
        if inside < len(tail):
            return len(data) - inside - 1
    return -1


def _place(before: bytes) -> Place:
    """The place of a string that opens right after ``before`` (which ends outside strings), as far as it shows.

    ``before`` is read backwards from its end, where it is known to be
    outside strings, so wherever it starts does not matter: a string its
    start cuts is where reading stops.
    """
    tokens: list[bytes] = _BACKWARDS.findall(before[::-1])
    if b'"' in tokens:
        del tokens[tokens.index(b'"') :]
    stack: list[Slot] = []
    key: Slot | None = ANY  # the first value in view may be that of a key out of view
    last: Slot | None = ANY
    for token in reversed(tokens):
        kind = token[-1]
        if kind == _QUOTE:
            raw = token[-2:0:-1]
            last = ANY if b"\\" in raw else raw.decode("utf-8", "replace")
        elif kind == ord(":"):
            key = last
        elif kind in b"[{":
            stack.append(ITEM if key is None else key)
            key = None
        elif kind in b"]},":
            key = None
            if kind != ord(",") and stack:
                stack.pop()
    return (*stack, ITEM if key is None else key)


def _last(pieces: list[bytes], size: int) -> bytes:
    """The last ``size`` bytes of ``pieces`` joined (with the run of backslashes it would cut)."""
    taken: list[bytes] = []
    for piece in reversed(pieces):
        taken.append(piece)
        size -= len(piece)
        if size <= 0:
            break
    joined = b"".join(reversed(taken))
    start = max(0, -size)
    while start and joined[start - 1] == ord("\\"):
        start -= 1
    return joined[start:]
