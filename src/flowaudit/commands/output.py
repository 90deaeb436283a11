"""Where a command's reports go: the terminal, one file, or a folder of formats.

One place for the rules every command follows: several formats need ``-o``
naming a folder (each file then named ``<stem>.<extension>``); one format
goes to ``-o FILE`` or, without ``-o`` (or with ``-`` ), to standard output,
text formats rendered live for the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console, RenderableType

from flowaudit.errors import FlowauditError


def require_folder_for_formats(formats: Sequence[str], output: str | None, example: str) -> None:
    """Fail before any work when several formats have nowhere to go."""
    if len(formats) > 1 and not output:
        raise FlowauditError(
            f"{len(formats)} formats asked for but no output folder",
            hint=f"name a folder with -o, e.g. `-o {example}`",
        )


def write_outputs(
    formats: Sequence[str],
    output: str | None,
    *,
    stem: str,
    extension: Callable[[str], str],
    render: Callable[[str], str],
    terminal: Callable[[], RenderableType],
) -> None:
    """``render(fmt)`` gives a format's text, ``terminal()`` the live view of "text"."""
    if len(formats) == 1:
        fmt = formats[0]
        if output in (None, "-"):
            if fmt == "text":
                Console(highlight=False).print(terminal())
            else:
                sys.stdout.write(render(fmt))
            return
        assert output is not None
        write_file(Path(output), render(fmt))
        return
    folder = Path(output or ".")
    make_folder(folder)
    for fmt in formats:
        write_file(folder / f"{stem}.{extension(fmt)}", render(fmt))


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FlowauditError(f"cannot create output folder: {e.strerror}", path=str(folder)) from e


def write_file(path: Path, text: str) -> None:
    """UTF-8, line ends as given (no translation on Windows): the same report is the same bytes everywhere."""
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as e:
        raise FlowauditError(f"cannot write the report: {e.strerror}", path=str(path)) from e
