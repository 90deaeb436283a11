"""`flowaudit check`: read captures, audit them, write every asked format."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console

from flowaudit.catalog import load_catalog
from flowaudit.declaration import load_declaration
from flowaudit.engine import Auditor
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_FINDINGS, EXIT_OK
from flowaudit.inputs import open_inputs
from flowaudit.model import AuditResult
from flowaudit.reporters import get_reporter
from flowaudit.reporters.text import renderable


@dataclass(frozen=True)
class CheckOptions:
    inputs: tuple[str, ...]
    declared: str | None
    formats: tuple[str, ...]
    output: str | None
    fail_on: str
    strict: bool


def run_check(options: CheckOptions) -> int:
    if len(options.formats) > 1 and not options.output:
        raise FlowauditError(
            f"{len(options.formats)} formats asked for but no output folder",
            hint="name a folder with -o, e.g. `-o report/`",
        )
    catalog = load_catalog()
    declaration = load_declaration(options.declared, catalog) if options.declared else None
    captures = open_inputs(options.inputs)
    auditor = Auditor(catalog, declaration, fail_on=options.fail_on)
    for observation in captures:
        auditor.add(observation)
    result = auditor.result(captures.inputs)
    for i in result.inputs:
        if not i.complete and options.strict:
            raise FlowauditError(
                f"incomplete capture: {i.problem}",
                path=i.path,
                hint="without --strict, flowaudit audits every flow before the break",
            )
    _warn_incomplete(result)
    _write(result, options)
    return EXIT_FINDINGS if result.failed() else EXIT_OK


def _warn_incomplete(result: AuditResult) -> None:
    for i in result.inputs:
        if not i.complete:
            click.echo(
                f"flowaudit: warning: {i.path}: incomplete, read {i.flows} flows: {i.problem}",
                err=True,
            )


def _write(result: AuditResult, options: CheckOptions) -> None:
    if len(options.formats) == 1:
        fmt = options.formats[0]
        if options.output in (None, "-"):
            if fmt == "text":
                Console(highlight=False).print(renderable(result))
            else:
                sys.stdout.write(get_reporter(fmt).render(result))
            return
        _write_file(Path(options.output), get_reporter(fmt).render(result))
        return
    folder = Path(options.output or ".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FlowauditError(f"cannot create output folder: {e.strerror}", path=str(folder)) from e
    for fmt in options.formats:
        reporter = get_reporter(fmt)
        _write_file(folder / f"flowaudit.{reporter.extension}", reporter.render(result))


def _write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise FlowauditError(f"cannot write the report: {e.strerror}", path=str(path)) from e
