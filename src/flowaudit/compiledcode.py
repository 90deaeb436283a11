"""The methods ``@dataclass`` writes, compiled once and kept between runs.

``@dataclass`` writes each class's ``__init__``, ``__repr__`` and ``__eq__``
(a frozen one also ``__setattr__``, ``__delattr__`` and ``__hash__``) as
Python source and compiles it with ``exec()`` when the class is defined. A
command imports about a hundred of flowaudit's dataclasses, and compiling
their methods was a third of the instructions of a 16-entry audit, where
start-up is most of the run; studies and CI jobs run many small audits.

Code compiled from a text depends on nothing but the text, the compiler's
flags and the Python that compiled it. So the code is kept in the cache
folder (:mod:`flowaudit.cache`) under a key made of Python's bytecode magic
number, the optimisation level and flowaudit's version, and within that by
the whole source text: identical text gets code identical to what
``compile()`` would make now, and any other text is compiled as before.
What ``exec()`` then runs, and every class it makes, are therefore the same.

The entry holds code, which flowaudit runs: it is trusted as Python trusts
its own ``__pycache__`` folders, as a folder of the user's own; an entry
that fails its checksum or is not text mapped to code is not used.
The entry is bounded (:data:`KEEP_TEXTS` texts): past that, only the texts
the last run used are kept.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

from flowaudit import cache

KEEP_TEXTS = 5000
"""Source texts kept at most (every command together uses about 600)."""

_NAMESPACE = "dataclass-code"


class _CompiledMethods:
    """An ``exec()`` for :mod:`dataclasses` that compiles each source text once, across runs."""

    def __init__(self, known: dict[str, CodeType]) -> None:
        self._known = known
        self._used: dict[str, CodeType] = {}
        self._new = False

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002 - exec()'s own names
        if isinstance(source, str):
            code = self._known.get(source)
            if code is None:
                # dont_inherit: as exec() in dataclasses compiles it (that module has no __future__ imports)
                code = self._known[source] = compile(source, "<string>", "exec", dont_inherit=True)
                self._new = True
            self._used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    def keep(self, entry: str) -> None:
        """Store the texts compiled, if any was new: all known, or only those used when that is too many."""
        if self._new:
            cache.store(_NAMESPACE, entry, self._known if len(self._known) <= KEEP_TEXTS else self._used)


def keep_compiled() -> None:
    """Have every dataclass defined from now on in this process compile its methods through the kept code."""
    entry = cache.key(_NAMESPACE, MAGIC_NUMBER, str(sys.flags.optimize))
    found = cache.load(_NAMESPACE, entry)
    known = found[0] if found is not None and _is_code_by_text(found[0]) else {}
    methods = _CompiledMethods(dict(known))
    # dataclasses calls exec() by its global name: a module global of that name comes first.
    dataclasses.exec = methods.exec  # type: ignore[attr-defined]
    atexit.register(methods.keep, entry)


def _is_code_by_text(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(text, str) and isinstance(code, CodeType) for text, code in value.items()
    )
