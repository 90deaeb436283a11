"""JSON text written as it is made: the JSON result and the SARIF log of a
capture to a hundred thousand domains hold a row per recipient and per
finding, and building the whole document, then its whole text, took
gigabytes. A document here is plain JSON values with :class:`Lazy` lists
where it grows with the capture; :func:`json_pieces` writes it one item at
a time, byte for byte what ``json.dumps(document, indent=2,
ensure_ascii=False)`` writes for the same document made whole
(:func:`materialised`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

_ENCODE = json.JSONEncoder(indent=2, ensure_ascii=False).encode
_INDENT = "  "
# Pieces are about this many characters, cut after a line break.
_PIECE = 1 << 16
# An item of a Lazy list is encoded whole (by the C encoder, fast) unless it holds a list longer
# than this: a finding about an id sent to fifty thousand companies cites a request of each, and
# its text alone was tens of megabytes, made three times over (encoded, indented, joined).
_LONG = 1000


@dataclass(frozen=True, slots=True)
class Lazy:
    """A list whose items are made (``convert``) only when written."""

    convert: Callable[[Any], Any]
    items: Sequence[Any]

    def converted(self) -> Iterator[Any]:
        return (self.convert(item) for item in self.items)


def materialised(value: Any) -> Any:
    """The document with every :class:`Lazy` list made whole."""
    if isinstance(value, Lazy):
        return list(value.converted())
    if isinstance(value, dict):
        return {k: materialised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialised(v) for v in value]
    return value


def json_pieces(document: Any) -> Iterator[str]:
    """The JSON text of ``document`` and a final line break, in pieces that
    each end a line (so a check for lines that start a CI workflow command
    can run piece by piece)."""
    return _whole_lines(_parts(document, 0), "\n")


def _parts(value: Any, level: int) -> Iterator[str]:
    """The text of ``value`` at nesting ``level``. JSON text holds line
    breaks only between values (inside a string they are escaped), so a
    value encoded alone is indented by putting the indent after each break."""
    if isinstance(value, Lazy):
        yield from _container("[", "]", ((None, v) for v in value.converted()), level, nested=False)
    elif isinstance(value, dict) and value:
        yield from _container("{", "}", value.items(), level, nested=True)
    elif isinstance(value, list) and value:
        yield from _container("[", "]", ((None, v) for v in value), level, nested=True)
    else:
        yield _ENCODE(value).replace("\n", "\n" + _INDENT * level)


def _container(
    opening: str, closing: str, members: Iterable[tuple[str | None, Any]], level: int, *, nested: bool
) -> Iterator[str]:
    """A list or object, member by member; ``nested``: members may hold :class:`Lazy` lists."""
    inner = "\n" + _INDENT * (level + 1)
    empty = True
    for key, value in members:
        yield (opening if empty else ",") + inner + ("" if key is None else _ENCODE(key) + ": ")
        empty = False
        if nested:
            yield from _parts(value, level + 1)
        elif _holds_long_list(value):
            yield from _plain_parts(value, level + 1)
        else:
            yield _ENCODE(value).replace("\n", inner)
    yield opening + closing if empty else "\n" + _INDENT * level + closing


def _plain_parts(value: Any, level: int) -> Iterator[str]:
    """A plain value (no :class:`Lazy` in it) that holds a long list, member by member: each
    member whole, but a long list an item at a time."""
    if isinstance(value, dict):
        yield from _container("{", "}", value.items(), level, nested=False)
    else:
        yield from _container("[", "]", ((None, v) for v in value), level, nested=False)


def _holds_long_list(value: Any) -> bool:
    """Whether ``value`` holds a list of more than :data:`_LONG` items (in a mapping at any depth)."""
    if isinstance(value, list):
        return len(value) > _LONG
    if isinstance(value, dict):
        return any(_holds_long_list(v) for v in value.values() if isinstance(v, (dict, list)))
    return False


def _whole_lines(parts: Iterable[str], end: str) -> Iterator[str]:
    """``parts`` and ``end`` joined, re-cut into pieces of about :data:`_PIECE`
    characters that each end just after a line break."""
    held: list[str] = []
    size = 0
    for part in parts:
        held.append(part)
        size += len(part)
        if size >= _PIECE:
            text = "".join(held)
            cut = text.rfind("\n") + 1
            if cut:
                yield text[:cut]
                held, size = [text[cut:]], len(text) - cut
    yield "".join(held) + end
