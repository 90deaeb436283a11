"""Frozen dataclasses that cross to worker processes, pickled as their field values.

The audit's workers (:mod:`flowaudit.parallel`) receive observations
and send back observations, detections and consent signals. Pickle stores a slotted
dataclass through the ``__getstate__``/``__setstate__`` that ``dataclasses``
adds, which lists the class's fields anew for every object: on the bench
capture, a tenth of the main process's time went to that. Pickled as (class,
field values), an object is rebuilt by its own ``__init__``, so whatever
checks it makes of a new value it makes again.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class PickledByFields:
    """Base of a frozen dataclass pickled as (class, the values of its ``__init__`` fields)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[Any], tuple[object, ...]]:
        cls = type(self)
        return cls, tuple([getattr(self, name) for name in _init_fields(cls)])


_FIELDS: dict[type[Any], tuple[str, ...]] = {}  # a few classes


def _init_fields(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls) if f.init)
    return names
