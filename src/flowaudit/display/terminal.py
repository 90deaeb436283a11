"""Terminal cells (rich ``Text``) shared by the terminal report, the diff and
the live view while recording.

Captured text goes into a cell only through :func:`safe`.
"""

from __future__ import annotations

from rich.text import Text

from flowaudit.display.words import first_party_word
from flowaudit.inert import one_line
from flowaudit.model import Recipient


def safe(value: object) -> Text:
    """Captured text as inert terminal text: never parsed as markup, control
    and bidi characters spelled out so they cannot rewrite the terminal."""
    return Text(one_line(str(value)))


def declared_cell(r: Recipient) -> Text:
    if r.party == "first":
        return Text(first_party_word(r), style="green")
    if r.party == "unknown":
        return Text("unknown", style="yellow")
    return Text("yes", style="green") if r.declared else Text("NO", style="bold red")
