"""flowaudit's mitmproxy addon: records an app's traffic for ``flowaudit check``.

Load it into any mitmproxy 10 to 12 tool::

    mitmdump -s "$(flowaudit addon-path)" --set flowaudit_app="Acme Health"

``flowaudit record`` runs this same addon inside its own proxy, so a capture
written either way is audited the same.

This file is self-contained on purpose: mitmproxy loads it by path, possibly
from a Python that has mitmproxy but not flowaudit or its dependencies
(mitmproxy's standalone binaries, a pipx install). It imports only the
standard library, mitmproxy and ``flowaudit/captureformat.py`` (the names
it shares with flowaudit's readers; import-free, loaded by its path). flowaudit itself is imported only for the
two things that need it, and only when it is importable: the versions
stamped into the capture record, and ``flowaudit_sinkhole=third-party``
(which needs the catalog).

What the capture file holds (a plain mitmproxy flow file that every
mitmproxy tool reads):

* record 1, the capture record: a request to the reserved host
  ``flowaudit.invalid`` (RFC 6761: ``.invalid`` never resolves) whose
  metadata ``flowaudit.capture`` holds the app, the device note, the start
  time and the tool, rules and mitmproxy versions;
* every completed flow, with ``flowaudit.phase`` in its metadata: the phase
  marker in force when the request started (no key before the first marker);
* a marker record, also to the reserved host, each time the phase changes
  (metadata ``flowaudit.marker``: name, how it was set, when);
* an uninspectable connection, a TCP flow with ``flowaudit.uninspectable``
  in its metadata, for every TLS handshake the client refused (certificate
  pinning, or a device that does not trust the CA): the host was contacted,
  its contents are unknown.
* every DNS lookup the device asked the proxy (WireGuard and local modes),
  and every CONNECT the proxy could not carry out (the host could not be
  reached: offline, refused, unknown name): the app tried to contact the
  host. Raw TCP and UDP flows that are not HTTP are written too.

flowaudit's reader skips the capture and marker records: they are not the
app's traffic. So are requests to mitmproxy's onboarding site (mitm.it),
where a person installs the CA, which are not written at all.

Durability: the file is created new (an existing capture is never
overwritten) and each record is flushed to the operating system as soon as
its flow completes, before the client sees the response. Killing the proxy,
even with SIGKILL, therefore loses no completed flow; a record being
written at that instant is cut short, and flowaudit audits every flow
before the break. The file is also fsync'ed at most once a second (in a
worker thread, so no request waits for it) and when recording stops, so a
power loss costs at most the last second. A record that cannot be written
(a full disk) stops the recording, and its flow is killed: the client gets
no answer rather than one for a flow not on disk.

Cost: the proxy has one thread for every client's requests, so what the
recorder does per flow is what the app waits for under load. A record is
made by ``flowbytes.RecordEncoder`` (mitmproxy's bytes, made several times
cheaper) and written with one system call; the host a request names is
parsed once per flow (and kept per Host header: apps talk to few hosts); the
live view's analysis waits for the view to be drawn.
``bench/record_load.py`` measures the result.

Phases are set four ways, all ending in :meth:`Recorder.set_phase`: a
request through the proxy to ``http://flowaudit.invalid/mark/NAME`` (for
UI tests; answered by the proxy, never forwarded), ``flowaudit mark NAME``
from another terminal (over a loopback control endpoint this addon opens,
registered in a private runtime folder), a key press in ``flowaudit
record``'s terminal, and the ``flowaudit_phase`` option (``--set`` at start,
or ``:set`` in the mitmproxy console).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hmac
import importlib.util
import ipaddress
import json
import logging
import os
import re
import secrets
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from mitmproxy import connection, ctx, dns, exceptions, http, tcp, tls, udp
from mitmproxy import flow as mflow
from mitmproxy import version as mversion
from mitmproxy.proxy import server_hooks


def _beside(name: str, path: Path) -> ModuleType:
    """One of flowaudit's import-free modules, loaded by its path: when mitmproxy
    loads this addon by path (mitmdump -s), possibly from a Python without
    flowaudit, the file is beside this addon all the same."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The capture format's names, one copy shared with flowaudit's readers; the
# record encoder and the capture file.
if __package__ == "flowaudit.capture":
    from flowaudit import captureformat as fmt
    from flowaudit.capture import capturefile, flowbytes
else:  # loaded by path, see tests/e2e/test_addon_mitmdump.py (a Python without flowaudit)
    _HERE = Path(__file__).resolve().parent
    fmt = _beside("flowaudit_captureformat", _HERE.parent / "captureformat.py")
    capturefile = _beside("flowaudit_capturefile", _HERE / "capturefile.py")
    flowbytes = _beside("flowaudit_flowbytes", _HERE / "flowbytes.py")

# What the proxy's DNS (WireGuard mode) answers for the reserved host and
# sinkholed names: TEST-NET-1 (RFC 5737), never routed anywhere. The device
# then connects to it through the tunnel, where the proxy answers by name.
LOCAL_ANSWER_ADDRESS = "192.0.2.1"

SINKHOLE_CHOICES = ("off", "third-party", "all")
DEFAULT_CAPTURE = "captures/{app}-{time}.mitm"

_DNS_A = 1  # the DNS record type of an IPv4 address
PHASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_FILE_NAME_UNSAFE = re.compile(r"[^a-z0-9._-]+")

FSYNC_INTERVAL = 1.0  # seconds; see the module docstring
CONTROL_HOST = "127.0.0.1"
_CONTROL_LINE_LIMIT = 4096
_CONTROL_TIMEOUT = 5.0

logger = logging.getLogger("flowaudit")

FlowListener = Callable[[mflow.Flow], None]


def valid_phase(name: str) -> str:
    """The phase name, or ValueError saying what a name may hold."""
    if not PHASE_NAME.fullmatch(name):
        raise ValueError(
            f"invalid phase name {name!r}: use 1 to 64 letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit (e.g. consent-granted)"
        )
    return name


def capture_file_name(template: str, app: str, started: datetime.datetime) -> str:
    """``template`` with ``{app}`` (made safe for a file name) and ``{time}`` filled in."""
    safe_app = _FILE_NAME_UNSAFE.sub("-", app.lower()).strip("-.") or "app"
    return template.replace("{app}", safe_app).replace("{time}", started.strftime("%Y%m%d-%H%M%S"))


def runtime_dir() -> Path:
    """Where running recorders register their control endpoint (private to this user).

    ``FLOWAUDIT_RUNTIME_DIR`` wins (tests, containers); then
    ``$XDG_RUNTIME_DIR/flowaudit``; then a per-user folder in the temp folder.
    """
    configured = os.environ.get("FLOWAUDIT_RUNTIME_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return Path(xdg) / "flowaudit"
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"flowaudit-{user}"


def recorders_dir() -> Path:
    return runtime_dir() / "recorders"


class ControlEndpoint:
    """The loopback endpoint ``flowaudit mark`` talks to, and the file that says where it is.

    One JSON line in (``{"token": ..., "mark": NAME}``), one JSON line out.
    The endpoint listens on 127.0.0.1 only; the token, readable only by this
    user in the registry file, keeps other local programs (and web pages
    poking at loopback ports) from setting phases.
    """

    def __init__(self, on_mark: Callable[[str, str], dict[str, Any]]) -> None:
        self._on_mark = on_mark
        self._server: asyncio.AbstractServer | None = None
        self._registration: Path | None = None
        self._token = secrets.token_urlsafe(24)

    async def start(self, about: dict[str, Any]) -> None:
        folder = recorders_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            raise OSError(f"{folder} belongs to another user")
        self._server = await asyncio.start_server(self._serve, CONTROL_HOST, 0, limit=_CONTROL_LINE_LIMIT)
        port = self._server.sockets[0].getsockname()[1]
        record = {**about, "pid": os.getpid(), "control": [CONTROL_HOST, port], "token": self._token}
        path = folder / f"{os.getpid()}.json"
        temporary = folder / f".{os.getpid()}.json.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(temporary, path)
        self._registration = path

    async def stop(self) -> None:
        if self._registration is not None:
            with contextlib.suppress(FileNotFoundError):
                self._registration.unlink()
            self._registration = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), _CONTROL_TIMEOUT)
            reply = self._answer(line)
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        except (OSError, ValueError, asyncio.TimeoutError):  # noqa: UP041 - distinct before Python 3.11
            pass  # a client that vanished, sent garbage or too much: nothing to answer
        finally:
            writer.close()

    def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "not a JSON request"}
        if not isinstance(request, dict) or not hmac.compare_digest(str(request.get("token", "")), self._token):
            return {"ok": False, "error": "wrong token"}
        name = request.get("mark")
        if not isinstance(name, str):
            return {"ok": False, "error": "no phase name"}
        try:
            return {"ok": True, **self._on_mark(valid_phase(name), "command")}
        except ValueError as e:
            return {"ok": False, "error": str(e)}


class Recorder:
    """The addon. One instance per proxy; see the module docstring for what it writes."""

    name = "flowaudit"

    def __init__(self, recorder: str = "mitmproxy addon") -> None:
        self.recorder = recorder  # who drives it, stamped into the capture record
        self.phase: str | None = None
        self.capture: capturefile.CaptureFile | None = None
        self.failure: str | None = None  # why writing stopped, if it did
        self.listeners: list[FlowListener] = []  # told of every record written
        self.started = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - datetime.UTC is 3.11+
        self._template: str | None = None
        self._pending: dict[str, mflow.Flow] = {}  # started, not yet completed
        self._sinkhole: Callable[[str], bool] | None = None
        self._onboarding_host: str | None = None  # mitmproxy's onboarding site, when it is on
        self._control = ControlEndpoint(self._mark_from_command)
        self._sync_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._running = False
        self._encoder = flowbytes.RecordEncoder()

    # -- options ---------------------------------------------------------

    def load(self, loader: Any) -> None:
        loader.add_option(
            "flowaudit_capture",
            str,
            DEFAULT_CAPTURE,
            "Capture file flowaudit writes ({app} and {time} are filled in). Never overwritten.",
        )
        loader.add_option("flowaudit_app", str, "app", "Name of the app under test, stamped into the capture.")
        loader.add_option("flowaudit_device", str, "", "Free-text note on the device or emulator used.")
        loader.add_option(
            "flowaudit_phase",
            str | None,
            None,
            "Phase marker in force (e.g. consent-granted); change it at any time to start a new phase.",
        )
        loader.add_option(
            "flowaudit_sinkhole",
            str,
            "off",
            "Answer requests locally instead of forwarding them: off, third-party (hosts of catalog "
            "companies other than CDNs, hosting and platform services) or all.",
            choices=SINKHOLE_CHOICES,
        )
        loader.add_option(
            "flowaudit_declared",
            str | None,
            None,
            "Declaration file (flowaudit.yml) whose first-party domains the third-party sinkhole spares.",
        )
        loader.add_option(
            "flowaudit_control", bool, True, "Open the loopback endpoint that `flowaudit mark` uses to set phases."
        )

    def configure(self, updated: set[str]) -> None:
        options = ctx.options
        # Read once here, not per request: an option's value costs a lookup through mitmproxy's options.
        onboarding = bool(getattr(options, "onboarding", False))
        self._onboarding_host = str(getattr(options, "onboarding_host", "")).lower() if onboarding else None
        if {"flowaudit_sinkhole", "flowaudit_declared", "connection_strategy"} & updated:
            mode = options.flowaudit_sinkhole
            if mode != "off" and options.connection_strategy != "lazy":
                raise _options_error(
                    f"flowaudit_sinkhole={mode} needs connection_strategy=lazy, so that sinkholed hosts are "
                    "never contacted: add --set connection_strategy=lazy"
                )
            self._sinkhole = _sinkhole_matcher(mode, options.flowaudit_declared)
        if "flowaudit_phase" in updated and options.flowaudit_phase != self.phase:
            try:
                name = None if options.flowaudit_phase is None else valid_phase(options.flowaudit_phase)
            except ValueError as e:
                raise _options_error(str(e)) from e
            self.set_phase(name, "option")
        if "flowaudit_capture" in updated and self._template != options.flowaudit_capture:
            self._template = options.flowaudit_capture
            if self.capture is not None:  # changed while running: continue in a new file
                self._close()
                self._open()

    # -- lifecycle -------------------------------------------------------

    async def running(self) -> None:
        self._running = True
        self._stopping = asyncio.Event()
        self._open()
        if self.capture is None:
            return
        if ctx.options.flowaudit_control:
            about = {"capture": str(self.capture.path.resolve()), "app": ctx.options.flowaudit_app}
            try:
                await self._control.start(about)
            except OSError as e:
                logger.warning(f"flowaudit: `flowaudit mark` will not reach this proxy: {e}")
        self._sync_task = asyncio.ensure_future(self._sync_every_second())

    async def done(self) -> None:
        if self._sync_task is not None:
            self._stopping.set()
            await self._sync_task  # never close the file under an fsync in progress
            self._sync_task = None
        await self._control.stop()
        # Requests that never completed are still evidence of what was sent.
        for f in list(self._pending.values()):
            self._write(f)
        self._close()

    async def _sync_every_second(self) -> None:
        """fsync in a worker thread: it can take milliseconds, which the proxy's thread
        (every client's requests) should not wait for. Writes go on meanwhile."""
        while not self._stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), FSYNC_INTERVAL)
            capture = self.capture
            if capture is not None and self.failure is None:
                try:
                    await asyncio.to_thread(capture.sync)
                except OSError as e:
                    if capture is self.capture:  # not one closed meanwhile (flowaudit_capture changed)
                        self._fail(e)

    def _open(self) -> None:
        if self.capture is not None or self.failure is not None:
            return
        template = self._template or DEFAULT_CAPTURE
        path = Path(capture_file_name(template, ctx.options.flowaudit_app, self.started)).expanduser()
        try:
            self.capture = capturefile.CaptureFile(path)
        except OSError as e:
            self._fail(e, path)
            return
        logger.info(f"flowaudit: recording to {path}")
        self._write(self._capture_record())
        if self.phase is not None:  # set before recording started (flowaudit_phase)
            self._write(_marker_record(self.phase, "option"))

    def _close(self) -> None:
        if self.capture is not None:
            capture, self.capture = self.capture, None
            try:
                capture.close()
            except OSError as e:
                self._fail(e, capture.path)

    def _fail(self, e: OSError, path: Path | None = None) -> None:
        """Stop the proxy: traffic must never flow on unrecorded."""
        where = path or (self.capture.path if self.capture else Path("?"))
        self.failure = f"cannot write the capture {where}: {e.strerror or e}"
        logger.error(f"flowaudit: {self.failure}")
        self.capture = None
        ctx.master.shutdown()  # type: ignore[no-untyped-call]

    # -- phases ----------------------------------------------------------

    def set_phase(self, name: str | None, via: str, carrier: http.HTTPFlow | None = None) -> None:
        """Start a new phase now, and leave a marker record saying so.

        ``carrier`` is the request that set it (a marker URL); otherwise the
        marker record is made up.
        """
        if name is not None:
            valid_phase(name)
        self.phase = name
        logger.info(f"flowaudit: phase {name or '(none)'} (set by {via})")
        if carrier is not None:
            carrier.metadata[fmt.MARKER_KEY] = _marker(name, via)  # written once answered, see response()
        elif self.capture is not None:
            self._write(_marker_record(name, via))

    def _mark_from_command(self, name: str, via: str) -> dict[str, Any]:
        self.set_phase(name, via)
        return {"phase": name, "records": self.capture.records if self.capture else 0}

    def _tag(self, f: mflow.Flow) -> None:
        if self.phase is not None:
            f.metadata[fmt.PHASE_KEY] = self.phase
        self._pending[f.id] = f

    # -- HTTP ------------------------------------------------------------

    def http_connect(self, f: http.HTTPFlow) -> None:
        # An answered CONNECT keeps mitmproxy from opening the upstream connection first.
        if self._answers_locally(_host_of(f.request)):
            f.response = http.Response.make(200)
            f.response.reason = "Connection established"
            f.response.headers.clear()  # as mitmproxy's own: some clients choke on headers here

    def http_connect_error(self, f: http.HTTPFlow) -> None:
        """A CONNECT to a host the proxy could not reach: the app tried to contact it.
        (The hook came with mitmproxy 10.4, https://github.com/mitmproxy/mitmproxy/pull/6930;
        with older ones such attempts go unrecorded.)"""
        if self._answers_locally(_host_of(f.request)):
            return
        if self.phase is not None:
            f.metadata[fmt.PHASE_KEY] = self.phase
        self._write(f)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        server = data.context.server
        host = data.client_hello.sni or (server.address[0] if server.address else "")
        if self._answers_locally(host.lower()):
            data.establish_server_tls_first = False

    def requestheaders(self, f: http.HTTPFlow) -> None:
        host = _host_of(f.request)
        if host == fmt.RESERVED_HOST:
            f.request.stream = False
            name = _marked_phase(f.request)
            if name is not None:
                try:
                    self.set_phase(valid_phase(name), "url", carrier=f)
                except ValueError:
                    pass  # answered with the reason in request()
            return
        if host == self._onboarding_host:
            return
        if self._sinkhole is not None and self._sinkhole(host):
            f.request.stream = False  # never stream a sinkholed body upstream
        self._tag(f)

    def request(self, f: http.HTTPFlow) -> None:
        if self._sinkhole is None and f.id in self._pending:
            return  # the common case, decided by requestheaders: neither the reserved host nor sinkholed
        host = _host_of(f.request)
        if host == fmt.RESERVED_HOST:
            f.response = self._reserved_answer(f.request)
        elif self._sinkhole is not None and self._sinkhole(host) and f.response is None:
            f.response = _local_answer(f.request, 200, b"{}", "application/json")
            f.response.headers["x-flowaudit"] = "sinkholed"
            f.metadata[fmt.SINKHOLED_KEY] = True

    def response(self, f: http.HTTPFlow) -> None:
        if fmt.MARKER_KEY in f.metadata:
            self._write(f)
        elif f.websocket is None:  # a WebSocket is written when it ends
            self._complete(f)

    def error(self, f: http.HTTPFlow) -> None:
        self._complete(f)

    def websocket_end(self, f: http.HTTPFlow) -> None:
        self._complete(f)

    # -- other protocols -------------------------------------------------

    def tcp_start(self, f: tcp.TCPFlow) -> None:
        self._tag(f)

    def tcp_end(self, f: tcp.TCPFlow) -> None:
        self._complete(f)

    def tcp_error(self, f: tcp.TCPFlow) -> None:
        self._complete(f)

    def udp_start(self, f: udp.UDPFlow) -> None:
        self._tag(f)

    def udp_end(self, f: udp.UDPFlow) -> None:
        self._complete(f)

    def udp_error(self, f: udp.UDPFlow) -> None:
        self._complete(f)

    def dns_request(self, f: dns.DNSFlow) -> None:
        """Names answered locally resolve to an address that goes nowhere, so even
        the lookup never leaves the machine (WireGuard mode: the device asks the proxy)."""
        self._tag(f)
        names = [q.name.lower().rstrip(".") for q in f.request.questions]
        if names and all(self._answers_locally(name) for name in names):
            address = ipaddress.IPv4Address(LOCAL_ANSWER_ADDRESS)
            answers = [dns.ResourceRecord.A(q.name, address) for q in f.request.questions if q.type == _DNS_A]
            f.response = f.request.succeed(answers)  # no AAAA: clients fall back to the A record
            if names != [fmt.RESERVED_HOST]:
                f.metadata[fmt.SINKHOLED_KEY] = True

    def dns_response(self, f: dns.DNSFlow) -> None:
        self._complete(f)

    def dns_error(self, f: dns.DNSFlow) -> None:
        self._complete(f)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        """The client refused the handshake: record that the host was contacted, contents unknown."""
        server = data.context.server
        host = data.conn.sni or (server.address[0] if server.address else None)
        if not host or host.lower() == fmt.RESERVED_HOST:
            return
        reason = data.conn.error or "the client aborted the TLS handshake"
        f = tcp.TCPFlow(data.context.client, server)
        f.error = mflow.Error(f"TLS handshake refused by the client: {reason}")
        f.metadata[fmt.UNINSPECTABLE_KEY] = {fmt.UNINSPECTABLE_HOST: host, fmt.UNINSPECTABLE_REASON: reason}
        if self.phase is not None:
            f.metadata[fmt.PHASE_KEY] = self.phase
        self._write(f)

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        """The last line of the sinkhole: no connection to a sinkholed or reserved host, whatever asked."""
        server = data.server
        for host in (server.sni, server.address[0] if server.address else None):
            if host and self._answers_locally(host.lower()):
                server.error = f"not connecting to {host}: answered locally by flowaudit"
                return

    # -- writing ---------------------------------------------------------

    def _complete(self, f: mflow.Flow) -> None:
        if self._pending.pop(f.id, None) is not None:
            self._write(f)

    def _write(self, f: mflow.Flow) -> None:
        """Write ``f``'s record now, straight to the operating system (one system call).

        Called from the hook before which mitmproxy sends nothing on, so no
        client is answered before its flow is on disk. A record that cannot be
        written stops the recording, and its flow is killed: its client gets
        no answer rather than one for a flow not on disk.

        Measured under load (bench/record_load.py), one unbuffered write per
        flow costs the proxy's thread less than holding each answer for a
        batched write (a group commit): a write of a record to the page cache
        takes less than suspending and resuming the hook that waits for it."""
        self._pending.pop(f.id, None)
        if self.capture is None:
            if not self._running and self.failure is None:
                self._open()  # a flow completed before `running` (a race at start-up)
            if self.capture is None:
                if self.failure is not None:
                    _unanswered(f)  # recording stopped: nothing more goes through unrecorded
                return
        try:
            record = self._encoder.record(f)
        except ValueError as e:  # what mitmproxy's own writer refuses too (e.g. text that is not Unicode)
            logger.warning(f"flowaudit: flow not recorded, so not answered: cannot write it: {e}")
            _unanswered(f)
            return
        try:
            self.capture.write(record)
        except OSError as e:
            _unanswered(f)
            self._fail(e)
            return
        for listener in self.listeners:
            listener(f)

    def _capture_record(self) -> http.HTTPFlow:
        tool_version, rules_version = _flowaudit_versions()
        about = {
            "format": fmt.CAPTURE_FORMAT,
            fmt.RECORD_APP: ctx.options.flowaudit_app,
            fmt.RECORD_DEVICE: ctx.options.flowaudit_device,
            fmt.RECORD_STARTED: self.started.isoformat(timespec="seconds"),
            "recorder": self.recorder,
            "tool": "flowaudit",
            "tool_version": tool_version,
            "rules_version": rules_version,
            "mitmproxy_version": mversion.VERSION,
            "modes": list(ctx.options.mode),
            "sinkhole": ctx.options.flowaudit_sinkhole,
        }
        text = "flowaudit capture record (not app traffic):\n" + json.dumps(about, indent=2) + "\n"
        return _local_record(fmt.CAPTURE_PATH, text, {fmt.CAPTURE_KEY: about})

    # -- local answers ---------------------------------------------------

    def _answers_locally(self, host: str) -> bool:
        if host in (fmt.RESERVED_HOST, LOCAL_ANSWER_ADDRESS):
            return True
        return self._sinkhole is not None and self._sinkhole(host)

    def _reserved_answer(self, request: http.Request) -> http.Response:
        name = _marked_phase(request)
        if name is not None:
            try:
                valid_phase(name)
            except ValueError as e:
                return _local_answer(request, 400, f"flowaudit: {e}\n".encode(), "text/plain; charset=utf-8")
            return _local_answer(request, 200, f"flowaudit: phase {name}\n".encode(), "text/plain; charset=utf-8")
        text = (
            f"flowaudit is recording {ctx.options.flowaudit_app}; phase: {self.phase or '(none)'}.\n"
            f"Start a phase with http://{fmt.RESERVED_HOST}{fmt.MARK_PATH}NAME\n"
        )
        status = 200 if request.path in ("/", "") else 404
        return _local_answer(request, status, text.encode(), "text/plain; charset=utf-8")


def _unanswered(f: mflow.Flow) -> None:
    """A flow that is not on disk: killed, so its client is never answered as if it were recorded
    (its answer waits for the hook that writes it)."""
    if f.killable:
        f.kill()  # type: ignore[no-untyped-call]


_HOSTS: dict[str, str] = {}  # host header -> host; see _host_of
_KEPT_HOSTS = 1024
_HOST_HEADER_LENGTH = 256


def _host_of(request: http.Request) -> str:
    """The host the request names (``pretty_host``: the Host header's or HTTP/2 authority's
    host, else the request's), lower case, without a final dot.

    Parsing the header (IDNA included) costs the proxy's thread more than the
    rest of a request's bookkeeping here, and an app sends most requests to a
    few hosts: so the answer is kept per header value. The key is complete:
    ``pretty_host`` is a function of ``host_header`` alone when there is one.
    Bounded in count and in key length, since headers come from the traffic."""
    authority = request.host_header
    host = _HOSTS.get(authority) if authority else None
    if host is None:
        host = request.pretty_host.lower().rstrip(".")
        if authority and len(authority) <= _HOST_HEADER_LENGTH:
            if len(_HOSTS) >= _KEPT_HOSTS:
                _HOSTS.clear()
            _HOSTS[authority] = host
    return host


def _marked_phase(request: http.Request) -> str | None:
    """The NAME of a ``/mark/NAME`` request (not of a CORS preflight), else None."""
    # Not flowaudit.urls: this file imports only the standard library (module docstring).
    path = request.path.partition("?")[0].partition("#")[0]
    if request.method == "OPTIONS" or not path.startswith(fmt.MARK_PATH):
        return None
    return urllib.parse.unquote(path[len(fmt.MARK_PATH) :])


def _local_answer(request: http.Request, status: int, body: bytes, content_type: str) -> http.Response:
    """A response made here, permissive to CORS so browser code sends the real request after its preflight."""
    headers = {"content-type": content_type, "cache-control": "no-store"}
    origin = request.headers.get("origin")
    if origin:
        headers.update(
            {
                "access-control-allow-origin": origin,
                "access-control-allow-credentials": "true",
                "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
                "access-control-allow-headers": request.headers.get("access-control-request-headers", "*"),
                "vary": "origin",
            }
        )
    if request.method == "OPTIONS":
        return http.Response.make(204, b"", headers)
    return http.Response.make(status, body, headers)


def _marker(name: str | None, via: str) -> dict[str, Any]:
    return {fmt.MARKER_NAME: name, "via": via, "time": time.time()}


def _marker_record(name: str | None, via: str) -> http.HTTPFlow:
    return _local_record(f"{fmt.MARK_PATH}{name or ''}", f"phase: {name}\n", {fmt.MARKER_KEY: _marker(name, via)})


def _local_record(path: str, text: str, metadata: dict[str, Any]) -> http.HTTPFlow:
    """A made-up request to the reserved host, carrying flowaudit's own facts in the capture."""
    now = time.time()
    client = connection.Client(peername=(CONTROL_HOST, 0), sockname=(CONTROL_HOST, 0), timestamp_start=now)
    f = http.HTTPFlow(client, connection.Server(address=None))
    f.request = http.Request.make("GET", f"http://{fmt.RESERVED_HOST}{urllib.parse.quote(path)}")
    f.response = http.Response.make(200, text.encode(), {"content-type": "text/plain; charset=utf-8"})
    f.metadata.update(metadata)
    return f


def _sinkhole_matcher(mode: str, declared: str | None) -> Callable[[str], bool] | None:
    if mode == "off":
        return None
    if mode == "all":
        return lambda host: True
    try:
        from flowaudit.capture.sinkhole import third_party_matcher
        from flowaudit.errors import FlowauditError
    except ImportError as e:
        raise _options_error(
            f"flowaudit_sinkhole=third-party needs flowaudit's catalog, which this mitmproxy cannot import ({e}): "
            "run mitmproxy from flowaudit's environment, use `flowaudit record --sinkhole`, or sinkhole all"
        ) from e
    try:
        return third_party_matcher(declared)
    except FlowauditError as e:
        raise _options_error(str(e)) from e


def _options_error(message: str) -> Exception:
    """mitmproxy's error for a bad option value: shown to the user, and mitmdump exits."""
    return exceptions.OptionsError(message)  # type: ignore[no-untyped-call]


def _flowaudit_versions() -> tuple[str | None, str | None]:
    """flowaudit's and its rules' versions, when flowaudit is importable here (None otherwise)."""
    try:
        from flowaudit import __version__
        from flowaudit.catalog import load_catalog
    except ImportError:
        return None, None
    return __version__, load_catalog().version


addons = [Recorder()]
