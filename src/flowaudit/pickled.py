"""Frozen dataclasses and named tuples that cross to worker processes, pickled cheaply.

The audit's workers (:mod:`flowaudit.parallel`) receive observations
and send back observations, detections and consent signals. Pickle stores a slotted
dataclass through the ``__getstate__``/``__setstate__`` that ``dataclasses``
adds, which lists the class's fields anew for every object: on the bench
capture, a tenth of the main process's time went to that. Pickled as (class,
field values), an object is rebuilt by its own ``__init__``, so whatever
checks it makes of a new value it makes again.

A named tuple (a detection: a dozen for a request) is pickled by default as
its class and the values for its ``__new__``, which is Python code, and its
values are got by Python code too (``__getnewargs__``).
:func:`as_plain_tuple` pickles it as a plain tuple that ``tuple.__new__``
makes an instance of the class again, as a named tuple's ``__new__`` does
once it has checked the number of values (they came from an instance).
"""

from __future__ import annotations

from collections.abc import Callable
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


def as_plain_tuple(value: tuple[Any, ...]) -> tuple[Callable[..., object], tuple[type[Any], tuple[Any, ...]]]:
    """How to pickle a named tuple as a plain one (a reducer for ``copyreg``'s tables)."""
    return tuple.__new__, (type(value), tuple(value))
