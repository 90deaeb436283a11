"""JSON too large to decode whole, read as a stream: its values with their paths, an object at a time.

A body refused whole (see :class:`~flowaudit.payload.decode.limits.DecodeLimits`)
is read in windows, and a window starts anywhere, so the key/value pairs it
shows say nothing of the object they sat in: ``"id": "u-5f3a"`` is a user's
id only inside ``"user": {...}``. When the content is JSON, the same pieces
are also fed to ijson's event parser (its C backend; already what reads HAR
files), and each value comes out with the path a whole decoding would give it
(``rows[3].user.id``), grouped with the other values of its object, so that
the detectors can judge a value by its key, its path and its siblings. Memory
stays bounded: only the open containers' paths and the current object's
values are held, an object is handed on every :data:`_GROUP` values, and a
single value longer than :data:`_LONGEST_TOKEN` (a blob) ends the stream
(the windows read on without it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import ijson  # ships no type information: see [tool.mypy] overrides

# A value of a streamed object: its path from the root (the walker's JSON paths), its key (the
# enclosing key name for a list item, as the walker gives it) and its text.
StreamedValue = tuple[str, str | None, str]

_GROUP = 256  # values of one object handed on together, at most
_LONGEST_TOKEN = 4 << 20  # bytes fed without one event: a value the parser would hold whole


@dataclass(slots=True)
class _Container:
    path: str
    name: str | None  # the key it sits under
    is_list: bool
    index: int = 0  # the next item's position (lists)
    key: str = ""  # the pending key (objects)
    values: list[StreamedValue] = field(default_factory=list)


class JsonStream:
    """Feed it the text of one JSON document in pieces; it gives back each object's values as
    the object ends. ``failed`` says why it stopped when it did (not JSON, a value too long)."""

    def __init__(self, max_nesting: int) -> None:
        self._events: list[tuple[str, object]] = ijson.sendable_list()
        self._parser = ijson.basic_parse_coro(self._events)
        self._open: list[_Container] = []
        self._max_nesting = max_nesting
        self._deeper = 0  # levels open below the deepest followed
        self._waiting = 0  # bytes fed since the last event
        self.failed: str | None = None

    def feed(self, data: bytes) -> Iterator[list[StreamedValue]]:
        """The objects (their values) that ``data`` completes."""
        if self.failed is not None:
            return
        try:
            self._parser.send(data)
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeError) as error:
            self._stop(f"not read as JSON past this point ({_first_line(error)})")
        if self._events:
            self._waiting = 0
        else:
            self._waiting += len(data)
            if self._waiting > _LONGEST_TOKEN:
                self._stop(f"a value longer than {_LONGEST_TOKEN >> 20} MiB")
        yield from self._groups()

    def close(self) -> Iterator[list[StreamedValue]]:
        """What is left once the text has ended: the objects still open, as far as they went."""
        if self.failed is None:
            try:
                self._parser.close()
            except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeError) as error:
                self.failed = f"not read as JSON to its end ({_first_line(error)})"
        yield from self._groups()
        for container in reversed(self._open):
            if container.values:
                yield container.values
        self._open.clear()

    def _stop(self, why: str) -> None:
        self.failed = why
        self._parser = None  # the parser's buffer is dropped with it

    def _groups(self) -> Iterator[list[StreamedValue]]:
        events = list(self._events)
        del self._events[:]
        open_ = self._open
        for event, value in events:
            if self._deeper:
                if event in ("start_map", "start_array"):
                    self._deeper += 1
                elif event in ("end_map", "end_array"):
                    self._deeper -= 1
                continue
            if event == "map_key":
                open_[-1].key = str(value)
                continue
            if event in ("end_map", "end_array"):
                done = open_.pop()
                if done.values:
                    yield done.values
                continue
            path, key = self._place()
            if event in ("start_map", "start_array"):
                if len(open_) >= self._max_nesting:
                    self._deeper = 1
                    continue
                open_.append(_Container(path, key, event == "start_array"))
                continue
            if event == "string":
                text = str(value)
            elif event == "number":
                text = str(value)
            elif event == "boolean":
                text = "true" if value else "false"
            else:  # null
                continue
            if not open_ or not text:
                continue  # a document that is a single value, or an empty one: nothing to group
            holder = open_[-1]
            holder.values.append((path, key, text))
            if len(holder.values) >= _GROUP:
                yield holder.values
                holder.values = []

    def _place(self) -> tuple[str, str | None]:
        """The path and key of the value that starts now; its container moves past it."""
        if not self._open:
            return "", None
        holder = self._open[-1]
        if holder.is_list:
            path = f"{holder.path}[{holder.index}]"
            holder.index += 1
            return path, holder.name
        return (f"{holder.path}.{holder.key}" if holder.path else holder.key), holder.key


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:80] if str(error) else type(error).__name__
