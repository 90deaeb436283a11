"""The identifying values one recipient received, each with the first request that carried it.

A recipient remembers up to :data:`flowaudit.engine.tally.IDENTIFIER_VALUES` values to spot the
same value at another company, and a long capture of fresh ids (an event id per request) fills
that many at every tracker. Only the few values that do reach two companies are ever cited, so
the rest are kept as small as they can be while staying exact:

* the texts a value shares with others (data type, host, place, detector, ...) once per store,
  as one row of a table the value points into;
* the request line, which is the first request's own text, once per request and deflated
  against the first request line kept for its host (requests to one host differ in a few ids:
  a 300-character analytics hit keeps about 20 bytes), so no kept value holds a copy of it;
* the flow reference ``file#n`` as its file (one row per input) and its number.

* the values themselves as their UTF-8 bytes, one after the other in a single buffer, found by
  an open-addressing table of their hashes (arrays of machine integers), and the request lines
  likewise in one buffer: a ``str`` key, its dict entry and its number, and a ``bytes`` object per
  line, cost about 190 bytes a value more, all in small objects scattered among the short-lived
  ones of the requests being read.

Without this a value cost about 580 bytes (its :class:`Identifier`, the request line and the
reference held for it alone), so memory kept growing with the capture until every tracker had
its 2,000 values; with it a value costs about 60 bytes and its request 25 to 45 (the 100,000-flow
bench capture, where two trackers fill their 2,000 between 10,000 and 100,000 flows: 830 KiB
of Python objects before, 395 KiB after, the texts they share included). Everything is read
back exactly.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flowaudit.model import Evidence

# Raw deflate (no header or checksum: the bytes never leave this process) with a 2 KiB window and
# little state: a request line is short, and zlib's defaults (32 KiB, memLevel 8) made each
# compressor cost over a millisecond to set up, against about 0.1 ms.
_WBITS = -11
_MEM_LEVEL = 2


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifying value a recipient received: the first request that carried it.

    Kept as the parts of its evidence, not as an :class:`Evidence`: it is cited only when the
    value reaches another company, with the value shown its own way (:meth:`cited`)."""

    data_type: str
    host: str
    flow: str
    request: str
    location: str
    decoding: tuple[str, ...]
    how: str
    detector: str
    source: str
    property: str

    def cited(self, excerpt: str, value: str) -> Evidence:
        """The first request that carried it, as evidence showing the value as ``excerpt``."""
        return Evidence(
            flow=self.flow,
            location=self.location,
            decoding=self.decoding,
            data_type=self.data_type,
            how=self.how,
            excerpt=excerpt,
            request=self.request,
            value=value,
            detector=self.detector,
            source=self.source,
            property=self.property,
        )


# What values share: (data type, host, location, decoding, how, detector, source, property).
_Kind = tuple[str, str, str, tuple[str, ...], str, str, str, str]


class IdentifierValues(Mapping[str, Identifier]):
    """Value -> the first request that carried it, in the order first seen (see the module's docstring).

    Reading a value builds its :class:`Identifier` afresh; :meth:`kind` reads its data type and
    host without building it. Every table grows by at most one row per value kept, so the
    store is bounded by the number of values its holder lets in."""

    __slots__ = (
        "_base_of", "_bases", "_file_at", "_file_of", "_files", "_flows", "_hashes", "_kind_at", "_kinds",
        "_line_ends", "_lines", "_of_kind", "_of_request", "_recent", "_slots", "_value_ends", "_values",
    )  # fmt: skip

    def __init__(self) -> None:
        # Value number n: its bytes end at _value_ends[n] in _values, its hash is _hashes[n]; a slot
        # of _slots (a power of two of them, at most half used) holds n + 1, or 0 when free.
        self._values = bytearray()
        self._value_ends = array("I")
        self._hashes = array("q")
        self._slots = array("I", bytes(4 * _FIRST_SLOTS))
        # The last values found (a recipient is sent the same few ids request after request),
        # each found again by one dict lookup: at most _RECENT of them, emptied when full.
        self._recent: dict[str, int] = {}
        self._of_kind = array("I")  # value's number -> its row in _kinds
        self._of_request = array("I")  # value's number -> its request's number
        self._kinds: list[_Kind] = []
        self._kind_at: dict[_Kind, int] = {}
        # Per request: its line (UTF-8, deflated against line number _bases[n] unless that is
        # -1; ending at _line_ends[n] in _lines), and its flow reference: a row of _files and the
        # number after "#", or -1 when the row is the whole reference (one not of the form "file#n").
        self._lines = bytearray()
        self._line_ends = array("I")
        self._bases = array("i")
        self._base_of: dict[str, int] = {}  # host -> the number of its first request, kept whole
        self._files: list[str] = []
        self._file_at: dict[str, int] = {}
        self._file_of = array("I")
        self._flows = array("q")

    def __len__(self) -> int:
        return len(self._value_ends)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._find(value) >= 0

    def __iter__(self) -> Iterator[str]:
        for n in range(len(self._value_ends)):
            yield self._value(n)

    def __getitem__(self, value: str) -> Identifier:
        n = self._find(value) if isinstance(value, str) else -1
        if n < 0:
            raise KeyError(value)
        data_type, host, location, decoding, how, detector, source, prop = self._kinds[self._of_kind[n]]
        request = self._of_request[n]
        return Identifier(
            data_type, host, self._ref(request), self._line(request), location, decoding, how, detector, source, prop
        )

    def kind(self, value: str) -> tuple[str, str]:
        """The data type and host ``value`` was first sent as and to."""
        n = self._find(value)
        if n < 0:
            raise KeyError(value)
        data_type, host, *_ = self._kinds[self._of_kind[n]]
        return data_type, host

    def add(self, value: str, host: str, evidence: Evidence) -> None:
        """Remember ``value`` (not kept yet), sent to ``host`` where ``evidence`` says."""
        e = evidence
        kind: _Kind = (e.data_type or "", host, e.location, e.decoding, e.how, e.detector, e.source, e.property)
        row = self._kind_at.get(kind)
        if row is None:
            row = self._kind_at[kind] = len(self._kinds)
            self._kinds.append(kind)
        n = len(self._value_ends)
        if 2 * (n + 1) > len(self._slots):
            self._grow()
        self._values += _utf8(value)
        self._value_ends.append(len(self._values))
        self._hashes.append(hash(value))
        self._slots[self._free_slot(hash(value))] = n + 1
        self._of_kind.append(row)
        self._of_request.append(self._request(host, e.flow, e.request))

    def _find(self, value: str) -> int:
        """The number of ``value``, or -1 when it is not kept."""
        found = self._recent.get(value)
        if found is not None:
            return found
        slots, mask, h = self._slots, len(self._slots) - 1, hash(value)
        i = h & mask
        encoded: bytes | None = None
        while (at := slots[i]) != 0:
            n = at - 1
            if self._hashes[n] == h:
                if encoded is None:
                    encoded = _utf8(value)
                if self._values[self._value_start(n) : self._value_ends[n]] == encoded:
                    if len(self._recent) >= _RECENT:
                        self._recent.clear()
                    self._recent[value] = n
                    return n
            i = (i + 1) & mask
        return -1

    def _free_slot(self, h: int) -> int:
        slots, mask = self._slots, len(self._slots) - 1
        i = h & mask
        while slots[i] != 0:
            i = (i + 1) & mask
        return i

    def _grow(self) -> None:
        """Twice the slots, every value placed again."""
        self._slots = array("I", bytes(8 * len(self._slots)))
        for n, h in enumerate(self._hashes):
            self._slots[self._free_slot(h)] = n + 1

    def _value_start(self, n: int) -> int:
        return self._value_ends[n - 1] if n else 0

    def _value(self, n: int) -> str:
        return self._values[self._value_start(n) : self._value_ends[n]].decode("utf-8", "surrogatepass")

    def _request(self, host: str, ref: str, line: str) -> int:
        """The number of request ``ref``: the last one kept when it is the same (a request
        carries several values, remembered one after the other), else a new one."""
        n = len(self._line_ends)
        if n and self._ref(n - 1) == ref:
            return n - 1
        file, _, number = ref.rpartition("#")
        if file and number.isascii() and number.isdigit() and str(int(number)) == number:  # reads back as written
            self._flows.append(int(number))
        else:
            file = ref
            self._flows.append(-1)
        row = self._file_at.get(file)
        if row is None:
            row = self._file_at[file] = len(self._files)
            self._files.append(file)
        self._file_of.append(row)
        text = _utf8(line)  # a request line may hold any code point
        base = self._base_of.setdefault(host, n)
        kept, based = text, -1
        if base != n:
            packer = zlib.compressobj(wbits=_WBITS, memLevel=_MEM_LEVEL, zdict=self._stored_line(base))
            packed = packer.compress(text) + packer.flush()
            if len(packed) < len(text):
                kept, based = packed, base
        self._lines += kept
        self._line_ends.append(len(self._lines))
        self._bases.append(based)
        return n

    def _ref(self, request: int) -> str:
        file, number = self._files[self._file_of[request]], self._flows[request]
        return file if number < 0 else f"{file}#{number}"

    def _stored_line(self, request: int) -> bytes:
        """Request ``request``'s line as stored (deflated, or whole)."""
        start = self._line_ends[request - 1] if request else 0
        return bytes(self._lines[start : self._line_ends[request]])

    def _line(self, request: int) -> str:
        data, base = self._stored_line(request), self._bases[request]
        if base >= 0:
            data = zlib.decompressobj(wbits=_WBITS, zdict=self._stored_line(base)).decompress(data)
        return data.decode("utf-8", "surrogatepass")


# Values found again by a dict lookup (IdentifierValues._recent): a few KiB a store.
_RECENT = 32
# Slots of a new store: most recipients keep a handful of values (room for 4 before it doubles).
_FIRST_SLOTS = 8


def _utf8(text: str) -> bytes:
    """``text`` as bytes that read back exactly, lone surrogates included (captured data is hostile)."""
    return text.encode("utf-8", "surrogatepass")
