"""What a suppressions file and a baseline say, as frozen values.

Both answer one question for a CI run: "which findings are already known and
accepted?" An ignore-file entry accepts findings it describes (rule, entity
or host, data types) for a stated reason until a date; a baseline accepts
exactly the finding ids an earlier result held.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Suppression:
    """One entry of ``.flowaudit-ignore.yml``, validated and normalised."""

    rule: str
    entity_names: frozenset[str]  # lower-case names the finding's entity may have; empty: any entity
    entity: str | None  # as written, for messages
    host: str | None  # lower-case, no trailing dot; covers its subdomains
    data_types: frozenset[str] | None  # ids, groups expanded; None: any data types
    statement: str
    expires: datetime.date  # the last day the entry holds
    path: str
    line: int

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    path: str
    entries: tuple[Suppression, ...]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The finding ids of an earlier result: what a CI run treats as known."""

    path: str
    ids: frozenset[str]
