"""`flowaudit diff OLD NEW`: what changed between two audits.

Each side is a saved JSON result or a capture (file or folder), which is
audited here with the same declaration, exactly as `check` would. Exit
status: 1 when NEW has a finding OLD did not have at or above ``--fail-on``,
0 otherwise, 2 when a side cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flowaudit.commands.output import require_folder_for_formats, write_outputs
from flowaudit.diff.compute import diff_results
from flowaudit.diff.html import render_html
from flowaudit.diff.markdown import render_markdown
from flowaudit.diff.model import ResultDiff, Side
from flowaudit.diff.text import render_text, renderable
from flowaudit.diff.to_json import render_json
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_FINDINGS, EXIT_OK
from flowaudit.inputs.sniff import sniff
from flowaudit.pipeline import audit_captures, require_flows
from flowaudit.reporters.json_load import load_result

FORMATS: dict[str, tuple[str, Callable[[ResultDiff], str]]] = {
    "text": ("txt", render_text),
    "json": ("json", render_json),
    "markdown": ("md", render_markdown),
    "html": ("html", render_html),
}


@dataclass(frozen=True)
class DiffOptions:
    old: str
    new: str
    declared: tuple[str, ...]
    formats: tuple[str, ...]
    output: str | None
    fail_on: str
    allow_empty: bool  # accept a capture side with no readable flow


def run_diff(options: DiffOptions) -> int:
    require_folder_for_formats(options.formats, options.output, "diff/")
    old = load_side(options.old, options.declared, options.allow_empty)
    diff = diff_results(old, load_side(options.new, options.declared, options.allow_empty), options.fail_on)
    _write(diff, options)
    return EXIT_FINDINGS if diff.failed() else EXIT_OK


def load_side(path: str, declared: tuple[str, ...], allow_empty: bool) -> Side:
    """A capture file or folder is audited (one with no readable flow is an
    error unless ``allow_empty``, as for ``check``); anything else must be a JSON result."""
    where = Path(path)
    if where.is_dir():
        return _audited(path, declared, allow_empty)
    if not where.is_file():
        raise FlowauditError("no such file or folder", path=path)
    try:
        sniffed = sniff(where)
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror or e}", path=path) from e
    if sniffed.format is not None or sniffed.empty:  # an empty file: refused as check refuses it
        return _audited(path, declared, allow_empty)
    if not _looks_like_json(where):
        raise FlowauditError(
            f"neither a capture nor a flowaudit JSON result (found {sniffed.found or 'something else'})",
            path=path,
            hint="give two JSON results of `flowaudit check --format json`, or two captures (or folders of them)",
        )
    return Side(path, "result", load_result(path))


def _audited(path: str, declared: tuple[str, ...], allow_empty: bool) -> Side:
    result = audit_captures([path], declared, allow_empty=allow_empty)
    if not allow_empty:
        require_flows(result)
    return Side(path, "capture", result)


def _looks_like_json(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(64).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")


def _write(diff: ResultDiff, options: DiffOptions) -> None:
    write_outputs(
        options.formats,
        options.output,
        stem="flowaudit-diff",
        extension=lambda fmt: FORMATS[fmt][0],
        render=lambda fmt: (FORMATS[fmt][1](diff),),
        terminal=lambda: renderable(diff),
    )
