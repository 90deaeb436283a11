"""`flowaudit rules test`: check adapters against their fixtures, as semgrep tests its rules."""

from __future__ import annotations

from pathlib import Path

import click

from flowaudit.display.words import plural
from flowaudit.exitcodes import EXIT_FINDINGS, EXIT_OK
from flowaudit.payload.adapters.fixtures import run_fixtures


def run_rules_test(paths: tuple[str, ...]) -> int:
    """Print each failing expectation as ``file:line: message``; 1 when any fails, 0 when all pass.

    Bad input (an unreadable adapter or fixture, a missing path) raises a
    :class:`~flowaudit.errors.FlowauditError`, which the command line turns into exit 2.
    """
    outcome = run_fixtures([Path(p) for p in paths])
    for failure in outcome.failures:
        click.echo(str(failure))
    tested = f"{plural(outcome.adapters, 'adapter')}, {plural(outcome.requests, 'request')}"
    if outcome.failures:
        click.echo(f"{plural(len(outcome.failures), 'failing expectation')} ({tested})", err=True)
        return EXIT_FINDINGS
    click.echo(f"{plural(outcome.adapters, 'adapter')} meet their fixtures ({plural(outcome.requests, 'request')})")
    return EXIT_OK
