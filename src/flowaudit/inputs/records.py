"""Splitting a flow file into records, and reading them into observations.

A flow file is a plain concatenation of tnetstrings, one per flow:
``<length>:<payload><type>``, the type of a flow always ``}`` (dictionary).
The framing is done here rather than by ``mitmproxy.io.FlowReader`` because
the reader must tell *why* a file ends early: a capture cut short (the
proxy was killed, the disk filled, a download stopped) is still evidence
and is audited up to the break, while bytes that are not a flow file at all
are a user error. mitmproxy's own reader reports both as "Invalid data
format" and gives up.

How a record becomes an observation is the decoder's business
(:mod:`flowaudit.inputs.flowfile` reads the fields it needs straight from
the record; :mod:`flowaudit.inputs.mitm` rebuilds it with mitmproxy); what
happens around it is the same for both and lives here: references are
positions (flow *n* is the *n*-th record, so ``capture.mitm#7`` names the
same flow in every report even though not every record becomes an
observation), the capture record and phase markers are noted, a break after
at least one record ends reading with the reason, and a break at the very
first record is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import replace
from itertools import count
from typing import Final

from flowaudit.captureformat import CAPTURE_KEY, MARKER_KEY, MARKER_NAME, PHASE_KEY, UNINSPECTABLE_KEY
from flowaudit.errors import FlowauditError
from flowaudit.inputs.decoded import Decoded
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.stream import CHUNK, ByteSource, CorruptStream
from flowaudit.model import Observation

__all__ = ["Decoded", "Decoder", "Decoding", "Records", "Stop", "decode_in_turn", "numbered", "read_records"]

_MAX_PREFIX: Final = 12  # digits of a length prefix; mitmproxy's own limit too
_READ_AT_MOST: Final = 8 * 1024 * 1024  # per read while filling a large record


class Stop(Exception):
    """The file stops being a flow file here; ``truncated`` says whether it was cut short."""

    def __init__(self, detail: str, *, truncated: bool) -> None:
        super().__init__(detail)
        self.truncated = truncated

    def __reduce__(self) -> tuple[Callable[..., Stop], tuple[str, bool]]:
        """Pickled whole (a worker process that decodes a record sends it back)."""
        return _stop, (str(self), self.truncated)


def _stop(detail: str, truncated: bool) -> Stop:
    return Stop(detail, truncated=truncated)


# (record, file name, n) -> Decoded; raises Stop for a record that cannot be read,
# FlowauditError for a flow format that cannot be read at all. The record is the
# decoder's to keep or cut down (its request body may become the observation's).
Decoder = Callable[[bytearray, str, int], Decoded]

# How a file's records get decoded: ((n, record) of each record as it is read, file
# name, decoder) -> each record's Decoded, in the records' order. What the decoder
# raises for record n is raised after record n - 1's Decoded, and so is what reading
# raises (Stop, CorruptStream, OSError): it may decode ahead (in worker processes),
# but every record before a break is delivered, and none after it.
Decoding = Callable[[Iterator[tuple[int, bytearray]], str, Decoder], Iterator[Decoded]]


def decode_in_turn(records: Iterator[tuple[int, bytearray]], name: str, decode: Decoder) -> Iterator[Decoded]:
    """Each record decoded as it is read, in this process.

    Nothing here keeps a record once it is decoded (``map`` holds no item
    between calls; a generator's loop variable would): a decoder that copies
    out the request body, as mitmproxy's path does, leaves the record to be
    freed, so a large body is held once while its request is analysed."""
    return map(lambda item: decode(item[1], name, item[0]), records)


def read_records(
    source: ByteSource,
    name: str,
    decode: Decoder,
    notes: CaptureNotes | None = None,
    decoding: Decoding = decode_in_turn,
) -> Generator[Observation, None, str | None]:
    """Yield the observations of a flow file; return why reading stopped early, or None.

    ``notes`` gathers what the capture says about itself (the capture
    record's app and device, where each phase marker sits); each observation
    made in a marked phase cites that marker's record (``phase_ref``).
    ``decoding`` says where records are decoded (:data:`Decoding`): what
    happens around decoding, here, is the same wherever that is.

    A break after at least one record yields everything before it and is
    returned as the problem. Unreadable data from the very first record
    raises :class:`FlowauditError`.
    """
    decoded_records = decoding(numbered(Records(source).next), name, decode)
    n = 0
    while True:
        try:
            decoded = next(decoded_records, None)
            if decoded is None:
                return None
        except (Stop, CorruptStream) as e:
            truncated = isinstance(e, Stop) and e.truncated
            if n == 0 and not truncated:
                raise FlowauditError(f"not a readable mitmproxy flow file: {e}", path=name) from e
            what = "truncated" if truncated else "unreadable data"
            return f"{what} after flow #{n}: {e}"
        n += 1
        if notes is not None:
            if decoded.metadata:  # most flows have none: nothing to note
                _take_notes(decoded.metadata, f"{name}#{n}", notes)
            for warning in decoded.warnings:
                notes.warn(f"flow #{n}: {warning}")
        observation = decoded.observation
        if observation is not None:
            if notes is not None and observation.phase:
                observation = replace(observation, phase_ref=notes.marker_ref(observation.phase))
            yield observation


def numbered(next_record: Callable[[], bytearray | None]) -> Iterator[tuple[int, bytearray]]:
    """Each record (``next_record()`` until None) with its position in the file, from 1: what
    ``file#n`` names.

    ``map`` over a count and a callable iterator: none of them holds an item
    between calls (``zip`` and ``enumerate`` keep their last tuple for reuse,
    a generator its frame), so nothing keeps the last record while the audit
    works on it (see :func:`decode_in_turn`)."""
    return map(_pair, count(1), iter(next_record, None))


def _pair(n: int, record: bytearray) -> tuple[int, bytearray]:
    return n, record


def _take_notes(metadata: Mapping[str, object], ref: str, notes: CaptureNotes) -> None:
    """The capture record's facts and where each phase marker sits; flowaudit's own
    metadata of the wrong type (another tool's addon may write anything) is read
    around, with a warning."""
    if CAPTURE_KEY in metadata:
        notes.take_record(metadata[CAPTURE_KEY])
    marker = metadata.get(MARKER_KEY)
    if isinstance(marker, dict):
        notes.take_marker(marker.get(MARKER_NAME), ref)
    for key, (kind, word) in _OWN_METADATA.items():
        value = metadata.get(key)
        if value is not None and not isinstance(value, kind):
            n = ref.rpartition("#")[2]
            notes.warn(f"flow #{n}: its {key} is a {type(value).__name__}, not {word}: read without it")


# The metadata flowaudit's addon writes, each key with the type it writes and that type in words.
_OWN_METADATA: dict[str, tuple[type, str]] = {
    PHASE_KEY: (str, "text"),
    CAPTURE_KEY: (dict, "a mapping"),
    MARKER_KEY: (dict, "a mapping"),
    UNINSPECTABLE_KEY: (dict, "a mapping"),
}


class Records:
    """Splits a byte stream into tnetstring records, reading only what each needs."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._buf = bytearray()
        self._offset = 0  # position of _buf[0] in the stream

    def next(self) -> bytearray | None:
        """The next whole record, or None at a clean end of the stream.

        A large record is read to its exact end, and then the buffer itself
        is handed over (a new one started): its bytes are never copied. A
        small one is copied out of the buffer, which holds the next records."""
        colon = self._find_colon()
        if colon is None:
            return None
        length = int(self._buf[:colon])
        end = colon + 1 + length + 1  # payload and type byte
        self._fill(end)
        if len(self._buf) < end:
            raise Stop(
                f"the record at byte {self._offset} announces {length} bytes, "
                f"the file ends {end - len(self._buf)} bytes short of that",
                truncated=True,
            )
        if self._buf[end - 1 : end] != b"}":
            raise Stop(f"the record at byte {self._offset} is not a flow", truncated=False)
        if len(self._buf) == end:
            record, self._buf = self._buf, bytearray()
        else:
            record = self._buf[:end]
            del self._buf[:end]
        self._offset += end
        return record

    def _find_colon(self) -> int | None:
        while True:
            colon = self._buf.find(b":", 0, _MAX_PREFIX + 1)
            digits = self._buf[:colon] if colon >= 0 else self._buf[: _MAX_PREFIX + 1]
            if not digits.isdigit() and (digits or colon >= 0):
                raise Stop(f"no record length at byte {self._offset}", truncated=False)
            if colon >= 0:
                return colon
            if len(digits) > _MAX_PREFIX:
                raise Stop(f"absurd record length at byte {self._offset}", truncated=False)
            more = self._source.read(CHUNK)
            if not more:
                if not self._buf:
                    return None
                raise Stop(f"the file ends inside a record length at byte {self._offset}", truncated=True)
            self._buf += more

    def _fill(self, size: int) -> None:
        # Chunked, so a corrupt length of a terabyte costs only the bytes that exist.
        while len(self._buf) < size:
            more = self._source.read(min(size - len(self._buf), _READ_AT_MOST))
            if not more:
                return
            self._buf += more
