"""The command line: parse arguments, then hand a plain options object to
the code that executes the command. Exit codes (docs/contract.md): 0 nothing at
or above ``--fail-on``; 1 findings at or above it; 2 the audit could not be
done, always with one clear message and never a traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from flowaudit import __version__
from flowaudit.commands.output import choose_formats
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_ERROR
from flowaudit.inert import one_line
from flowaudit.model import SEVERITIES
from flowaudit.reporters import REPORTERS
from flowaudit.suppress import DEFAULT_IGNORE_FILE

F = TypeVar("F", bound=Callable[..., Any])

DIFF_FORMATS = ("text", "json", "markdown", "html")


def _fail(message: str) -> None:
    """``message`` is a :class:`FlowauditError`'s (already inert) or an exception's, which may quote a capture."""
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
        except click.UsageError:
            raise  # bad usage found inside a command: click shows it with the usage line, exit 2
        except click.ClickException as e:
            _fail(e.format_message())
        except Exception as e:  # noqa: BLE001 - last line of defence, see docstring
            if os.environ.get("FLOWAUDIT_DEBUG"):
                import traceback  # only here: it is slow to import and a run that goes well never needs it

                traceback.print_exc()
            _fail(
                f"internal error ({type(e).__name__}: {one_line(str(e))}). This is a bug in flowaudit: "
                "please report it; set FLOWAUDIT_DEBUG=1 to see the traceback."
            )

    return wrapper  # type: ignore[return-value]


_DECLARED_HELP = "Declaration file (default: flowaudit.yml in the working directory, if present)."
_FORMAT_HELP = (
    "Output format; repeat for several (then -o names a folder). "
    "Default: from -o FILE's extension (.html, .json, .sarif, .xml for junit, .md, .csv, .txt), else text."
)


def declared_option(help_text: str = _DECLARED_HELP) -> Callable[[F], F]:
    return click.option("--declared", type=click.Path(dir_okay=False), help=help_text)


_DECLARED_MANY_HELP = (
    "What the app declares: a flowaudit.yml, Apple privacy manifests (PrivacyInfo.xcprivacy), Google Play "
    "Data safety CSVs, or folders of the store files; repeat to give several "
    "(default: flowaudit.yml in the working directory, if present)."
)


def declared_many_option(help_text: str = _DECLARED_MANY_HELP) -> Callable[[F], F]:
    return click.option("--declared", multiple=True, type=click.Path(), help=help_text)


def format_option(choices: Sequence[str] = tuple(sorted(REPORTERS)), help_text: str = _FORMAT_HELP) -> Callable[[F], F]:
    return click.option("--format", "formats", multiple=True, type=click.Choice(list(choices)), help=help_text)


def output_option(help_text: str = "Output file ('-' for standard output) or folder.") -> Callable[[F], F]:
    return click.option("-o", "--output", type=click.Path(), help=help_text)


def fail_on_option(help_text: str = "Exit 1 when a finding is at or above this severity.") -> Callable[[F], F]:
    return click.option(
        "--fail-on", type=click.Choice([*SEVERITIES, "never"]), default="high", show_default=True, help=help_text
    )


def allow_empty_option() -> Callable[[F], F]:
    return click.option(
        "--allow-empty",
        is_flag=True,
        help="Accept capture inputs with no readable flow (else exit 2: a gate must not pass on nothing).",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowaudit")
def main() -> None:
    """Audit where an app's data really goes."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@declared_many_option()
@format_option()
@output_option()
@fail_on_option()
@click.option("--strict", is_flag=True, help="Treat an incomplete (truncated) capture as an error (exit 2).")
@allow_empty_option()
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="An earlier JSON result: only findings new since then count toward the exit status.",
)
@click.option(
    "--ignore-file",
    type=click.Path(dir_okay=False),
    help=f"Accepted findings, each with a statement and an expiry date (default: {DEFAULT_IGNORE_FILE}, if present).",
)
@click.option("--show-suppressed", is_flag=True, help="List the findings the ignore file or baseline suppressed.")
@click.option(
    "--no-redact",
    is_flag=True,
    help="Keep tokens, cookies and keys in the outputs (private use only; every report says so).",
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes that decode and inspect requests while the capture is read (0: none). "
    "Default: one per CPU core but one (at most 4), for captures of 16 MiB or more.",
)
@reports_errors
def check(
    inputs: tuple[str, ...],
    declared: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    fail_on: str,
    strict: bool,
    allow_empty: bool,
    baseline: str | None,
    ignore_file: str | None,
    show_suppressed: bool,
    no_redact: bool,
    jobs: int | None,
) -> None:
    """Audit captured traffic (mitmproxy flow files, HAR files or folders of them)."""
    from flowaudit.commands.check import CheckOptions, run_check

    options = CheckOptions(
        inputs=inputs,
        declared=declared or _default_declarations(),
        formats=choose_formats(formats, output, tuple(REPORTERS)),
        output=output,
        fail_on=fail_on,
        strict=strict,
        allow_empty=allow_empty,
        baseline=baseline,
        ignore_file=ignore_file if ignore_file is not None else _default_ignore_file(),
        show_suppressed=show_suppressed,
        redact=not no_redact,
        jobs=jobs,
    )
    sys.exit(run_check(options))


def _default_declaration() -> str | None:
    default = Path("flowaudit.yml")
    return str(default) if default.is_file() else None


def _default_declarations() -> tuple[str, ...]:
    default = _default_declaration()
    return (default,) if default is not None else ()


def _default_ignore_file() -> str | None:
    default = Path(DEFAULT_IGNORE_FILE)
    return str(default) if default.is_file() else None


@main.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@declared_many_option("Declarations to audit captures with, as for `check`.")
@format_option(DIFF_FORMATS)
@output_option()
@fail_on_option("Exit 1 when NEW has a finding OLD did not have at or above this severity.")
@allow_empty_option()
@reports_errors
def diff(
    old: str,
    new: str,
    declared: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    fail_on: str,
    allow_empty: bool,
) -> None:
    """What changed between two audits: recipients, data types, findings.

    OLD and NEW are JSON results (`check --format json`) or captures (files or
    folders), which are audited with the same declaration.
    """
    from flowaudit.commands.diff import DiffOptions, run_diff

    options = DiffOptions(
        old=old,
        new=new,
        declared=declared or _default_declarations(),
        formats=choose_formats(formats, output, DIFF_FORMATS),
        output=output,
        fail_on=fail_on,
        allow_empty=allow_empty,
    )
    sys.exit(run_diff(options))


@main.command()
@click.argument("result", metavar="RESULT.json", type=click.Path(dir_okay=False))
@format_option()
@output_option()
@click.option(
    "--no-redact",
    is_flag=True,
    help="Render the JSON as it is, without masking secrets again (private use only).",
)
@reports_errors
def report(result: str, formats: tuple[str, ...], output: str | None, no_redact: bool) -> None:
    """Render a saved JSON result (`check --format json`) in any format."""
    from flowaudit.commands.report import ReportOptions, run_report

    options = ReportOptions(
        result=result,
        formats=choose_formats(formats, output, tuple(REPORTERS)),
        output=output,
        redact=not no_redact,
    )
    sys.exit(run_report(options))


@main.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default="flowaudit-study",
    show_default=True,
    help="Folder for the per-app reports, the matrix and the manifest.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Apps audited at the same time.",
)
@reports_errors
def study(folder: str, output: str, jobs: int) -> None:
    """Audit many apps alike: DIR/<app>/ holds each app's captures (and optional flowaudit.yml).

    Writes each app's report, one matrix of apps by companies (HTML and CSV)
    and a manifest of every input's SHA-256, for a study others can reproduce.
    """
    from flowaudit.commands.study import StudyOptions, run_study

    sys.exit(run_study(StudyOptions(folder, output, jobs, ("flowaudit", *sys.argv[1:]))))


_RECORD_EPILOG = """\b
Exit status:
  without COMMAND: the audit's, as for `check`: 0 pass, 1 findings, 2 error
  with COMMAND:    0 both passed, 1 findings, 3 COMMAND failed,
                   4 COMMAND failed and findings; 2 (the recording or the
                   audit could not be done) wins over all others
\b
Phases: `flowaudit mark NAME` from another terminal, a request through the
proxy to http://flowaudit.invalid/mark/NAME, or (no COMMAND) the keys
g, r, w (consent granted, refused, withdrawn) and n (type a name).
"""


@main.command(epilog=_RECORD_EPILOG)
@click.argument("command", nargs=-1, metavar="[-- COMMAND [ARG]...]")
@click.option(
    "--mode",
    default="regular",
    show_default=True,
    help="regular (an HTTP(S) proxy), wireguard (for phones), upstream:URL or reverse:URL.",
)
@click.option("--listen-host", help="Address to listen on.  [default: 127.0.0.1; wireguard: every interface]")
@click.option(
    "-p", "--port", type=click.IntRange(0, 65535), help="Port (0: any free one).  [default: 8080; wireguard: 51820]"
)
@click.option(
    "-w", "--capture", type=click.Path(dir_okay=False), help="Capture file.  [default: captures/<app>-<time>.mitm]"
)
@click.option("--app", help="App name, stamped into the capture.  [default: the declaration's app]")
@click.option("--device", default="", help="Note on the device used (model, OS, test account).")
@click.option("--phase", metavar="NAME", help="Phase in force from the start (e.g. before-consent).")
@click.option(
    "--sinkhole",
    type=click.Choice(["off", "third-party", "all"]),
    default="off",
    is_flag=False,
    flag_value="third-party",
    show_default=True,
    help="Answer requests locally, never forwarding them: third parties (the value when none is given) or all.",
)
@click.option(
    "--confdir",
    default="~/.mitmproxy",
    show_default=True,
    type=click.Path(file_okay=False),
    help="mitmproxy's folder: its CA certificate (shared with mitmproxy, so a CA trusted once stays trusted).",
)
@click.option(
    "--command-output",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Append COMMAND's standard output and error to FILE.  [default: COMMAND's output goes to standard "
    "error; standard output carries only the audit]",
)
@declared_option()
@click.option("--no-audit", is_flag=True, help="Only record; do not audit the capture afterwards.")
@format_option(help_text="Audit output format, as for `check`. Default: text.")
@output_option("Audit output file or folder, as for `check`.")
@fail_on_option("Audit fails (exit 1) on findings at or above this severity.")
@reports_errors
def record(
    command: tuple[str, ...],
    mode: str,
    listen_host: str | None,
    port: int | None,
    capture: str | None,
    app: str | None,
    device: str,
    phase: str | None,
    sinkhole: str,
    confdir: str,
    command_output: str | None,
    declared: str | None,
    no_audit: bool,
    formats: tuple[str, ...],
    output: str | None,
    fail_on: str,
) -> None:
    """Record an app's traffic through a local proxy, then audit it.

    Listens on 127.0.0.1:8080 until Ctrl-C (or SIGTERM), writing every flow
    at once to captures/<app>-<time>.mitm, then audits the capture as
    `check` does. With `-- COMMAND`, runs COMMAND with the proxy and CA
    variables its clients honour (HTTP(S)_PROXY, REQUESTS_CA_BUNDLE,
    SSL_CERT_FILE, CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS) and stops when it exits.
    """
    from flowaudit.commands.record import RecordOptions, run_record

    options = RecordOptions(
        mode=mode,
        listen_host=listen_host,
        port=port,
        confdir=confdir,
        capture=capture,
        app=app,
        device=device,
        phase=phase,
        sinkhole=sinkhole,
        declared=declared if declared is not None else _default_declaration(),
        audit=not no_audit,
        formats=choose_formats(formats, output, tuple(REPORTERS)),
        output=output,
        fail_on=fail_on,
        ignore_file=_default_ignore_file(),
        command=command,
        command_output=command_output,
    )
    sys.exit(run_record(options))


@main.command()
@click.argument("name")
@click.option("--pid", type=int, help="The recording to mark, when several are running.")
@reports_errors
def mark(name: str, pid: int | None) -> None:
    """Start phase NAME (e.g. consent-granted) in the running recording.

    Every flow from now on carries NAME, until the next marker.
    """
    from flowaudit.commands.mark import run_mark

    run_mark(name, pid)


@main.command("addon-path")
def addon_path() -> None:
    """Print the path of flowaudit's mitmproxy addon: mitmdump -s "$(flowaudit addon-path)"."""
    from flowaudit.capture import addon_path as path

    click.echo(str(path()))


@main.command()
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE...")
@declared_many_option(
    "What the app declares already, as for `check` (a flowaudit.yml, privacy manifests, Data safety CSVs, "
    "folders; repeat for several): the YAML's canaries sharpen detection, its app, first_party and settings are kept."
)
@click.option("--app", help="The app's name for the draft.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    help="Folder for flowaudit.yml and disclosure.md (default: print the document).",
)
@reports_errors
def disclose(captures: tuple[str, ...], declared: tuple[str, ...], app: str | None, output: str | None) -> None:
    """Draft what the app must declare, from observed traffic.

    A flowaudit.yml, and the App Store privacy label and Google Play Data
    safety answers, each line backed by the requests that show it.
    """
    from flowaudit.commands.disclose import DiscloseOptions, run_disclose

    sys.exit(run_disclose(DiscloseOptions(captures, declared, app, output)))


@main.group()
def rules() -> None:
    """The catalog and rules flowaudit ships."""


@rules.command("list")
@click.option(
    "--adapters",
    "adapters",
    is_flag=True,
    help="Show the vendor adapters instead: per endpoint, its hosts, path patterns, fields, data types and source.",
)
@click.option("--markdown", is_flag=True, help="With --adapters: as Markdown (what docs/adapters.md holds).")
@click.option(
    "--data-types", is_flag=True, help="Show the mapping of Apple and Play data types to flowaudit's, both ways."
)
@reports_errors
def rules_list(adapters: bool, markdown: bool, data_types: bool) -> None:
    """Show the catalog's sources, licenses, versions and counts (or, with --adapters, the adapters' coverage;
    with --data-types, the store data-type mapping)."""
    from flowaudit.commands.rules_list import run_data_types_list, run_rules_list, run_rules_list_adapters

    if markdown and not adapters:
        raise click.UsageError("--markdown goes with --adapters")
    if adapters and data_types:
        raise click.UsageError("give --adapters or --data-types, not both")
    if adapters:
        run_rules_list_adapters(markdown=markdown)
    elif data_types:
        run_data_types_list()
    else:
        run_rules_list()


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@reports_errors
def rules_validate(paths: tuple[str, ...]) -> None:
    """Check rules files or folders against their schemas (default: the shipped rules).

    Each file's kind comes from where it sits (rules/adapters/, rules/terms/,
    rules/catalog/overlay/, catalog.yml, data-types.yml, categories.yml), else
    from its top-level keys. Every problem is printed as file:line; exit 2
    when there is any, 0 when all are valid.
    """
    from flowaudit.commands.rules_validate import run_rules_validate

    sys.exit(run_rules_validate(paths))


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@reports_errors
def rules_test(paths: tuple[str, ...]) -> None:
    """Check adapters against their fixtures (default: the shipped adapters).

    PATHS are adapter files or folders of them (your own adapters; a rules
    folder means its adapters/); each adapter's fixture is
    fixtures/<vendor>.yml beside it. Prints each failing expectation as
    file:line; exit 1 when any fails, 0 when all pass, 2 when an adapter or
    fixture cannot be read.
    """
    from flowaudit.commands.rules_test import run_rules_test

    sys.exit(run_rules_test(paths))
