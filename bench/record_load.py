"""Does recording slow the app down? Latency under load through three proxies, side by side.

An app under test talks through the proxy while flowaudit records; every
millisecond the recorder adds is a millisecond the app waits. This script
puts the same load through three proxies and compares their latency:

* ``mitmdump``: plain mitmproxy, quiet (``-q``: no line printed per flow,
  the least work mitmdump does), recording nothing: the baseline;
* ``mitmdump -s addon``: the same with flowaudit's addon loaded
  (``mitmdump -q -s "$(flowaudit addon-path)"``);
* ``flowaudit record``: flowaudit's own proxy (``--no-audit``, no terminal:
  what a CI job or a scripted session runs).

The load: ``--clients`` (50) concurrent clients, each on its own keep-alive
connection, send ``--requests`` (5,000) requests in all through the proxy,
each as soon as its previous answer arrived (a closed loop). Requests are
plain HTTP POSTs of a small JSON body; answers are small JSON bodies. Plain
HTTP is the hard case for the recorder: no TLS work in the proxy to hide its
cost in. Everything stays on loopback (127.0.0.1): the origin server is a
child process of this script, and the proxies reach nothing else.

Each run starts a fresh proxy, warms it up with ``--warmup`` requests, then
times every request of the measured load (send to last byte of the answer).
The three proxies run round-robin in a new random order each round, so a
busy moment on the machine hits every proxy alike, and each round's ratio
compares runs taken seconds apart. The verdict is the median, over rounds,
of each round's median-latency ratio to plain ``mitmdump``.

Nothing may be lost: after each recording run the proxy is stopped (SIGTERM)
and its capture is read back with mitmproxy's own reader. Every request that
got its answer must be in the capture exactly once.

The origin is measured too (the same load straight to it, no proxy): if its
median latency is not well below the proxies', the proxies are not what is
being measured, and the script says so and exits 2.

Usage: python bench/record_load.py [--rounds 5] [--clients 50] [--requests 5000]
Exit status: 0 every target met, 1 a target missed or a flow lost, 2 a measurement failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LATENCY_TARGET = 1.05  # median latency through a recorder <= this x plain mitmdump's
ORIGIN_SHARE = 0.25  # the origin's own median latency must stay under this share of the proxy's
PROXIES = ("mitmdump", "mitmdump -s addon", "flowaudit record")
STARTUP = 60.0  # seconds a proxy gets to listen
ID_HEADER = "x-bench-id"

# The origin: answers every request on a keep-alive connection with one small
# JSON body. A bare asyncio protocol, so it costs the machine far less per
# request than the proxies it serves (checked: see ORIGIN_SHARE).
ORIGIN = r"""
import asyncio, sys

BODY = b'{"ok": true, "items": [' + b", ".join(b'{"id": %d, "name": "item %d"}' % (i, i) for i in range(8)) + b"]}"
ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(BODY)
) + BODY


class Origin(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(ANSWER)


async def main():
    server = await asyncio.get_running_loop().create_server(Origin, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"""


@dataclass(frozen=True)
class Load:
    latencies: list[float]  # seconds, one per answered request of the measured load
    answered: list[str]  # the id of every request answered, warm-up included
    elapsed: float  # seconds for the measured load

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.latencies, n=10)[-1]


@dataclass(frozen=True)
class Run:
    proxy: str
    load: Load
    cpu: float | None  # the proxy's CPU seconds per measured request (Linux: /proc), None elsewhere
    recorded: int | None  # requests of this run found in the capture; None: nothing recorded
    missing: int  # answered requests not in the capture
    duplicated: int  # requests in the capture more than once


# -- the load -------------------------------------------------------------


async def _client(
    proxy: tuple[str, int], origin: int, ids: Callable[[], str | None], latencies: list[float], answered: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(*proxy)
    try:
        while (rid := ids()) is not None:
            body = json.dumps({"userId": "user-4242", "event": "tap", "request": rid}).encode()
            head = (
                f"POST http://127.0.0.1:{origin}/v1/track?id={rid} HTTP/1.1\r\n"
                f"host: 127.0.0.1:{origin}\r\ncontent-type: application/json\r\n"
                f"{ID_HEADER}: {rid}\r\ncontent-length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + body)
            status = await _answer(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"request {rid} answered with status {status}")
            answered.append(rid)
    finally:
        writer.close()


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _load(proxy: tuple[str, int], origin: int, tag: str, clients: int, count: int) -> Load:
    numbers = iter(range(count))

    def ids() -> str | None:
        n = next(numbers, None)
        return None if n is None else f"{tag}-{n}"

    latencies: list[float] = []
    answered: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(_client(proxy, origin, ids, latencies, answered) for _ in range(min(clients, count))))
    return Load(latencies, answered, time.perf_counter() - started)


def load(proxy: tuple[str, int], origin: int, tag: str, clients: int, count: int) -> Load:
    return asyncio.run(_load(proxy, origin, tag, clients, count))


# -- the proxies ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mitmdump() -> str:
    beside = Path(sys.executable).parent / "mitmdump"
    found = str(beside) if beside.exists() else shutil.which("mitmdump")
    if found is None:
        raise SystemExit("record_load: mitmdump not found (install flowaudit's environment)")
    return found


def _addon_path() -> str:
    import flowaudit.capture.addon  # type: ignore[import-untyped]  # mypy checks src/ apart

    return str(Path(flowaudit.capture.addon.__file__).resolve())


def proxy_command(proxy: str, port: int, confdir: Path, capture: Path) -> list[str]:
    mitmdump = [_mitmdump(), "-q", "--listen-host", "127.0.0.1", "-p", str(port), "--set", f"confdir={confdir}"]
    if proxy == "mitmdump":
        return mitmdump
    if proxy == "mitmdump -s addon":
        return [*mitmdump, "-s", _addon_path(), "--set", f"flowaudit_capture={capture}", "--set", "flowaudit_app=bench"]
    if proxy == "flowaudit record":
        return [
            sys.executable, "-m", "flowaudit", "record", "--no-audit", "--port", str(port),
            "--confdir", str(confdir), "-w", str(capture), "--app", "bench",
        ]  # fmt: skip
    raise ValueError(proxy)


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"record_load: the proxy exited ({process.returncode}):\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"record_load: the proxy did not listen within {STARTUP:.0f} s:\n{log.read_text()}")


def one_run(proxy: str, origin: int, work: Path, args: argparse.Namespace, tag: str) -> Run:
    port = _free_port()
    capture = work / f"{tag}.mitm"
    log = work / f"{tag}.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            proxy_command(proxy, port, work / "conf", capture),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=work,
        )
    try:
        _wait_listening(port, process, log)
        warm = load(("127.0.0.1", port), origin, f"{tag}w", args.clients, args.warmup)
        cpu_before = cpu_seconds(process.pid)
        measured = load(("127.0.0.1", port), origin, tag, args.clients, args.requests)
        cpu_after = cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) / args.requests
    if proxy == "mitmdump":
        return Run(proxy, measured, cpu, None, 0, 0)
    answered = [*warm.answered, *measured.answered]
    in_capture = recorded_ids(capture)
    counts: dict[str, int] = {}
    for rid in in_capture:
        counts[rid] = counts.get(rid, 0) + 1
    missing = sum(1 for rid in answered if rid not in counts)
    duplicated = sum(1 for n in counts.values() if n > 1)
    return Run(proxy, measured, cpu, len(in_capture), missing, duplicated)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far, from /proc (Linux); None elsewhere.

    Not a verdict, a diagnosis: latency under a closed loop follows the proxy's
    CPU cost per request, which this shows without the noise of queueing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def recorded_ids(capture: Path) -> list[str]:
    """The bench id of every request in the capture, read by mitmproxy's own reader."""
    from mitmproxy import http, io

    ids: list[str] = []
    if not capture.exists():
        return ids
    with capture.open("rb") as fh:
        for f in io.FlowReader(fh).stream():
            if isinstance(f, http.HTTPFlow) and ID_HEADER in f.request.headers:
                ids.append(f.request.headers[ID_HEADER])
    return ids


# -- the origin -----------------------------------------------------------


def start_origin() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-c", ORIGIN], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


# -- report ---------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None, help="seed of the round-robin order")
    parser.add_argument("--only", choices=PROXIES, action="append", help="run only these proxies (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    proxies = [p for p in PROXIES if not args.only or p in args.only or p == "mitmdump"]
    shuffle = random.Random(args.seed)
    before = os.getloadavg()
    origin_process, origin = start_origin()
    runs: list[list[Run]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="flowaudit-record-load-") as folder:
            work = Path(folder)
            (work / "conf").mkdir()
            load(("127.0.0.1", origin), origin, "direct-warm", args.clients, args.warmup)
            direct = load(("127.0.0.1", origin), origin, "direct", args.clients, args.requests)
            for r in range(args.rounds):
                order = proxies[:]
                shuffle.shuffle(order)
                this_round: list[Run] = []
                for proxy in order:
                    run = one_run(proxy, origin, work, args, f"r{r}-{proxies.index(proxy)}")
                    this_round.append(run)
                    print(
                        f"round {r + 1}/{args.rounds}  {proxy:18} median {_ms(run.load.median)} ms"
                        f"  p90 {_ms(run.load.p90)} ms  {len(run.load.latencies) / run.load.elapsed:6.0f} req/s"
                        + ("" if run.cpu is None else f"  cpu {run.cpu * 1000:5.2f} ms/req")
                        + ("" if run.recorded is None else f"  missing {run.missing}"),
                        file=sys.stderr,
                        flush=True,
                    )
                runs.append(sorted(this_round, key=lambda x: proxies.index(x.proxy)))
    finally:
        origin_process.terminate()
        origin_process.wait()
    after = os.getloadavg()
    return report(proxies, runs, direct, before, after, args)


def report(
    proxies: list[str],
    runs: list[list[Run]],
    direct: Load,
    before: tuple[float, float, float],
    after: tuple[float, float, float],
    args: argparse.Namespace,
) -> int:
    print(
        f"{args.clients} clients, {args.requests} requests a run, {args.rounds} rounds; "
        f"load average {before[0]:.2f} before, {after[0]:.2f} after ({os.cpu_count()} cores)"
    )
    print(f"origin alone (no proxy): median {_ms(direct.median)} ms, p90 {_ms(direct.p90)} ms")
    print()
    print(
        f"{'proxy':20} {'median ms':>10} {'p90 ms':>9} {'x median':>9} {'x p90':>7} {'cpu ms/req':>11} {'x cpu':>6} "
        f"{'lost':>5}"
    )
    status = 0
    figures = {}
    for proxy in proxies:
        mine = [next(r for r in rnd if r.proxy == proxy) for rnd in runs]
        base = [next(r for r in rnd if r.proxy == "mitmdump") for rnd in runs]
        median_ratio = statistics.median(m.load.median / b.load.median for m, b in zip(mine, base, strict=True))
        p90_ratio = statistics.median(m.load.p90 / b.load.p90 for m, b in zip(mine, base, strict=True))
        median = statistics.median(m.load.median for m in mine)
        p90 = statistics.median(m.load.p90 for m in mine)
        lost = sum(m.missing for m in mine)
        duplicated = sum(m.duplicated for m in mine)
        recorded = proxy != "mitmdump"
        cpus = [m.cpu for m in mine if m.cpu is not None]
        cpu = statistics.median(cpus) if cpus else None
        cpu_ratios = [m.cpu / b.cpu for m, b in zip(mine, base, strict=True) if m.cpu and b.cpu]
        cpu_ratio = statistics.median(cpu_ratios) if cpu_ratios else None
        print(
            f"{proxy:20} {_ms(median):>10} {_ms(p90):>9} {median_ratio:8.3f}x {p90_ratio:6.3f}x "
            f"{'-' if cpu is None else f'{cpu * 1000:.3f}':>11} {'-' if cpu_ratio is None else f'{cpu_ratio:.3f}x':>6} "
            f"{lost if recorded else '-':>5}"
        )
        figures[proxy] = {
            "median_ms": median * 1000,
            "p90_ms": p90 * 1000,
            "median_ratio": median_ratio,
            "p90_ratio": p90_ratio,
            "lost": lost,
            "duplicated": duplicated,
            "cpu_ms_per_request": None if cpu is None else cpu * 1000,
            "cpu_ratio": cpu_ratio,
            "rounds": [
                {
                    "median_ms": m.load.median * 1000,
                    "p90_ms": m.load.p90 * 1000,
                    "cpu_ms_per_request": None if m.cpu is None else m.cpu * 1000,
                }
                for m in mine
            ],
        }
        if recorded and median_ratio > LATENCY_TARGET:
            print(f"  MISSED: median latency {median_ratio:.3f}x plain mitmdump's (target {LATENCY_TARGET}x)")
            status = max(status, 1)
        if recorded and (lost or duplicated):
            print(f"  MISSED: {lost} answered requests not in the capture, {duplicated} in it twice")
            status = max(status, 1)
    slowest_base = statistics.median(next(r for r in rnd if r.proxy == "mitmdump").load.median for rnd in runs)
    if direct.median > ORIGIN_SHARE * slowest_base:
        print(
            f"  NOT MEASURED: the origin alone answers in {direct.median * 1000:.2f} ms, over "
            f"{ORIGIN_SHARE:.0%} of plain mitmdump's {slowest_base * 1000:.2f} ms: the proxies are not the bottleneck"
        )
        status = 2
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "clients": args.clients,
                    "requests": args.requests,
                    "rounds": args.rounds,
                    "load_average": {"before": before, "after": after},
                    "origin_median_ms": direct.median * 1000,
                    "proxies": figures,
                },
                indent=2,
            )
            + "\n"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
