"""Small English helpers the human formats word their sentences with: the
report, the diff and the disclosure draft all count and list the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flowaudit.model import Recipient


class Reach(Protocol):
    """A row of requests to a company, or of attempts that never reached it."""

    @property
    def flows(self) -> int: ...

    @property
    def attempts(self) -> int: ...

    @property
    def reached(self) -> bool: ...


def first_party_word(r: Recipient) -> str:
    """How every human format names a first-party row: inferred ones say so."""
    return "first party (inferred)" if r.party_inferred else "first party"


def requests_cell(r: Reach) -> str:
    """A recipients table's Requests cell: the count, or for a row only tried
    (looked up, connections that failed) that it was tried and never reached."""
    if r.reached:
        return str(r.flows)
    return f"0 (tried to contact: {plural(r.attempts, 'attempt')}, never reached)"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


_NAMES_SHOWN = 5

NEVER_REACHED = "none: never reached"
"""What a company only tried (looked up, connection failed) received: "none found"
would claim its requests were inspected."""


def names(items: list[str] | tuple[str, ...]) -> str:
    """ "A", "A and B", "A, B and C", "A, B, C, D, E and 3 more"."""
    shown = list(items[:_NAMES_SHOWN])
    rest = len(items) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def ended(sentence: str) -> str:
    """A full stop, unless a company name already ends the sentence with one ("PubMatic, Inc.")."""
    return sentence if sentence.endswith(".") else sentence + "."


def more_hosts(hosts: Sequence[str], shown: int) -> str:
    """ "and 12 more hosts (all in the JSON and CSV reports)" after the first
    ``shown`` of a row's hosts ("" when none is left out)."""
    rest = len(hosts) - shown
    if rest <= 0:
        return ""
    return f"and {plural(rest, 'more host')} (all in the JSON and CSV reports)"
