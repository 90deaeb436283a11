"""The proxy ``flowaudit record`` runs in-process: mitmproxy's default addons
(but those idle under the options it sets, :data:`IDLE_ADDONS`) plus
flowaudit's :class:`~flowaudit.capture.addon.Recorder`, on one asyncio
loop, until Ctrl-C, SIGTERM, ``q``, or COMMAND's exit.

Only mitmproxy's public, long-standing pieces are used (``Master``,
``default_addons``, options, the proxyserver addon's server list), the same
in mitmproxy 10, 11 and 12. mitmproxy's own startup error check is left
out on purpose: it exits the process; here a port in use or a bad option
becomes one clear message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, options
from mitmproxy import flow as mflow
from mitmproxy.addons import default_addons
from mitmproxy.master import Master
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.utils import human
from rich.console import Console
from rich.live import Live

from flowaudit.capture.addon import Recorder
from flowaudit.capture.banner import Listening, banner_lines, wireguard_lines
from flowaudit.capture.environment import command_environment
from flowaudit.capture.keys import HELP, KeyMarkers
from flowaudit.capture.live import LiveView
from flowaudit.captureformat import MARKER_KEY
from flowaudit.errors import FlowauditError
from flowaudit.inert import one_line

MODES = ("regular", "wireguard", "upstream", "reverse")
MODES_HELP = "regular (default), wireguard, upstream:URL or reverse:URL"
REFRESH = 0.25  # seconds between live view redraws
GRACE = 5.0  # seconds COMMAND gets to exit after Ctrl-C, then after SIGTERM
_STDERR = 2  # the process's standard error as the system knows it, whatever sys.stderr now is


@dataclass(frozen=True)
class RecordSettings:
    mode: str  # a mitmproxy mode spec, already checked: regular, wireguard[:conf], upstream:URL, reverse:URL
    listen_host: str  # "" listens on every interface
    port: int | None  # None: the mode's default; 0: any free port
    confdir: Path
    capture: Path
    app: str
    device: str
    phase: str | None
    sinkhole: str  # off, third-party or all
    declared: str | None
    command: tuple[str, ...]  # empty: record until stopped
    # Where COMMAND's standard output and error go: None sends its output to
    # standard error (its errors stay there), so standard output carries only the report.
    command_output: Path | None = None


@dataclass(frozen=True)
class RecordOutcome:
    capture: Path
    records: int  # everything written, flowaudit's own records included
    requests: int  # what the audit will count
    attempts: int  # lookups and connections that could not be opened, apart from requests
    refused_tls: int
    command_status: int | None  # None without COMMAND; 128 + N when killed by signal N
    failure: str | None  # why recording stopped early (the capture is still valid up to there)


class Recording:
    """One recording session; :meth:`run` blocks until it is over."""

    def __init__(self, settings: RecordSettings, view: LiveView, err: Console, out: Console) -> None:
        self.settings = settings
        self.view = view
        self.err = err  # messages; stdout stays free for the audit report
        self.out = out  # the live view, when stdout is a terminal
        self._master: Master | None = None
        self._child: asyncio.subprocess.Process | None = None
        self._stops = 0
        self._keys: KeyMarkers | None = None
        self._live: Live | None = None
        self._command_failure: str | None = None

    def run(self, live: bool, keys: bool) -> RecordOutcome:
        return asyncio.run(self._main(live, keys))

    async def _main(self, live: bool, keys: bool) -> RecordOutcome:
        s = self.settings
        opts = options.Options()
        master = self._master = Master(opts)
        recorder = Recorder(recorder="flowaudit record")
        startup = _StartupCheck(recorder, _intended_address(s))
        # mitmproxy leaves these untyped; their signatures are stable across 10-12.
        chain, idle = _proxy_addons(default_addons(), [startup, recorder])  # type: ignore[no-untyped-call]
        master.addons.add(*chain)  # type: ignore[no-untyped-call]
        for addon in idle:  # loaded, so their options and commands exist as mitmproxy expects; sent no events
            master.addons.register(addon)  # type: ignore[no-untyped-call]
        recorder.listeners.append(self.view.add)
        if not live:
            recorder.listeners.append(self._report_phase)
        try:
            opts.update(**self._options())  # type: ignore[no-untyped-call]
        except (exceptions.OptionsError, ValueError) as e:
            raise FlowauditError(f"cannot start the proxy: {e}") from e
        if not ca_certificate(s.confdir).is_file():  # mitmproxy logs this failure and carries on
            raise FlowauditError(
                "the proxy could not create its CA certificate", path=str(s.confdir), hint="choose another --confdir"
            )

        messages = _MitmproxyMessages(self._notice)
        logging.getLogger().addHandler(messages)
        loop = asyncio.get_running_loop()
        # Kept until asyncio.run closes the loop: the connections stopping cancels are reported after _main.
        loop.set_exception_handler(self._unawaited)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop, sig)
        running = asyncio.ensure_future(master.run())
        try:
            await asyncio.wait([running, asyncio.ensure_future(startup.ready.wait())], return_when="FIRST_COMPLETED")
            if startup.error is not None:
                master.shutdown()  # type: ignore[no-untyped-call]
                await running
                raise FlowauditError(startup.error, hint=startup.hint)  # mitmproxy's own words are dropped
            messages.show_held()
            if recorder.failure is not None:
                await running
                raise FlowauditError(recorder.failure)
            self._announce(startup.listening, keys)
            waiting = [running]
            if s.command:
                waiting.append(asyncio.ensure_future(self._run_command(startup.listening)))
            if keys:
                self._keys = KeyMarkers(lambda name: self._set_phase(recorder, name), self._stop_by_key)
                self._keys.start(loop)
            if live:
                self._live = Live(self.view, console=self.out, auto_refresh=False, transient=False)
                self._live.start()
                waiting.append(asyncio.ensure_future(self._redraw()))
            await running
            for task in waiting[1:]:
                task.cancel()
            await self._end_command()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            if self._keys is not None:
                self._keys.stop()
            if self._live is not None:
                self._live.refresh()
                self._live.stop()
            logging.getLogger().removeHandler(messages)
        status = None if self._child is None else _status(self._child.returncode)
        c = self.view.counters
        failure = recorder.failure or self._command_failure
        return RecordOutcome(s.capture, c.records, c.requests, c.attempts, c.refused_tls, status, failure)

    async def _end_command(self) -> None:
        """COMMAND never outlives the recording (say, stopped while it was starting)."""
        child = self._child
        if child is None or child.returncode is not None:
            return
        child.terminate()
        try:
            await asyncio.wait_for(child.wait(), GRACE)
        except TimeoutError:
            child.kill()
            await child.wait()

    def _options(self) -> dict[str, object]:
        s = self.settings
        return {
            "mode": [s.mode],
            "listen_host": s.listen_host,
            "listen_port": s.port,
            "confdir": str(s.confdir),
            # Lazy: a sinkholed host must not even see a connection from the proxy;
            # and in WireGuard mode a connection to the address the proxy's DNS
            # gave out for the marker host must wait for the request to be answered.
            "connection_strategy": "lazy" if s.sinkhole != "off" or s.mode.startswith("wireguard") else "eager",
            "flowaudit_capture": str(s.capture),
            "flowaudit_app": s.app,
            "flowaudit_device": s.device,
            "flowaudit_phase": s.phase,
            "flowaudit_sinkhole": s.sinkhole,
            "flowaudit_declared": s.declared,
        }

    # -- while recording -------------------------------------------------

    def _announce(self, listening: list[Listening], keys: bool) -> None:
        s = self.settings
        lines = list(banner_lines(listening, s.capture, ca_certificate(s.confdir), s.sinkhole, keys))
        for server in listening:
            if server.wireguard_conf:
                lines.extend(wireguard_lines(server.wireguard_conf))
        for line in lines:
            self.err.print(line, highlight=False, markup=False, soft_wrap=True)
        if keys:
            self.view.footer = HELP

    async def _redraw(self) -> None:
        while True:
            if self._keys is not None:
                typing = self._keys.typing
                prompt = f"phase name: {typing}▏ (Enter starts it, Esc cancels)"
                self.view.footer = HELP if typing is None else prompt
                if self._keys.notice:
                    self.view.notices.append(self._keys.notice)
                    self._keys.notice = None
            assert self._live is not None
            self._live.refresh()
            await asyncio.sleep(REFRESH)

    def _set_phase(self, recorder: Recorder, name: str) -> str | None:
        try:
            recorder.set_phase(name, "key")
        except ValueError as e:
            return str(e)
        return None

    def _report_phase(self, f: mflow.Flow) -> None:
        marker = f.metadata.get(MARKER_KEY)
        if isinstance(marker, dict):
            self.err.print(
                f"flowaudit: phase {marker.get('name')} (set by {marker.get('via')})", highlight=False, markup=False
            )

    def _notice(self, message: str, level: int) -> None:
        if self._live is not None:
            self.view.notices.append(message)
        else:
            self.err.print(message, highlight=False, markup=False, soft_wrap=True)

    def _unawaited(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """An exception no task awaited, which asyncio would print with its traceback.

        Stopping cancels every client connection; Python 3.11's stream
        protocol then reports each cancelled handler as an "exception in
        callback" (8 tracebacks a run under load). A cancellation is what
        stopping means: not reported. Anything else is one line."""
        exception = context.get("exception")
        if isinstance(exception, asyncio.CancelledError):
            return
        what = context.get("message") or "unexpected error"
        detail = f": {type(exception).__name__}: {exception}" if exception is not None else ""
        self._notice(one_line(f"flowaudit: warning: {what}{detail}"), logging.WARNING)

    def _stop_by_key(self) -> None:
        self._stop(signal.SIGINT)

    def _stop(self, sig: signal.Signals) -> None:
        """Ctrl-C or SIGTERM: stop COMMAND first if there is one (it then stops the proxy)."""
        self._stops += 1
        if self._stops == 1:
            self._notice(f"flowaudit: {sig.name} received: stopping; every completed flow is kept", logging.INFO)
        child = self._child
        assert self._master is not None
        if child is None or child.returncode is not None:
            self._master.shutdown()  # type: ignore[no-untyped-call]
        elif self._stops > 1:
            child.kill()
        elif sig == signal.SIGTERM:
            child.terminate()
        else:  # the terminal sent Ctrl-C to COMMAND too: give it time to finish
            asyncio.get_running_loop().call_later(GRACE, _escalate, child)

    async def _run_command(self, listening: list[Listening]) -> None:
        s = self.settings
        assert self._master is not None
        proxy = _proxy_url(s.mode, listening)
        env = command_environment(os.environ, proxy, ca_certificate(s.confdir))
        if env.dropped_no_proxy:
            self.err.print(
                "flowaudit: NO_PROXY now lists loopback only; dropped so they are recorded: "
                + ", ".join(env.dropped_no_proxy),
                highlight=False,
                markup=False,
            )
        try:
            with _command_streams(s.command_output) as (out, err):
                self._child = await asyncio.create_subprocess_exec(
                    *s.command, env=env.variables, stdout=out, stderr=err
                )
            await self._child.wait()
        except OSError as e:
            self._command_failure = f"cannot run {s.command[0]}: {e.strerror or e}"
        finally:
            self._master.shutdown()  # type: ignore[no-untyped-call]


@contextlib.contextmanager
def _command_streams(output: Path | None) -> Iterator[tuple[int, int | None]]:
    """COMMAND's standard output and error: both into ``output`` (appended), or
    its output onto our standard error, whose own stays inherited. Standard
    output is the report's alone (``record ... --format json > out.json``)."""
    if output is None:
        yield _STDERR, None
        return
    with output.open("ab") as file:
        yield file.fileno(), file.fileno()


class _StartupCheck:
    """Runs once mitmproxy has tried to bring its servers up: did they come up?

    Its ``running`` hook runs before the recorder's, so a proxy that failed
    to start never gets a capture file. It then leaves mitmproxy's addon
    chain: mitmproxy offers every event to every addon in the chain, hook
    or not, and that costs each request as much as a small hook (bench/record_load.py).
    """

    name = "flowaudit-startup"

    def __init__(self, recorder: Recorder, address: str) -> None:
        self.ready = asyncio.Event()
        self.error: str | None = None
        self.hint: str | None = None
        self.listening: list[Listening] = []
        self._recorder = recorder
        self._address = address

    def running(self) -> None:
        proxyserver = ctx.master.addons.get("proxyserver")  # type: ignore[no-untyped-call]
        for server in proxyserver.servers:
            if not server.is_running:
                self.error, self.hint = _startup_failure(server.mode.description, self._address, server.last_exception)
                self._recorder.failure = self.error
                break
            conf = server.client_conf() if hasattr(server, "client_conf") else None
            addresses = tuple(human.format_address(a) for a in server.listen_addrs)
            self.listening.append(Listening(server.mode.description, addresses, conf))
        self.ready.set()
        ctx.master.addons.remove(self)  # type: ignore[no-untyped-call]

    def done(self) -> None:
        self.ready.set()  # mitmproxy stopped before running (e.g. interrupted during start-up)


class _MitmproxyMessages(logging.Handler):
    """mitmproxy's warnings and errors, shown the way the session shows things.

    Held back until start-up succeeded: a failed start is told once, in
    flowaudit's words (mitmproxy's suggest its own command-line syntax).
    """

    def __init__(self, show: Callable[[str, int], None]) -> None:
        super().__init__(logging.WARNING)
        self._show = show
        self._held: list[tuple[str, int]] | None = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "flowaudit" and record.levelno >= logging.ERROR:
            return  # the recorder's failure: `record` ends with it as its one error message
        source = "flowaudit" if record.name == "flowaudit" else "mitmproxy"
        message = one_line(record.getMessage())  # mitmproxy quotes what clients sent: made inert
        prefix = "" if message.startswith("flowaudit:") else f"{source}: "
        if self._held is None:
            self._show(prefix + message, record.levelno)
        else:
            self._held.append((prefix + message, record.levelno))

    def show_held(self) -> None:
        held, self._held = self._held or [], None
        for message, level in held:
            self._show(message, level)


def check_mode(spec: str) -> str:
    """``spec`` if it is a mode ``record`` runs, else a FlowauditError saying which ones it runs."""
    kind, _, rest = spec.partition(":")
    if kind not in MODES:
        raise FlowauditError(f"unknown mode {spec!r}", hint=f"use {MODES_HELP}")
    if kind in ("upstream", "reverse") and not rest:
        raise FlowauditError(f"mode {kind} needs the server's URL, e.g. {kind}:https://example.com")
    try:
        mode = ProxyMode.parse(spec)
    except ValueError as e:
        raise FlowauditError(f"invalid mode {spec!r}: {e}", hint=f"use {MODES_HELP}") from e
    if mode.custom_listen_host is not None or mode.custom_listen_port is not None:
        raise FlowauditError(f"mode {spec!r} names a listen address", hint="set it with --listen-host and --port")
    return spec


def default_listen_host(spec: str) -> str:
    """Loopback, except WireGuard: a phone must reach it (only the generated client key is accepted)."""
    return "" if spec.partition(":")[0] == "wireguard" else "127.0.0.1"


# mitmproxy's default addons that act only on options `record` never sets, or
# only through commands of mitmproxy's own tools (checked for the installed
# mitmproxy by tests/capture/test_runner.py): scripts, replaying, mapping and
# rewriting requests, block lists, sticky cookies and authentication, proxy
# and upstream authentication, saving flows or HAR, anti-cache and
# anti-compression, the browser, command history, cutting, exporting and
# commenting flows. mitmproxy offers every event to every addon in its chain,
# hook or not, and runs their hooks, each returning at once here: together
# they cost each request more than the recorder itself does. `record` loads
# them (their options and commands exist) but leaves them out of the chain.
IDLE_ADDONS = frozenset(
    {
        "ScriptLoader",
        "ClientPlayback",
        "ServerPlayback",
        "MapRemote",
        "MapLocal",
        "ModifyBody",
        "ModifyHeaders",
        "BlockList",
        "StickyAuth",
        "StickyCookie",
        "ProxyAuth",
        "UpstreamAuth",
        "Save",
        "SaveHar",
        "AntiCache",
        "AntiComp",
        "Browser",
        "CommandHistory",
        "Cut",
        "Export",
        "Comment",
    }
)


def _proxy_addons(defaults: list[Any], ours: list[Any]) -> tuple[list[Any], list[Any]]:
    """The proxy's addon chain, and the default addons left out of it (:data:`IDLE_ADDONS`).

    Ours go where mitmproxy runs a ``-s`` script: right after the script
    loader, so ``record`` and ``mitmdump -s`` see events in the same order;
    but before the DNS resolver (which precedes the script loader before
    mitmproxy 12), so a name answered locally is never looked up. The
    start-up check comes first: see _StartupCheck."""
    names = [type(addon).__name__ for addon in defaults]
    at = names.index("ScriptLoader") + 1
    if "DnsResolver" in names:
        at = min(at, names.index("DnsResolver"))
    chain = [*defaults[:at], *ours, *defaults[at:]]
    return [a for a in chain if type(a).__name__ not in IDLE_ADDONS], [
        a for a in defaults if type(a).__name__ in IDLE_ADDONS
    ]


def ca_certificate(confdir: Path) -> Path:
    """The CA certificate (PEM) mitmproxy creates in its configuration folder."""
    return confdir.expanduser() / f"{options.CONF_BASENAME}-ca-cert.pem"


def _intended_address(settings: RecordSettings) -> str:
    port = settings.port if settings.port is not None else ProxyMode.parse(settings.mode).default_port
    return f"{settings.listen_host or '*'}:{port}"


_STARTUP_HINTS = {
    errno.EADDRINUSE: "another program (another recording?) is using that port: choose a free one with --port",
    errno.EADDRNOTAVAIL: "this machine has no such address: check --listen-host",
    errno.EACCES: "ports below 1024 need privileges: choose another with --port",
}


def _startup_failure(what: str, address: str, error: BaseException | None) -> tuple[str, str | None]:
    if isinstance(error, OSError) and error.errno is not None:
        return f"cannot start the {what} on {address}: {os.strerror(error.errno)}", _STARTUP_HINTS.get(error.errno)
    return f"cannot start the {what} on {address}: {error or 'unknown error'}", None


def _proxy_url(mode: str, listening: list[Listening]) -> str | None:
    """The URL COMMAND's clients use as their proxy, in the modes where clients name one."""
    if not (mode == "regular" or mode.startswith("upstream:")) or not listening or not listening[0].addresses:
        return None
    return f"http://{_loopback_if_any(listening[0].addresses[0])}"


def _loopback_if_any(address: str) -> str:
    """An "every interface" address is reached through loopback."""
    for wildcard, loopback in (("*:", "127.0.0.1:"), ("0.0.0.0:", "127.0.0.1:"), ("[::]:", "[::1]:")):
        if address.startswith(wildcard):
            return loopback + address[len(wildcard) :]
    return address


def _escalate(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.terminate()
        asyncio.get_running_loop().call_later(GRACE, _kill_if_alive, child)


def _kill_if_alive(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.kill()


def _status(returncode: int | None) -> int | None:
    if returncode is None:
        return None
    return 128 - returncode if returncode < 0 else returncode
