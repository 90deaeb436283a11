"""Does recording slow the app down? Latency under load through three proxies, interleaved.

An app under test talks through the proxy while flowaudit records; every
millisecond the recorder adds is a millisecond the app waits. This script
puts the same load through three proxies and compares their latency:

* ``mitmdump``: plain mitmproxy, quiet (``-q``: no line printed per flow,
  the least work mitmdump does), recording nothing: the baseline;
* ``mitmdump -s addon``: the same with flowaudit's addon loaded
  (``mitmdump -q -s "$(flowaudit addon-path)"``);
* ``flowaudit record``: flowaudit's own proxy (``--no-audit``, no terminal:
  what a CI job or a scripted session runs). It leaves out of mitmproxy's
  event chain the default addons idle under the options it sets
  (``flowaudit.capture.runner.IDLE_ADDONS``), which plain ``mitmdump`` keeps:
  so its ratio can fall under 1, and the addon's ratio is the one that
  shows what recording itself costs.

The load: ``--clients`` (50) concurrent clients, each on its own keep-alive
connection, send ``--requests`` (5,000) requests in all through a proxy,
each as soon as its previous answer arrived (a closed loop). Requests are
plain HTTP POSTs of a small JSON body; answers are small JSON bodies. Plain
HTTP is the hard case for the recorder: no TLS work in the proxy to hide its
cost in. Everything stays on loopback (127.0.0.1): the origin server is a
child process of this script, and the proxies reach nothing else.

Interleaved, so that the machine's drift hits every proxy alike: each round
starts the three proxies afresh, side by side, opens the clients'
connections to each and warms each up (``--warmup`` requests). Then the
round's load goes in blocks of ``--block`` (500) requests, the proxies
taking turns block by block in a mirrored order (A B C C B A A B C ...), so
every proxy's blocks sit at the same average moment of the round. A proxy
idle while another's block runs costs nothing. Every request is timed from
send to the last byte of its answer; the proxy's CPU time (user + system,
all threads, from /proc) is read around each of its blocks.

Each round gives, per recorder, two ratios to plain mitmdump: its median
latency over the round's requests, and its CPU time per request. The
verdict is on the median over rounds of the latency ratio, with a
distribution-free 90% interval for that median (order statistics of the
rounds' ratios; with 5 to 8 rounds, their min..max):

* met: the whole interval at or under the target (1.05);
* missed: the whole interval over it, on a machine not busier than its
  cores (see busy(); on a busy one, latency grows faster than CPU cost, and
  a ratio over the target is undecided);
* undecided: the interval straddles the target. The rounds disagree more
  than the target's margin: the script says so, with the CPU ratio (which
  queueing on a busy machine moves far less) as the best indication, and
  exits 3. Run more rounds, or on a quieter machine.

Nothing may be lost: after each round the recording proxies are stopped
(SIGTERM) and their captures read back with mitmproxy's own reader. Every
request that got its answer (warm-up included) must be in the capture
exactly once.

The origin is measured too (the same load straight to it, no proxy): if its
median latency is not well below the proxies', the proxies are not what is
being measured, and the script says so and exits 2.

Usage: python bench/record_load.py [--rounds 9] [--clients 50] [--requests 5000] [--block 500]
Exit status: 0 every target met; 1 a target missed or a flow lost; 2 a measurement
failed; 3 undecided (the rounds spread across the target, or a busy machine), nothing missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LATENCY_TARGET = 1.05  # median latency through a recorder <= this x plain mitmdump's
CONFIDENCE = 0.90  # of the interval around the median of the rounds' ratios
OWN_LOAD = 2  # the bench's own busy processes (the clients, the proxy under load): see busy()
ORIGIN_SHARE = 0.25  # the origin's own median latency must stay under this share of the proxy's
BASELINE = "mitmdump"
PROXIES = (BASELINE, "mitmdump -s addon", "flowaudit record")
STARTUP = 60.0  # seconds a proxy gets to listen
ID_HEADER = "x-bench-id"
EXIT_MET, EXIT_MISSED, EXIT_FAILED, EXIT_UNDECIDED = 0, 1, 2, 3

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


# -- the load -------------------------------------------------------------


@dataclass
class Tally:
    """What one proxy went through in one round (its warm-up apart, but for the ids)."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per answered measured request
    answered: list[str] = field(default_factory=list)  # every answered id, warm-up included
    cpu: float | None = 0.0  # the proxy's CPU seconds over its measured blocks; None: not on this system

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.latencies, n=10)[-1]

    def cpu_per_request(self) -> float | None:
        return None if self.cpu is None else self.cpu / len(self.latencies)


class Client:
    """One keep-alive connection through a proxy, sending one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, origin: int) -> None:
        self.reader, self.writer, self.origin = reader, writer, origin

    @classmethod
    async def open(cls, address: tuple[str, int], origin: int) -> Client:
        reader, writer = await asyncio.open_connection(*address)
        return cls(reader, writer, origin)

    async def send(self, ids: Iterator[str], tally: Tally, timed: bool) -> None:
        for rid in ids:
            body = json.dumps({"userId": "user-4242", "event": "tap", "request": rid}).encode()
            head = (
                f"POST http://127.0.0.1:{self.origin}/v1/track?id={rid} HTTP/1.1\r\n"
                f"host: 127.0.0.1:{self.origin}\r\ncontent-type: application/json\r\n"
                f"{ID_HEADER}: {rid}\r\ncontent-length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            self.writer.write(head.encode() + body)
            status = await _answer(self.reader)
            if timed:
                tally.latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"request {rid} answered with status {status}")
            tally.answered.append(rid)

    def close(self) -> None:
        self.writer.close()


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


async def _block(clients: list[Client], ids: Iterator[str], tally: Tally, timed: bool) -> None:
    """Every client sends from the shared ``ids`` until they run out (a closed loop)."""
    await asyncio.gather(*(c.send(ids, tally, timed) for c in clients))


def schedule(proxies: list[str], blocks: int) -> list[str]:
    """The order of the round's blocks: A B C, then C B A, and so on (mirrored), so that
    over a round every proxy's blocks sit at the same average moment."""
    order: list[str] = []
    for b in range(blocks):
        order += proxies if b % 2 == 0 else proxies[::-1]
    return order


async def _round(
    addresses: dict[str, tuple[tuple[str, int], int]], origin: int, args: argparse.Namespace, tag: str
) -> dict[str, Tally]:
    """One round through every proxy; ``addresses``: proxy -> ((host, port), pid)."""
    tallies = {proxy: Tally() for proxy in addresses}
    clients: dict[str, list[Client]] = {}
    counters = {proxy: 0 for proxy in addresses}

    def ids(proxy: str, count: int) -> Iterator[str]:
        start = counters[proxy]
        counters[proxy] += count
        return iter([f"{tag}-{PROXIES.index(proxy)}-{n}" for n in range(start, start + count)])

    try:
        for proxy, (address, _) in addresses.items():
            clients[proxy] = [await Client.open(address, origin) for _ in range(args.clients)]
            await _block(clients[proxy], ids(proxy, args.warmup), tallies[proxy], timed=False)
        blocks = max(1, math.ceil(args.requests / args.block))
        for n, proxy in enumerate(schedule(list(addresses), blocks)):
            size = min(args.block, args.requests - (n // len(addresses)) * args.block)
            tally, pid = tallies[proxy], addresses[proxy][1]
            before = cpu_seconds(pid)
            await _block(clients[proxy], ids(proxy, size), tally, timed=True)
            after = cpu_seconds(pid)
            tally.cpu = None if tally.cpu is None or before is None or after is None else tally.cpu + after - before
    finally:
        for group in clients.values():
            for client in group:
                client.close()
    return tallies


async def _direct(origin: int, args: argparse.Namespace) -> float:
    """The origin's median latency under the same load, no proxy."""
    tally = Tally()
    clients = [await Client.open(("127.0.0.1", origin), origin) for _ in range(args.clients)]
    try:
        await _block(clients, iter([f"direct-w{n}" for n in range(args.warmup)]), tally, timed=False)
        await _block(clients, iter([f"direct-{n}" for n in range(args.requests)]), tally, timed=True)
    finally:
        for client in clients:
            client.close()
    return tally.median


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
    if proxy == BASELINE:
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


@dataclass(frozen=True)
class Started:
    process: subprocess.Popen[bytes]
    port: int
    capture: Path


@contextlib.contextmanager
def started(proxies: list[str], work: Path, tag: str) -> Iterator[dict[str, Started]]:
    """The proxies, started side by side and listening; stopped (SIGTERM) on the way out."""
    running: dict[str, Started] = {}
    try:
        for proxy in proxies:
            port = _free_port()
            capture = work / f"{tag}-{PROXIES.index(proxy)}.mitm"
            log = work / f"{tag}-{PROXIES.index(proxy)}.log"
            with log.open("wb") as err:
                process = subprocess.Popen(
                    proxy_command(proxy, port, work / "conf", capture),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    cwd=work,
                )
            running[proxy] = Started(process, port, capture)
            _wait_listening(port, process, log)
        yield running
    finally:
        for one in running.values():
            one.process.send_signal(signal.SIGTERM)
        for one in running.values():
            try:
                one.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                one.process.kill()
                one.process.wait()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) the process has used so far, from /proc (Linux); None elsewhere.

    Under a closed loop, latency follows the proxy's CPU cost per request;
    this shows that cost without the queueing a busy machine adds."""
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


@dataclass(frozen=True)
class Losses:
    missing: int  # answered requests not in the capture
    duplicated: int  # requests in the capture more than once


def losses(answered: list[str], capture: Path) -> Losses:
    counts: dict[str, int] = {}
    for rid in recorded_ids(capture):
        counts[rid] = counts.get(rid, 0) + 1
    return Losses(sum(1 for rid in answered if rid not in counts), sum(1 for n in counts.values() if n > 1))


# -- the origin -----------------------------------------------------------


def start_origin() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-c", ORIGIN], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


# -- the verdict ----------------------------------------------------------


def median_interval(values: list[float], confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """A distribution-free interval for the median of what ``values`` are drawn from.

    The k-th smallest and k-th largest value, with k the largest that still
    covers the median with ``confidence`` (binomial order statistics: each
    value falls under the median with probability 1/2). None when even
    min..max covers it with less (fewer than 5 values at 90%)."""
    ordered = sorted(values)
    n = len(ordered)
    best = None
    below = 0.0  # P(at most k-1 of n values fall under the median)
    for k in range(1, n // 2 + 1):
        below += math.comb(n, k - 1) / 2**n
        if 1 - 2 * below < confidence:
            break
        best = (ordered[k - 1], ordered[n - k])
    return best


@dataclass(frozen=True)
class Verdict:
    status: int
    text: str


def verdict(ratios: list[float], cpu_ratios: list[float], lost: Losses, busy: str | None = None) -> Verdict:
    """Met, missed or undecided; see the module docstring. ``busy`` says how the machine was
    busier than its cores: then a latency ratio over the target is no verdict (see below)."""
    if lost.missing or lost.duplicated:
        return Verdict(
            EXIT_MISSED, f"MISSED: {lost.missing} answered requests not in the capture, {lost.duplicated} in it twice"
        )
    interval = median_interval(ratios)
    median = statistics.median(ratios)
    cpu = f"; CPU per request {statistics.median(cpu_ratios):.3f}x" if cpu_ratios else ""
    if interval is None:
        return Verdict(
            EXIT_UNDECIDED,
            f"UNDECIDED: {len(ratios)} rounds cannot bound the median ratio ({median:.3f}x){cpu}: run at least 5",
        )
    low, high = interval
    if high <= LATENCY_TARGET:
        return Verdict(EXIT_MET, f"met: median latency {median:.3f}x, {CONFIDENCE:.0%} interval {low:.3f}..{high:.3f}")
    if low > LATENCY_TARGET and busy is not None:
        # Queueing behind other work is not linear in a proxy's CPU cost: on an
        # overloaded machine a few per cent more CPU shows as far more latency.
        return Verdict(
            EXIT_UNDECIDED,
            f"UNDECIDED: median latency {median:.3f}x, {CONFIDENCE:.0%} interval {low:.3f}..{high:.3f}, over "
            f"the target {LATENCY_TARGET}x, but measured on a busy machine ({busy}){cpu}. Run on a quieter machine.",
        )
    if low > LATENCY_TARGET:
        return Verdict(
            EXIT_MISSED,
            f"MISSED: median latency {median:.3f}x plain mitmdump's, {CONFIDENCE:.0%} interval {low:.3f}..{high:.3f} "
            f"(target {LATENCY_TARGET}x){cpu}",
        )
    return Verdict(
        EXIT_UNDECIDED,
        f"UNDECIDED: median latency {median:.3f}x, but the {CONFIDENCE:.0%} interval {low:.3f}..{high:.3f} "
        f"straddles the target {LATENCY_TARGET}x: the rounds spread too wide to decide{cpu}. "
        "Run more rounds or on a quieter machine.",
    )


# -- report ---------------------------------------------------------------


def busy(before: tuple[float, float, float], after: tuple[float, float, float]) -> str | None:
    """How the machine was busier than its cores (1-minute load average), or None.

    Before the run, any load over the cores is other work; after it, the
    bench's own client and proxy account for up to two more."""
    cores = os.cpu_count() or 1
    if before[0] > cores or after[0] > cores + OWN_LOAD:
        return f"load average {before[0]:.1f} before, {after[0]:.1f} after, on {cores} cores"
    return None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def _ratios(rounds: list[dict[str, Tally]], proxy: str, of: str) -> list[float]:
    out = []
    for r in rounds:
        mine, base = r[proxy], r[BASELINE]
        if of == "median":
            out.append(mine.median / base.median)
        elif of == "p90":
            out.append(mine.p90 / base.p90)
        else:
            a, b = mine.cpu_per_request(), base.cpu_per_request()
            if a is not None and b:
                out.append(a / b)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="measured requests per proxy and round")
    parser.add_argument("--block", type=int, default=500, help="requests a proxy takes in one turn")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--only", choices=PROXIES[1:], action="append", help="run only these recorders (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    proxies = [p for p in PROXIES if not args.only or p in args.only or p == BASELINE]
    before = os.getloadavg()
    origin_process, origin = start_origin()
    rounds: list[dict[str, Tally]] = []
    lost = {proxy: Losses(0, 0) for proxy in proxies}
    try:
        with tempfile.TemporaryDirectory(prefix="flowaudit-record-load-") as folder:
            work = Path(folder)
            (work / "conf").mkdir()
            direct = asyncio.run(_direct(origin, args))
            for r in range(args.rounds):
                tag = f"r{r}"
                with started(proxies, work, tag) as running:
                    addresses = {p: (("127.0.0.1", s.port), s.process.pid) for p, s in running.items()}
                    tallies = asyncio.run(_round(addresses, origin, args, tag))
                for proxy in proxies[1:]:  # stopped now: their captures are complete
                    found = losses(tallies[proxy].answered, running[proxy].capture)
                    lost[proxy] = Losses(lost[proxy].missing + found.missing, lost[proxy].duplicated + found.duplicated)
                rounds.append(tallies)
                base = tallies[BASELINE]
                print(
                    f"round {r + 1}/{args.rounds}: "
                    + "  ".join(
                        f"{p} {_ms(t.median).strip()} ms"
                        + ("" if p == BASELINE else f" ({t.median / base.median:.3f}x)")
                        + ("" if t.cpu_per_request() is None else f" cpu {t.cpu_per_request() * 1000:.3f} ms/req")
                        for p, t in tallies.items()
                    ),
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        origin_process.terminate()
        origin_process.wait()
    after = os.getloadavg()
    return report(proxies, rounds, lost, direct, before, after, args)


def report(
    proxies: list[str],
    rounds: list[dict[str, Tally]],
    lost: dict[str, Losses],
    direct: float,
    before: tuple[float, float, float],
    after: tuple[float, float, float],
    args: argparse.Namespace,
) -> int:
    print(
        f"{args.clients} clients, {args.requests} requests per proxy and round in blocks of {args.block}, interleaved; "
        f"{len(rounds)} rounds; load average {before[0]:.2f} before, {after[0]:.2f} after ({os.cpu_count()} cores)"
    )
    print(f"origin alone (no proxy): median {_ms(direct)} ms")
    print()
    print(
        f"{'proxy':18} {'median ms':>9} {'cpu ms/req':>10}   {'x median (rounds: interval, min..max)':38} "
        f"{'x p90':>6} {'x cpu (min..max)':>18} {'lost':>5}"
    )
    statuses = []
    figures = {}
    verdicts = []
    for proxy in proxies:
        median = statistics.median(r[proxy].median for r in rounds)
        cpus = [c for r in rounds if (c := r[proxy].cpu_per_request()) is not None]
        cpu = statistics.median(cpus) if cpus else None
        cpu_text = "-" if cpu is None else f"{cpu * 1000:.3f}"
        entry: dict[str, object] = {
            "median_ms": median * 1000,
            "cpu_ms_per_request": None if cpu is None else cpu * 1000,
            "rounds": [
                {"median_ms": r[proxy].median * 1000, "p90_ms": r[proxy].p90 * 1000, "cpu_ms_per_request": c * 1000}
                if (c := r[proxy].cpu_per_request()) is not None
                else {"median_ms": r[proxy].median * 1000, "p90_ms": r[proxy].p90 * 1000}
                for r in rounds
            ],
        }
        if proxy == BASELINE:
            print(f"{proxy:18} {_ms(median):>9} {cpu_text:>10}")
            figures[proxy] = entry
            continue
        ratios, p90s, cpu_ratios = (_ratios(rounds, proxy, of) for of in ("median", "p90", "cpu"))
        interval = median_interval(ratios)
        spread = "-" if interval is None else f"{interval[0]:.3f}..{interval[1]:.3f}"
        cpu_spread = "-"
        if cpu_ratios:
            cpu_spread = f"{statistics.median(cpu_ratios):.3f} ({min(cpu_ratios):.2f}..{max(cpu_ratios):.2f})"
        print(
            f"{proxy:18} {_ms(median):>9} {cpu_text:>10}   "
            f"{f'{statistics.median(ratios):.3f}x ({spread}, {min(ratios):.3f}..{max(ratios):.3f})':38} "
            f"{statistics.median(p90s):5.3f}x {cpu_spread:>18} {lost[proxy].missing:>5}"
        )
        found = verdict(ratios, cpu_ratios, lost[proxy], busy(before, after))
        verdicts.append(f"  {proxy}: {found.text}")
        statuses.append(found.status)
        entry.update(
            {
                "median_ratio": statistics.median(ratios),
                "median_ratio_interval": interval,
                "median_ratios": ratios,
                "p90_ratio": statistics.median(p90s),
                "cpu_ratio": statistics.median(cpu_ratios) if cpu_ratios else None,
                "cpu_ratios": cpu_ratios,
                "lost": lost[proxy].missing,
                "duplicated": lost[proxy].duplicated,
                "verdict": found.text,
            }
        )
        figures[proxy] = entry
    print()
    print("\n".join(verdicts))
    base = statistics.median(r[BASELINE].median for r in rounds)
    failed = direct > ORIGIN_SHARE * base
    if failed:
        print(
            f"  NOT MEASURED: the origin alone answers in {direct * 1000:.2f} ms, over "
            f"{ORIGIN_SHARE:.0%} of plain mitmdump's {base * 1000:.2f} ms: the proxies are not the bottleneck"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "clients": args.clients,
                    "requests": args.requests,
                    "block": args.block,
                    "rounds": len(rounds),
                    "load_average": {"before": before, "after": after},
                    "origin_median_ms": direct * 1000,
                    "target": LATENCY_TARGET,
                    "proxies": figures,
                },
                indent=2,
            )
            + "\n"
        )
    if failed:
        return EXIT_FAILED
    if EXIT_MISSED in statuses:
        return EXIT_MISSED
    if EXIT_UNDECIDED in statuses:
        return EXIT_UNDECIDED
    return EXIT_MET


if __name__ == "__main__":
    sys.exit(main())
