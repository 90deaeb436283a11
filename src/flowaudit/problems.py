"""Collecting everything wrong with a user-written YAML file, then reporting it well.

Schema checks (:mod:`flowaudit.shape`) and catalog/vocabulary checks each
yield :class:`Problem` values; the user sees the first one by line as one
:class:`FlowauditError`, told how many others wait. Used for the
declaration, the ignore file and every rules file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowaudit.errors import FlowauditError


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str
    hint: str | None = None


def raise_first(problems: Iterable[Problem], path: str) -> None:
    """Raise the earliest problem as a :class:`FlowauditError`; return if there is none."""
    # Stable sort: on one line, the order the checks found them in (unknown keys before missing ones).
    ordered = sorted(dict.fromkeys(problems), key=lambda problem: problem.line)
    if not ordered:
        return
    first, rest = ordered[0], len(ordered) - 1
    hint = first.hint
    if rest:
        more = f"{rest} more problem{'s' if rest > 1 else ''} in this file after this one"
        hint = f"{hint}; {more}" if hint else more
    raise FlowauditError(first.message, path=path, line=first.line, hint=hint)


def describe(where: Sequence[object], whole: str = "the file") -> str:
    """A value's place as the user reads it: ``recipients[1].data[0]``; ``whole`` names the root."""
    if not where:
        return whole
    text = ""
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return f"`{text}`"
