"""`flowaudit rules validate`: check rules files against their schemas and each other."""

from __future__ import annotations

from pathlib import Path

import click

from flowaudit.exitcodes import EXIT_ERROR, EXIT_OK
from flowaudit.resources import rules_dir
from flowaudit.rulesfiles import validate


def run_rules_validate(paths: tuple[str, ...]) -> int:
    """Print every problem as ``file:line: message``; 2 when there is any, 0 when all is valid."""
    result = validate([Path(p) for p in paths] or [rules_dir()])
    for error in result.errors:
        click.echo(str(error))
    files = f"{len(result.files)} rules file{'s' if len(result.files) != 1 else ''}"
    if result.errors:
        count = len(result.errors)
        click.echo(f"{count} problem{'s' if count != 1 else ''} ({files} checked)", err=True)
        return EXIT_ERROR
    click.echo(f"{files} valid")
    return EXIT_OK
