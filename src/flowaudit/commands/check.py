"""`flowaudit check`: read captures, audit them, write every asked format."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click

from flowaudit.catalog import load_catalog
from flowaudit.commands.output import require_folder_for_formats, write_outputs
from flowaudit.declaration import load_declaration
from flowaudit.engine import Auditor
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.parallel import audit_in_workers
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_FINDINGS, EXIT_OK
from flowaudit.inputs import open_inputs
from flowaudit.model import AuditResult
from flowaudit.redact import Redactor, redact_result
from flowaudit.reporters import get_reporter
from flowaudit.reporters.github import publish
from flowaudit.reporters.text import renderable
from flowaudit.suppress.apply import Applied, apply_suppressions
from flowaudit.suppress.baseline import read_baseline
from flowaudit.suppress.loader import load_ignore_file


@dataclass(frozen=True)
class CheckOptions:
    inputs: tuple[str, ...]
    declared: str | None
    formats: tuple[str, ...]
    output: str | None
    fail_on: str
    strict: bool
    baseline: str | None = None  # an earlier JSON result: its findings do not fail the run
    ignore_file: str | None = None  # .flowaudit-ignore.yml: accepted findings, each until a date
    show_suppressed: bool = False
    redact: bool = True  # False: --no-redact, secrets stay in every output (which says so)
    jobs: int | None = None  # worker processes for payload inspection; None: by capture size


# Below this much capture, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 16 * 1024 * 1024


def audit_captures(
    inputs: Sequence[str],
    declared: str | None,
    fail_on: str = "high",
    *,
    redact: bool = True,
    jobs: int | None = 0,
) -> AuditResult:
    """Audit captures exactly as `check` does; `study`, `diff` and `disclose` call this too,
    so every command sees the same engine, catalog and payload analysis.

    ``jobs`` is how many worker processes inspect payloads (0: none, all in
    this process; None: decide by the size of the captures).

    The result comes back redacted (unless ``redact`` is False) and stamped
    for custody: when it was made and the declaration's SHA-256."""
    catalog = load_catalog()
    declaration = load_declaration(declared, catalog) if declared else None
    captures = open_inputs(inputs)
    auditor = Auditor(catalog, declaration, fail_on=fail_on, analyzer=PayloadAnalyzer(declaration))
    workers = _workers(captures.size) if jobs is None else jobs
    if workers > 0:
        audit_in_workers(auditor, captures, declared, workers)
    else:
        for observation in captures:
            auditor.add(observation)
    result = redact_result(auditor.result(captures.inputs), Redactor.for_declaration(declaration, enabled=redact))
    return replace(
        result,
        created=_created(),
        declaration_sha256=hashlib.sha256(Path(declared).read_bytes()).hexdigest() if declared else None,
    )


def _workers(capture_bytes: int) -> int:
    """One process reads and counts; the other cores inspect payloads."""
    cores = os.cpu_count() or 1
    if cores < 2 or capture_bytes < PARALLEL_FROM_BYTES:
        return 0
    return min(cores - 1, 4)


def _created() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible reports, as in
    https://reproducible-builds.org/specs/source-date-epoch/)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def run_check(options: CheckOptions) -> int:
    require_folder_for_formats(options.formats, options.output, "report/")
    # Suppressions and baseline are checked before any capture is read: an
    # expired entry or a wrong file fails at once, not after a long audit.
    ignore = load_ignore_file(options.ignore_file, load_catalog()) if options.ignore_file else None
    baseline = read_baseline(options.baseline) if options.baseline else None
    result = audit_captures(options.inputs, options.declared, options.fail_on, redact=options.redact, jobs=options.jobs)
    for i in result.inputs:
        if not i.complete and options.strict:
            raise FlowauditError(
                f"incomplete capture: {i.problem}",
                path=i.path,
                hint="without --strict, flowaudit audits every flow before the break",
            )
    applied = apply_suppressions(result, ignore, baseline, show=options.show_suppressed)
    result = applied.result
    _warn_incomplete(result)
    _warn_unused(applied)
    write_result(result, options.formats, options.output)
    publish(result, os.environ, sys.stderr)
    return EXIT_FINDINGS if result.failed() else EXIT_OK


def _warn_unused(applied: Applied) -> None:
    for entry in applied.unused:
        click.echo(
            f"flowaudit: warning: {entry.source}: suppression of {entry.rule} for "
            f"{entry.entity or entry.host} matched no finding: remove it if it is no longer needed",
            err=True,
        )


def _warn_incomplete(result: AuditResult) -> None:
    for i in result.inputs:
        if not i.complete:
            click.echo(
                f"flowaudit: warning: {i.path}: incomplete, read {i.flows} flows: {i.problem}",
                err=True,
            )


def write_result(result: AuditResult, formats: Sequence[str], output: str | None) -> None:
    """Every asked format of a result: to the terminal, a file or a folder (`check` and `report`)."""
    write_outputs(
        formats,
        output,
        stem="flowaudit",
        extension=lambda fmt: get_reporter(fmt).extension,
        render=lambda fmt: get_reporter(fmt).render(result),
        terminal=lambda: renderable(result),
    )
