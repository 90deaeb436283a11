"""Terminal cells (rich ``Text``) shared by the terminal report, the diff and
the live view while recording.

Captured text goes into a cell only through :func:`safe`.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from flowaudit.display.words import first_party_word
from flowaudit.inert import no_controls, one_line
from flowaudit.model import Recipient


def safe(value: object) -> Text:
    """Captured text as inert terminal text: never parsed as markup, control
    and bidi characters spelled out so they cannot rewrite the terminal."""
    return Text(one_line(str(value)))


class Inert:
    """A renderable whose text holds no control character, whatever went into it: the
    terminal's counterpart of what :func:`~flowaudit.commands.output.write_outputs` does
    to every file, for a value no cell made :func:`safe` (a field of an edited result).
    Rich's own control segments (cursor moves, styles) are its own and pass."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                yield Segment(no_controls(segment.text), segment.style)


def declared_cell(r: Recipient) -> Text:
    if r.party == "first":
        return Text(first_party_word(r), style="green")
    if r.party == "unknown":
        return Text("unknown", style="yellow")
    return Text("yes", style="green") if r.declared else Text("NO", style="bold red")
