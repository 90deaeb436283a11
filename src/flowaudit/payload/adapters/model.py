"""Vendor adapters as values: which fields of which endpoint carry what.

Read from ``rules/adapters/<vendor>.yml`` by :mod:`.loader`; every URL path
pattern is compiled there once, so matching a request is dictionary lookups
and a few regular-expression matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

KEY_SEP = "\x1f"  # joins key names into one string for field patterns; never inside a key


@dataclass(frozen=True, slots=True)
class KeyPattern:
    """A field's key path, matched against a value's key names joined by :data:`KEY_SEP`: at
    their end (``properties.$email`` wherever ``properties`` sits), or whole when ``anchored``.

    Most paths name their keys without a wildcard: those are compared as text (``literal``,
    the names joined), and only a path with a wildcard is a regular expression (``regex``),
    compiled when first matched. Compiling every field's expression at start was two thirds
    of the cost of reading the adapters a capture needs, and most fields never meet a value.
    Both forms match what the expression ``(?:^|SEP)names$`` (``^names$`` anchored) matches,
    a final line break included."""

    literal: str | None  # the names joined, when none holds a wildcard
    regex: str
    anchored: bool

    def search(self, joined: str) -> bool:
        literal = self.literal
        if literal is None:
            return _compiled(self.regex).search(joined) is not None
        if self._ends(joined, literal):
            return True
        return joined.endswith("\n") and self._ends(joined[:-1], literal)  # "$" matches before a final line break

    def _ends(self, text: str, literal: str) -> bool:
        if text == literal:
            return True
        return not self.anchored and text.endswith(literal) and text[: -len(literal)].endswith(KEY_SEP)


@cache  # one entry per field path with a wildcard in the shipped adapters
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@dataclass(frozen=True, slots=True)
class Condition:
    """Another field of the same record and the values (lower case) it must hold: ``pa`` in
    ``{purchase, refund}`` makes a GA product price a purchase, not a product viewed."""

    path: str  # as written: "pa"
    pattern: KeyPattern  # as Field.pattern
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # as written: "properties.$email", "ud[em]"
    pattern: KeyPattern
    last: str | None  # the last literal name, for indexing; None when the pattern ends in a wildcard
    data_type: str | None
    format: str  # "any", "id", "generated", "handle", "email", "phone", "hash", "uuid", "ip", "url"
    secret: bool
    terms: bool
    opt_out_when: frozenset[str]
    once: bool
    when_prefix: str  # "" for any value
    unless_prefix: str  # "" for none
    when_field: tuple[Condition, ...]  # each must hold in the value's record
    unless_field: tuple[Condition, ...]  # none may hold in the value's record
    what: str  # for reports: "Mixpanel $email"
    source: str
    line: int
    property: str = ""  # what the value is, finer than its data type: "push token", "advertising id (IDFA)"


@dataclass(frozen=True, slots=True)
class Carried:
    data_type: str
    source: str
    property: str = ""  # what the request itself is, finer than the data type: "app session start"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    path_pattern: re.Pattern[str]
    source: str
    carries: tuple[Carried, ...]
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Adapter:
    vendor: str
    name: str
    service: str  # catalog service id
    endpoints: tuple[Endpoint, ...]
    path: str  # the file, for messages
