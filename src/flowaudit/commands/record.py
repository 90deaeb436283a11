"""`flowaudit record`: capture an app's traffic through a local proxy, then audit it.

Everything a user can get wrong is checked before the proxy starts (mode,
phase name, COMMAND, declaration, capture folder), so a mistake costs a
message, not a recording session.

Exit status (README, ``--help``): without COMMAND, the audit's (0, 1, 2, as
``check``). With COMMAND, ``3`` is added when COMMAND failed: 0 both fine,
1 findings, 3 COMMAND failed, 4 COMMAND failed and findings; 2 (the
recording or the audit could not be done) wins over everything, since
nothing else can then be trusted.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from flowaudit.capture.addon import DEFAULT_CAPTURE, capture_file_name, valid_phase
from flowaudit.capture.keys import keys_available
from flowaudit.capture.live import LiveView
from flowaudit.capture.runner import (
    Recording,
    RecordOutcome,
    RecordSettings,
    ca_certificate,
    check_mode,
    default_listen_host,
)
from flowaudit.catalog import load_catalog
from flowaudit.commands.check import CheckOptions, run_check
from flowaudit.declaration import load_declaration
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

EXIT_COMMAND_FAILED = 3  # added to the audit's 0 or 1: 3 or 4


@dataclass(frozen=True)
class RecordOptions:
    mode: str
    listen_host: str | None  # None: loopback (WireGuard: every interface)
    port: int | None  # None: the mode's default (8080; WireGuard 51820)
    confdir: str
    capture: str | None  # None: captures/<app>-<time>.mitm
    app: str | None  # None: the declaration's app, else "app"
    device: str
    phase: str | None
    sinkhole: str
    declared: str | None
    audit: bool
    formats: tuple[str, ...]
    output: str | None
    fail_on: str
    ignore_file: str | None
    command: tuple[str, ...]
    command_output: str | None = None  # None: COMMAND's output goes to standard error


def run_record(options: RecordOptions) -> int:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    mode = check_mode(options.mode)
    if options.phase is not None:
        _check_phase(options.phase)
    command = _resolve_command(options.command)
    command_output = _command_output(options.command_output, command)
    catalog = load_catalog()
    declaration = load_declaration(options.declared, catalog) if options.declared else None
    app = options.app or (declaration.app if declaration and declaration.app else "app")
    capture = _capture_path(options.capture, app)
    confdir = Path(options.confdir).expanduser()
    _writable_folder(confdir, "cannot keep the proxy's CA certificate in this folder", "choose another with --confdir")
    settings = RecordSettings(
        mode=mode,
        listen_host=options.listen_host if options.listen_host is not None else default_listen_host(mode),
        port=options.port,
        confdir=confdir,
        capture=capture,
        app=app,
        device=options.device,
        phase=options.phase,
        sinkhole=options.sinkhole,
        declared=options.declared,
        command=command,
        command_output=command_output,
    )
    live = sys.stdout.isatty() and not command
    keys = keys_available() and not command
    view = LiveView(catalog, declaration, capture, shown=live)
    outcome = Recording(settings, view, err, Console(highlight=False)).run(live=live, keys=keys)
    _summarize(outcome, settings, err)
    if outcome.failure is not None:
        raise FlowauditError(outcome.failure, hint=f"the capture up to that point is in {capture}")
    audit = EXIT_OK
    if options.audit:
        audit = run_check(
            CheckOptions(
                inputs=(str(capture),),
                declared=(options.declared,) if options.declared else (),
                formats=options.formats,
                output=options.output,
                fail_on=options.fail_on,
                strict=False,
                ignore_file=options.ignore_file,
                # A recording through which nothing went was warned about above; its report
                # says there was nothing to audit, and standard output still carries it.
                allow_empty=True,
            )
        )
    return combined_status(outcome.command_status, audit)


def combined_status(command_status: int | None, audit_status: int) -> int:
    """One exit status for COMMAND and the audit; see the module docstring."""
    if audit_status == EXIT_ERROR:
        return EXIT_ERROR
    if command_status is None or command_status == 0:
        return audit_status
    return EXIT_COMMAND_FAILED + (1 if audit_status == EXIT_FINDINGS else 0)


def _check_phase(name: str) -> None:
    try:
        valid_phase(name)
    except ValueError as e:
        raise FlowauditError(str(e)) from e


def _resolve_command(command: tuple[str, ...]) -> tuple[str, ...]:
    if not command:
        return command
    program = command[0]
    found = shutil.which(program)
    if found is None:
        if os.sep in program and Path(program).exists():
            raise FlowauditError(f"COMMAND is not executable: {program}", hint=f"chmod +x {program}")
        raise FlowauditError(f"COMMAND not found: {program}", hint="check its spelling and your PATH")
    return (found, *command[1:])


def _command_output(given: str | None, command: tuple[str, ...]) -> Path | None:
    """The file COMMAND's output is appended to, checked writable now; None: standard error."""
    if given is None:
        return None
    if not command:
        raise FlowauditError(
            "--command-output names where COMMAND's output goes, but there is no COMMAND",
            hint="add -- COMMAND [ARG]..., or drop --command-output",
        )
    path = Path(given).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as e:
        raise FlowauditError(f"cannot write COMMAND's output here: {e.strerror or e}", path=given) from e
    return path


def _capture_path(given: str | None, app: str) -> Path:
    """Where the capture goes; checked writable now, so a bad folder fails before recording."""
    if given is not None:
        path = Path(given).expanduser()
        if path.exists():
            raise FlowauditError("the capture file already exists; captures are never overwritten", path=given)
    else:
        now = datetime.datetime.now()
        path = Path(capture_file_name(DEFAULT_CAPTURE, app, now))
        n = 2
        while path.exists():  # two recordings in the same second
            path = Path(capture_file_name(DEFAULT_CAPTURE.replace("{time}", f"{{time}}-{n}"), app, now))
            n += 1
    _writable_folder(path.parent, "cannot write captures into this folder", "choose another place with --capture PATH")
    return path


def _writable_folder(folder: Path, problem: str, hint: str) -> None:
    """Create ``folder`` if needed and prove a file can be written in it, now rather than mid-recording."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise FlowauditError(f"{problem}: {e.strerror or e}", path=str(folder), hint=hint) from e


def _summarize(outcome: RecordOutcome, settings: RecordSettings, err: Console) -> None:
    tried = f" and {outcome.attempts} lookups or failed connections" if outcome.attempts else ""
    err.print(f"flowaudit: recorded {outcome.requests} requests{tried} into {outcome.capture}", markup=False)
    if outcome.command_status is not None:
        err.print(f"flowaudit: COMMAND exited with status {outcome.command_status}", markup=False)
    if outcome.requests == 0 and outcome.attempts == 0 and outcome.failure is None:
        err.print(
            "flowaudit: warning: no traffic went through the proxy. Is the app (or COMMAND) using it? "
            + ("Check its proxy settings." if not settings.command else "Not every client honours HTTPS_PROXY."),
            markup=False,
        )
    if outcome.requests == 0 and outcome.attempts and outcome.failure is None:
        err.print(
            f"flowaudit: warning: nothing was reached: the {outcome.attempts} lookups or connections all failed "
            "(is the network down?). They are audited as attempts; to see what the app sends, record with "
            "--sinkhole all.",
            markup=False,
        )
    if outcome.refused_tls:
        err.print(
            f"flowaudit: warning: the client refused the proxy's certificate on {outcome.refused_tls} TLS "
            f"connection{'s' if outcome.refused_tls != 1 else ''}: certificate pinning, or the device does not "
            "trust the CA "
            f"({ca_certificate(settings.confdir)}). They are audited as uninspectable connections.",
            markup=False,
        )
