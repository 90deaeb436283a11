"""The command line: parse arguments, then hand a plain options object to
the code that executes the command. Exit codes (CONTRACT.md): 0 nothing at
or above ``--fail-on``; 1 findings at or above it; 2 the audit could not be
done, always with one clear message and never a traceback."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from flowaudit import __version__
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_ERROR
from flowaudit.model import SEVERITIES
from flowaudit.reporters import REPORTERS

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"flowaudit: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def reports_errors(fn: F) -> F:
    """Turn user errors into one message and exit 2.

    An unexpected exception is a bug in flowaudit; it also exits 2 (the audit
    could not be done) with a short message, and shows its traceback only
    when FLOWAUDIT_DEBUG is set.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FlowauditError as e:
            _fail(str(e))
        except KeyboardInterrupt:
            _fail("interrupted")
        except Exception as e:  # noqa: BLE001 - last line of defence, see docstring
            if os.environ.get("FLOWAUDIT_DEBUG"):
                traceback.print_exc()
            _fail(
                f"internal error ({type(e).__name__}: {e}). This is a bug in flowaudit: "
                "please report it; set FLOWAUDIT_DEBUG=1 to see the traceback."
            )

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowaudit")
def main() -> None:
    """Audit where an app's data really goes."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--declared",
    "declared",
    type=click.Path(dir_okay=False),
    help="Declaration file (default: flowaudit.yml in the working directory, if present).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(sorted(REPORTERS)),
    help="Output format; repeat for several (then -o names a folder). Default: text.",
)
@click.option("-o", "--output", type=click.Path(), help="Output file ('-' for standard output) or folder.")
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option("--strict", is_flag=True, help="Treat an incomplete (truncated) capture as an error (exit 2).")
@reports_errors
def check(
    inputs: tuple[str, ...],
    declared: str | None,
    formats: tuple[str, ...],
    output: str | None,
    fail_on: str,
    strict: bool,
) -> None:
    """Audit captured traffic (mitmproxy flow files, HAR files or folders of them)."""
    from flowaudit.commands.check import CheckOptions, run_check

    options = CheckOptions(
        inputs=inputs,
        declared=declared if declared is not None else _default_declaration(),
        formats=tuple(dict.fromkeys(formats)) or ("text",),
        output=output,
        fail_on=fail_on,
        strict=strict,
    )
    sys.exit(run_check(options))


def _default_declaration() -> str | None:
    default = Path("flowaudit.yml")
    return str(default) if default.is_file() else None


@main.group()
def rules() -> None:
    """The catalog and rules flowaudit ships."""


@rules.command("list")
@reports_errors
def rules_list() -> None:
    """Show the catalog's sources, licenses, versions and counts."""
    from flowaudit.commands.rules_list import run_rules_list

    run_rules_list()
