"""An observation made from field values whose texts are known valid, without checking them again.

Every reader makes an :class:`~flowaudit.model.Observation` per request,
and a worker's results are made again in the main process
(:mod:`flowaudit.parallel`). The frozen dataclass's ``__init__`` sets each
field through ``object.__setattr__`` in Python, and its
:meth:`~flowaudit.model.Observation.__post_init__` checks every text: where
the texts are all ASCII, or were checked when a worker made the
observation, that check changes nothing and costs more than the rest of
reading a request. Compiled (mypyc), as the readers that use it are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Final

from flowaudit.model import Observation

# Setting a slot through its descriptor bypasses the frozen dataclass's __setattr__.
_OBSERVATION_SETTERS: Final = tuple(vars(Observation)[f.name].__set__ for f in fields(Observation))


def checked_observation(values: Sequence[object]) -> Observation:
    """The observation of ``values``, one per field in field order, whose texts are already
    valid Unicode (all ASCII, or made by an observation's own making in one of our workers):
    set slot by slot, without the dataclass's ``__init__`` and its check of the texts."""
    obs: Observation = object.__new__(Observation)
    for setter, value in zip(_OBSERVATION_SETTERS, values, strict=True):
        setter(obs, value)
    return obs
