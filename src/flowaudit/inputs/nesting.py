"""Bounding how deeply a JSON byte stream nests, before a parser sees it.

A HAR file is parsed by ijson's C backend, which builds whole entries
without handing each parse event to Python. Nesting must still be bounded
before the parser sees it: ijson computes a prefix for every level (memory
quadratic in the depth: 80 KB of ``[`` took 3.9 GB), and what it builds
must stay within Python's recursion limit downstream. Checking the depth
event by event in Python cost about a third of a HAR audit; this guard
checks it on the bytes, a chunk at a time.

Most chunks are judged with a few whole-chunk ``bytes`` operations (C
speed): escape pairs are removed, everything but quotes and brackets is
deleted, the brackets inside strings are dropped, and matched bracket
pairs are removed layer by layer. What is left bounds the deepest point of
the chunk. Only a chunk that might go past the bound (none in real
exports, which nest 9 levels at most) is walked byte by byte, and there a
value nested past the bound is replaced by a JSON string, the marker, so
the parser reads the entry holding it and every entry after as usual.

Invalid JSON can mislead the judgement only after the point where it stops
being JSON, and the parser stops there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flowaudit.inputs.stream import ByteSource

# An escape pair other than an escaped quote: once these are gone, every
# backslash left escapes a quote (or ends the chunk, escaping what comes next).
# Real exports hold many escaped quotes (JSON bodies as text) and few others.
_NOT_QUOTE_ESCAPE = re.compile(rb'\\[^"]', re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}\\')
# An escaped quote then reads as two quotes: a pair, which encloses nothing and
# leaves whether what follows is inside a string as it was; removing the pairs
# with every other pair of adjacent quotes is one pass. (A backslash outside
# strings is not JSON: the parser stops there.)
_QUOTE_PAIR = bytes.maketrans(b"\\", b'"')
_ROUND = bytes.maketrans(b"[{]}", b"(())")  # lists and objects alike: only depth matters
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")


class NestingGuard:
    """A byte stream of JSON in which no list or object nests more than ``limit`` levels.

    A value that would open level ``limit + 1`` is replaced by ``marker``
    (JSON text: a string), and ``on_cut`` is called once for it.
    """

    def __init__(self, source: ByteSource, limit: int, marker: bytes, on_cut: Callable[[], None]) -> None:
        self._source = source
        self._limit = limit
        self._marker = marker
        self._on_cut = on_cut
        self._depth = 0  # lists and objects open where the last chunk ended
        self._in_string = False
        self._escaped = False  # the last chunk ended inside a string, on an unpaired backslash
        self._cut_at = -1  # while a too-deep value is being left out: the depth it opened at

    @property
    def depth(self) -> int:
        """Lists and objects open at the end of what :meth:`read` last returned."""
        return self._depth

    @property
    def in_string(self) -> bool:
        """Whether what :meth:`read` last returned ends inside a string."""
        return self._in_string

    def read(self, n: int, /) -> bytes:
        while True:
            chunk = self._source.read(n)
            if not chunk:
                return chunk
            if self._cut_at < 0 and self._fits(chunk):
                return chunk
            kept = self._walk(chunk)
            if kept:
                return kept  # else: the whole chunk was inside a value left out; b"" would mean the end

    def _fits(self, chunk: bytes) -> bool:
        """Whether ``chunk`` stays within the bound; if so, the state moves past it."""
        text = chunk[1:] if self._escaped else chunk
        if b"\\" in text:
            text = _NOT_QUOTE_ESCAPE.sub(b"", text)
        escaped = text.endswith(b"\\")
        structure = text.translate(_QUOTE_PAIR, _NOT_STRUCTURE)
        if escaped:
            structure = structure[:-1]
        # Pairs of adjacent quotes go (escaped quotes among them; they enclose
        # nothing): what is left splits into text outside strings and inside them.
        structure = structure.replace(b'""', b"")
        pieces = structure.split(b'"')
        outside = pieces[1::2] if self._in_string else pieces[::2]
        brackets = b"".join(outside).translate(_ROUND)
        # Each pass removes the innermost matched pairs; `levels` passes mean
        # matched pairs nest `levels` deep within the chunk. What stays is
        # closings of levels opened before, then openings not closed here.
        levels = 0
        while self._depth + levels <= self._limit:
            inner = brackets.replace(b"()", b"")
            if len(inner) == len(brackets):
                break
            brackets, levels = inner, levels + 1
        opened = len(brackets) - len(brackets.rstrip(b"("))
        if self._depth + opened + levels > self._limit:
            return False
        self._depth = max(0, self._depth - (len(brackets) - opened)) + opened
        self._in_string ^= len(pieces) % 2 == 0
        self._escaped = escaped and self._in_string
        return True

    def _walk(self, chunk: bytes) -> bytes:
        """``chunk`` read byte by byte, with any value nested too deep left out (its marker in its place)."""
        kept = bytearray()
        start = 0  # where the bytes still to keep begin; past the end while leaving a value out
        depth, in_string, escaped, cut_at = self._depth, self._in_string, self._escaped, self._cut_at
        if cut_at >= 0:
            start = len(chunk)
        for i, byte in enumerate(chunk):
            if in_string:
                if escaped:
                    escaped = False
                elif byte == _BACKSLASH:
                    escaped = True
                elif byte == _QUOTE:
                    in_string = False
            elif byte == _QUOTE:
                in_string = True
            elif byte in _OPEN:
                if cut_at < 0 and depth == self._limit:
                    kept += chunk[start:i]
                    kept += self._marker
                    self._on_cut()
                    cut_at, start = depth, len(chunk)
                depth += 1
            elif byte in _CLOSE:
                depth = max(0, depth - 1)
                if depth == cut_at:
                    cut_at, start = -1, i + 1
        kept += chunk[start:]
        self._depth, self._in_string, self._escaped, self._cut_at = depth, in_string, escaped, cut_at
        return bytes(kept)
