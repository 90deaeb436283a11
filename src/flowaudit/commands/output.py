"""Where a command's reports go: the terminal, one file, or a folder of formats.

One place for the rules every command follows: several formats need ``-o``
naming a folder (each file then named ``<stem>.<extension>``); one format
goes to ``-o FILE`` or, without ``-o`` (or with ``-`` ), to standard output:
text is rendered live (tables, colours) only when that is a terminal; a pipe
gets the same text a file would, whose lines never cut an id in pieces.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from flowaudit.errors import FlowauditError
from flowaudit.inert import no_controls, no_workflow_commands
from flowaudit.safetext import safe_text

if TYPE_CHECKING:
    from rich.console import RenderableType

# What a file name's last extension says about its format, for `-o FILE`
# without --format. ".xml" is JUnit: the only XML flowaudit writes (and the
# folder name for it is flowaudit.junit.xml).
EXTENSION_FORMATS: dict[str, str] = {
    "txt": "text",
    "text": "text",
    "json": "json",
    "html": "html",
    "htm": "html",
    "sarif": "sarif",
    "xml": "junit",
    "md": "markdown",
    "markdown": "markdown",
    "csv": "csv",
}


def choose_formats(formats: Sequence[str], output: str | None, available: Sequence[str]) -> tuple[str, ...]:
    """The formats to write: those asked for, else the one ``-o FILE``'s
    extension names, else text.

    A report must be what its file name says: ``-o report.html`` alone
    writes HTML, an extension that names no format this command writes is an
    error, and so is asking for one format into a file named for another
    (text in ``report.html``)."""
    asked = tuple(dict.fromkeys(formats))
    if output in (None, "-") or len(asked) > 1 or Path(output).is_dir():
        return asked or ("text",)
    suffix = Path(output).suffix.lower().removeprefix(".")
    implied = EXTENSION_FORMATS.get(suffix)
    known = ", ".join(f".{ext}" for ext, fmt in EXTENSION_FORMATS.items() if fmt in available)
    if not asked:
        if not suffix:
            return ("text",)
        if implied is None or implied not in available:
            raise FlowauditError(
                f"cannot tell the report format from the extension .{suffix}",
                path=output,
                hint=f"name it with --format ({', '.join(available)}), or end the file name in one of {known}",
            )
        return (implied,)
    if implied is not None and implied != asked[0]:
        raise FlowauditError(
            f"--format {asked[0]} would write {asked[0]} into a .{suffix} file, which names {implied}",
            path=output,
            hint=f"use --format {implied}, or a file name that fits {asked[0]}",
        )
    return asked


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
    render: Callable[[str], Iterable[str]],
    terminal: Callable[[], RenderableType],
) -> None:
    """``render(fmt)`` gives a format's text in pieces that each end a line
    (the JSON of a large audit is written as it is made, never held whole),
    ``terminal()`` the live view of "text" for a terminal.

    Whatever is written is :func:`inert`: reports are printed and ``cat`` in
    CI logs, and a result rendered again may have been edited by anyone."""

    if len(formats) == 1:
        fmt = formats[0]
        if output in (None, "-"):
            if fmt == "text" and sys.stdout.isatty():
                from rich.console import Console  # only for a terminal: writing a file needs no rich

                from flowaudit.display.terminal import Inert

                Console(highlight=False).print(Inert(terminal()))
            else:
                for piece in render(fmt):
                    sys.stdout.write(inert(piece))
            return
        assert output is not None
        write_pieces(Path(output), render(fmt))
        return
    folder = Path(output or ".")
    make_folder(folder)
    for fmt in formats:
        write_pieces(folder / f"{stem}.{extension(fmt)}", render(fmt))


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FlowauditError(f"cannot create output folder: {e.strerror}", path=str(folder)) from e


def inert(piece: str) -> str:
    """A piece of what a command writes (pieces each start a line), made safe for any
    reader: valid UTF-8 (a lone surrogate, as a file name that is not UTF-8 gives, is
    written U+FFFD instead of aborting the write), no control character that could
    drive a terminal (:func:`~flowaudit.inert.no_controls`), and no line that could
    pass for a CI workflow command (:func:`~flowaudit.inert.no_workflow_commands`)."""
    return no_workflow_commands(no_controls(safe_text(piece)))


def write_file(path: Path, text: str) -> str:
    """UTF-8, line ends as given (no translation on Windows): the same report is the same bytes everywhere."""
    return write_pieces(path, (text,))


def write_pieces(path: Path, pieces: Iterable[str]) -> str:
    """:func:`write_file` of the text the pieces make, written as they come, each :func:`inert`;
    the SHA-256 of the bytes written."""
    digest = hashlib.sha256()
    try:
        with path.open("wb") as out:
            for piece in pieces:
                data = inert(piece).encode("utf-8")
                digest.update(data)
                out.write(data)
    except OSError as e:
        raise FlowauditError(f"cannot write the report: {e.strerror}", path=str(path)) from e
    return digest.hexdigest()
