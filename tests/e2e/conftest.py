"""End-to-end capture tests: the real proxy, real clients, nothing leaving the machine.

Every test gets its own network namespace with only a loopback interface
(``unshare -n``, which needs root: CI runs as root). A holder process keeps
the namespace alive; every process of the test (the recorder, curl,
Python clients, Chromium, ``flowaudit mark``) is started inside it with
``nsenter``, so the proxy and its clients share the loopback and no packet
can reach any other address. Recorders also sinkhole every request, so no
upstream connection is even attempted.

Processes are always killed at the end, and every wait polls with a
deadline: a 2-core CI box must not hang on a slow start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flowaudit.inputs.flowfile import read_flow_file
from flowaudit.inputs.stream import HashingReader
from flowaudit.model import Observation

from ..resultschema import valid_result_text

PYTHON = sys.executable
MITMDUMP = str(Path(sys.executable).with_name("mitmdump"))
STARTUP = 30.0  # seconds a recorder may take to come up on a loaded CI box
DATA = Path(__file__).parent / "data"


_SYSTEM_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
UNSHARE, NSENTER, IP = (shutil.which(tool, path=_SYSTEM_PATH) for tool in ("unshare", "nsenter", "ip"))


def _netns_works() -> str | None:
    if UNSHARE is None or NSENTER is None or IP is None:
        return "needs unshare, nsenter and ip (util-linux, iproute2)"
    probe = subprocess.run([UNSHARE, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return f"cannot create a network namespace (root needed): {probe.stderr.decode().strip()}"
    return None


_NO_NETNS = _netns_works()


class Netns:
    """A loopback-only network namespace; run processes inside it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.runtime = workdir / "runtime"  # `flowaudit mark` registrations, private to the test
        self.confdir = workdir / "mitmconf"  # the proxy's CA, private to the test
        assert UNSHARE is not None and IP is not None
        self._holder = subprocess.Popen(
            [UNSHARE, "-n", "sh", "-c", f"{IP} link set lo up && echo up && exec sleep 3600"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._holder.stdout is not None
        if self._holder.stdout.readline().strip() != "up":
            raise RuntimeError("could not bring up loopback in the namespace")
        self._processes: list[subprocess.Popen[Any]] = []

    @property
    def ca_cert(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    @property
    def pid(self) -> int:
        """A process inside the namespace (``ip link ... netns PID`` names it so)."""
        return self._holder.pid

    def link(self, other: Netns, address: str, other_address: str) -> None:
        """A veth pair from this namespace to ``other``, the only link between them:
        ``address`` here, ``other_address`` there (``198.51.100.1/24``: TEST-NET
        addresses, which exist only inside these namespaces)."""
        assert IP is not None
        steps = [
            (self, ["link", "add", "fa-here", "type", "veth", "peer", "name", "fa-there", "netns", str(other.pid)]),
            (self, ["addr", "add", address, "dev", "fa-here"]),
            (self, ["link", "set", "fa-here", "up"]),
            (other, ["addr", "add", other_address, "dev", "fa-there"]),
            (other, ["link", "set", "fa-there", "up"]),
        ]
        for ns, argv in steps:
            done = ns.run([IP, *argv], timeout=30)
            assert done.returncode == 0, f"ip {' '.join(argv)}: {done.stderr}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.workdir),
            "FLOWAUDIT_RUNTIME_DIR": str(self.runtime),
            "COLUMNS": "150",
            "LANG": "C.UTF-8",
        }
        env.update(extra)
        return env

    def _argv(self, argv: list[str]) -> list[str]:
        assert NSENTER is not None
        return [NSENTER, "-t", str(self._holder.pid), "-n", "--", *argv]

    def popen(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        kwargs.setdefault("env", self.env())
        kwargs.setdefault("cwd", self.workdir)
        process = subprocess.Popen(self._argv(argv), **kwargs)
        self._processes.append(process)
        return process

    def run(self, argv: list[str], timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("env", self.env())
        kwargs.setdefault("cwd", self.workdir)
        return subprocess.run(self._argv(argv), capture_output=True, text=True, timeout=timeout, **kwargs)

    def close(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        self._holder.kill()
        self._holder.wait(timeout=10)


@pytest.fixture
def netns(tmp_path: Path) -> Iterator[Netns]:
    if _NO_NETNS:
        pytest.skip(_NO_NETNS)
    ns = Netns(tmp_path)
    try:
        yield ns
    finally:
        ns.close()


def with_resolver(resolv: Path, argv: list[str]) -> list[str]:
    """``argv`` resolving names with ``resolv`` (a private mount of /etc/resolv.conf),
    as wg-quick sets a tunnel's DNS on a device; a recorder given a resolver on
    the namespace's own loopback can look nothing up anywhere else."""
    assert UNSHARE is not None
    bind = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
    return [UNSHARE, "-m", "sh", "-c", bind, str(resolv), *argv]


def flowaudit_argv(*args: str | Path) -> list[str]:
    return [PYTHON, "-m", "flowaudit", *map(str, args)]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = STARTUP) -> Any:
    """Poll ``condition`` until it returns something true; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def wait_listening(log: Path, process: subprocess.Popen[Any]) -> str:
    """The address the recorder announces on standard error (``host:port``)."""

    def announced() -> str | None:
        if process.poll() is not None:
            raise AssertionError(f"the recorder exited ({process.returncode}): {log.read_text()}")
        for line in log.read_text().splitlines():
            if " listening on " in line:
                return line.rsplit(" listening on ", 1)[1].split(",")[0].strip()
        return None

    return str(wait_for(announced, "the proxy to listen"))


def wait_for_port(netns: Netns, port: int) -> None:
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1).close()"
    wait_for(lambda: netns.run([PYTHON, "-c", probe], timeout=10).returncode == 0, f"port {port}")


def serve(netns: Netns, port: int, folder: Path) -> subprocess.Popen[Any]:
    """A static web server on loopback inside the namespace, ready when this returns.
    Chromium never sends loopback through a proxy, so only the page's own requests
    to other hosts reach the recorder."""
    server = netns.popen(
        [PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(netns, port)
    return server


def chromium_via_proxy(netns: Netns, url: str, budget_ms: int) -> list[str]:
    """Headless Chromium loading ``url`` through the recorder on 127.0.0.1:8080 and
    printing the page's DOM once ``budget_ms`` of virtual time have run."""
    return [
        "chromium",
        "--headless",
        "--no-sandbox",  # running as root
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={netns.workdir / 'profile'}",
        "--proxy-server=http://127.0.0.1:8080",
        "--ignore-certificate-errors",  # the test profile does not trust the proxy's CA
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        url,
    ]


def observations(capture: Path) -> list[Observation]:
    """The capture as ``flowaudit check`` reads it; asserts it is complete."""
    with capture.open("rb") as raw:
        reading = read_flow_file(HashingReader(raw), str(capture))
        out: list[Observation] = []
        while True:
            try:
                out.append(next(reading))
            except StopIteration as end:
                assert end.value is None, f"incomplete capture: {end.value}"
                return out


def only_capture(folder: Path) -> Path:
    [capture] = sorted(folder.glob("*.mitm"))
    return capture


def stop(process: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout: float = 60) -> int:
    process.send_signal(sig)
    return process.wait(timeout=timeout)


def load_json(path: Path) -> dict[str, Any]:
    """A JSON result the test had written, checked against the published schema."""
    return valid_result_text(path.read_text())
