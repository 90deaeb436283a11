"""Vendor adapters as values: which fields of which endpoint carry what.

Read from ``rules/adapters/<vendor>.yml`` by :mod:`.loader`; every pattern
is compiled there once, so matching a request is dictionary lookups and a
few regular-expression matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Condition:
    """Another field of the same record and the values (lower case) it must hold: ``pa`` in
    ``{purchase, refund}`` makes a GA product price a purchase, not a product viewed."""

    path: str  # as written: "pa"
    pattern: re.Pattern[str]  # as Field.pattern
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # as written: "properties.$email", "ud[em]"
    pattern: re.Pattern[str]  # over the key path joined with KEY_SEP, anchored at the end
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
