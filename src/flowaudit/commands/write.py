"""Writing an audit result in every asked format (``check`` and ``report``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowaudit.commands.output import write_outputs
from flowaudit.model import AuditResult
from flowaudit.reporters import get_reporter, report_pieces

if TYPE_CHECKING:
    from rich.console import RenderableType


def write_result(result: AuditResult, formats: Sequence[str], output: str | None) -> None:
    """Every asked format of a result: to the terminal, a file or a folder."""
    write_outputs(
        formats,
        output,
        stem="flowaudit",
        extension=lambda fmt: get_reporter(fmt).extension,
        render=lambda fmt: report_pieces(get_reporter(fmt), result),
        terminal=lambda: _terminal(result),
    )


def _terminal(result: AuditResult) -> RenderableType:
    # Imported only for a terminal (rich's tables): a run writing files never loads it.
    from flowaudit.reporters.text import renderable

    return renderable(result)
