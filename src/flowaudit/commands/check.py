"""`flowaudit check`: read captures, audit them, write every asked format."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from flowaudit.catalog import load_catalog
from flowaudit.commands.output import require_folder_for_formats
from flowaudit.commands.write import write_result
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_FINDINGS, EXIT_OK
from flowaudit.inert import one_line
from flowaudit.model import AuditResult
from flowaudit.pipeline import audit_captures, require_flows
from flowaudit.suppress.apply import Applied, apply_suppressions

if TYPE_CHECKING:
    from flowaudit.suppress.model import Baseline, IgnoreFile


@dataclass(frozen=True)
class CheckOptions:
    inputs: tuple[str, ...]
    declared: tuple[str, ...]  # a flowaudit.yml and store files (see flowaudit.declaration.combined)
    formats: tuple[str, ...]
    output: str | None
    fail_on: str
    strict: bool
    allow_empty: bool = False  # --allow-empty: no readable flow is not an error
    baseline: str | None = None  # an earlier JSON result: its findings do not fail the run
    ignore_file: str | None = None  # .flowaudit-ignore.yml: accepted findings, each until a date
    show_suppressed: bool = False
    redact: bool = True  # False: --no-redact, secrets stay in every output (which says so)
    jobs: int | None = None  # worker processes for payload inspection; None: by capture size


def run_check(options: CheckOptions) -> int:
    require_folder_for_formats(options.formats, options.output, "report/")
    # Suppressions and baseline are checked before any capture is read: an
    # expired entry or a wrong file fails at once, not after a long audit.
    ignore = _ignore_file(options.ignore_file) if options.ignore_file else None
    baseline = _baseline(options.baseline) if options.baseline else None
    result = audit_captures(
        options.inputs,
        options.declared,
        options.fail_on,
        redact=options.redact,
        jobs=options.jobs,
        allow_empty=options.allow_empty,
    )
    for i in result.inputs:
        if not i.complete and options.strict:
            raise FlowauditError(
                f"incomplete capture: {i.problem}",
                path=i.path,
                hint="without --strict, flowaudit audits every flow before the break",
            )
    if not options.allow_empty:
        require_flows(result)
    applied = apply_suppressions(result, ignore, baseline, show=options.show_suppressed)
    result = applied.result
    _warn_incomplete(result)
    _warn_unused(applied)
    write_result(result, options.formats, options.output)
    if os.environ.get("GITHUB_ACTIONS") or os.environ.get("GITHUB_STEP_SUMMARY"):
        from flowaudit.reporters.github import publish  # its Markdown rendering, only under GitHub Actions

        publish(result, os.environ, sys.stderr)
    return EXIT_FINDINGS if result.failed() else EXIT_OK


# The readers of an ignore file and a baseline, imported only when one is given.


def _ignore_file(path: str) -> IgnoreFile:
    from flowaudit.suppress.loader import load_ignore_file

    return load_ignore_file(path, load_catalog())


def _baseline(path: str) -> Baseline:
    from flowaudit.suppress.baseline import read_baseline

    return read_baseline(path)


def _warn_unused(applied: Applied) -> None:
    for entry in applied.unused:
        click.echo(
            one_line(
                f"flowaudit: warning: {entry.source}: suppression of {entry.rule} for "
                f"{entry.entity or entry.host} matched no finding: remove it if it is no longer needed"
            ),
            err=True,
        )


def _warn_incomplete(result: AuditResult) -> None:
    for i in result.inputs:
        for warning in i.warnings:
            click.echo(one_line(f"flowaudit: warning: {i.path}: {warning}"), err=True)
        if not i.complete:
            click.echo(
                one_line(f"flowaudit: warning: {i.path}: incomplete, read {i.flows} flows: {i.problem}"),
                err=True,
            )
