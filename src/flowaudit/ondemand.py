"""Containers of the per-recipient totals, made only when something goes in them.

A capture to a hundred thousand domains has a hundred thousand recipients, and
most receive one request that fills one or two of their dozen totals (the data
types received, the identifiers, the requests in each consent state, ...). An
empty dict costs 64 bytes, so made up front they were most of a recipient's
memory. Until a total is first written it is :data:`NOTHING`, one shared
read-only mapping (reading it is reading an empty dict; writing it raises, so
a writer that forgot :func:`owned` fails loudly instead of sharing its state).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

NOTHING: Mapping[Any, Any] = MappingProxyType({})


def nothing() -> Mapping[Any, Any]:
    """:data:`NOTHING`, as a dataclass field's ``default_factory`` (a field may not default to a mapping)."""
    return NOTHING


def owned(mapping: Mapping[K, V]) -> dict[K, V]:
    """``mapping`` when it is already the holder's own dict, else a new empty one to store in its place."""
    return mapping if isinstance(mapping, dict) else {}
