"""Measure flowaudit's throughput and memory against mitmproxy's own reader.

Two targets, both relative so they hold on any machine:

* throughput: ``flowaudit check`` handles at least half as many flows per
  second as a bare ``FlowReader(...).stream()`` loop over the same file
  (reading is the floor; the audit may cost at most as much again);
* memory: peak RSS at N flows is within ~1.3x of peak RSS at N/10 flows,
  i.e. memory does not grow with the length of the capture (the reader
  streams and the engine keeps aggregates, not flows).

Every measurement runs in a fresh subprocess so its peak RSS (``ru_maxrss``
from ``os.wait4``) is its own; the wall time covers the whole process,
interpreter start-up and imports included. Timings are the best of
``--repeat`` runs (default 3), taken round-robin so a slow moment hits all
measurements alike; peak RSS is the highest seen over those runs.

Usage: python bench/run.py [--flows 100000] [--out bench/out] [--seed 1] [--repeat 3]
Exit status: 0 both targets met, 1 a target missed, 2 a measurement failed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "make_capture.py"

THROUGHPUT_TARGET = 0.5  # audit flows/s >= this x bare reader flows/s
MEMORY_TARGET = 1.3  # peak RSS at N flows <= this x peak RSS at N/10 flows

BARE_READER = """\
import sys
from mitmproxy.io import FlowReader
n = 0
with open(sys.argv[1], "rb") as fh:
    for f in FlowReader(fh).stream():
        n += 1
print(n)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float


@dataclass(frozen=True)
class Measurement:
    name: str
    flows: int
    runs: tuple[Run, ...]

    @property
    def best_seconds(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def flows_per_second(self) -> float:
        return self.flows / self.best_seconds

    @property
    def peak_rss_mib(self) -> float:
        return max(r.peak_rss_mib for r in self.runs)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "flows": self.flows,
            "best_seconds": round(self.best_seconds, 3),
            "flows_per_second": round(self.flows_per_second, 1),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "runs": [asdict(r) for r in self.runs],
        }


class MeasurementFailed(Exception):
    pass


def measure_once(command: list[str]) -> Run:
    """Run `command` in a fresh process; its wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if process.returncode != 0:
            stderr.seek(0)
            raise MeasurementFailed(
                f"`{' '.join(command)}` exited {process.returncode}:\n{stderr.read().decode(errors='replace')}"
            )
    return Run(seconds=round(seconds, 3), peak_rss_mib=round(usage.ru_maxrss / 1024, 1))  # KiB on Linux


def generator_fingerprint() -> str:
    """Part of the cache key: a changed generator must not reuse old captures."""
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]


def ensure_capture(out: Path, flows: int, seed: int) -> Path:
    fingerprint = generator_fingerprint()
    path = out / f"capture-{flows}-seed{seed}-{fingerprint}.mitm"
    if path.exists():
        print(f"using cached {path}")
        return path
    for stale in out.glob(f"capture-{flows}-seed{seed}-*.mitm"):
        stale.unlink()  # made by an older generator: hundreds of MiB each
    print(f"generating {flows} flows into {path} ...", flush=True)
    subprocess.run([sys.executable, str(GENERATOR), str(path), "--flows", str(flows), "--seed", str(seed)], check=True)
    return path


def audit_command(capture: Path, declaration: Path, output: str = os.devnull) -> list[str]:
    return [
        sys.executable, "-m", "flowaudit", "check", str(capture),
        "--declared", str(declaration), "--format", "json", "-o", output, "--fail-on", "never",
    ]  # fmt: skip


def sanity_check(capture: Path, declaration: Path, flows: int, out: Path) -> dict[str, object]:
    """One untimed audit whose JSON is kept: proves every flow was read, so speed is not bought by skipping."""
    result_path = out / "audit-sanity.json"
    measure_once(audit_command(capture, declaration, str(result_path)))
    result = json.loads(result_path.read_text(encoding="utf-8"))
    (given,) = result["inputs"]
    if given["flows"] != flows or not given["complete"]:
        raise MeasurementFailed(f"the audit read {given['flows']} of {flows} flows (complete: {given['complete']})")
    summary = result["summary"]
    return {"flows": summary["flows"], "recipients": summary["recipients"],
            "undeclared_recipients": summary["undeclared_recipients"], "findings": summary["findings"]}  # fmt: skip


def machine_info() -> dict[str, object]:
    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mitmproxy": importlib.metadata.version("mitmproxy"),
        "flowaudit": importlib.metadata.version("flowaudit"),
    }


def print_table(measurements: list[Measurement], repeat: int) -> None:
    print(f"\n{'measurement':<28}{'flows':>9}{'best s':>9}{'flows/s':>10}{'peak RSS MiB':>14}")
    for m in measurements:
        print(f"{m.name:<28}{m.flows:>9}{m.best_seconds:>9.2f}{m.flows_per_second:>10.0f}{m.peak_rss_mib:>14.1f}")
    print(f"(time: best of {repeat} whole-process runs, start-up included; RSS: highest of those runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.flows < 10 or args.repeat < 1:
        parser.error("--flows must be at least 10 and --repeat at least 1")

    small_flows = args.flows // 10
    full = ensure_capture(args.out, args.flows, args.seed)
    small = ensure_capture(args.out, small_flows, args.seed)
    declaration = full.parent / "flowaudit.yml"

    commands = {
        ("bare FlowReader loop", args.flows): [sys.executable, "-c", BARE_READER, str(full)],
        ("flowaudit check", args.flows): audit_command(full, declaration),
        ("bare FlowReader loop", small_flows): [sys.executable, "-c", BARE_READER, str(small)],
        ("flowaudit check", small_flows): audit_command(small, declaration),
    }
    try:
        sanity = sanity_check(small, declaration, small_flows, args.out)
        runs: dict[tuple[str, int], list[Run]] = {key: [] for key in commands}
        for round_ in range(1, args.repeat + 1):
            print(f"round {round_}/{args.repeat} ...", flush=True)
            for key, command in commands.items():
                runs[key].append(measure_once(command))
    except MeasurementFailed as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    measurements = [Measurement(name, flows, tuple(r)) for (name, flows), r in runs.items()]
    bare, audit, _, audit_small = measurements
    throughput_ratio = audit.flows_per_second / bare.flows_per_second
    memory_ratio = audit.peak_rss_mib / audit_small.peak_rss_mib
    throughput_ok = throughput_ratio >= THROUGHPUT_TARGET
    memory_ok = memory_ratio <= MEMORY_TARGET

    print_table(measurements, args.repeat)
    print(
        f"\nthroughput: audit / bare reader = {throughput_ratio:.2f} (target >= {THROUGHPUT_TARGET}) "
        f"{'PASS' if throughput_ok else 'FAIL'}"
    )
    print(
        f"memory: peak RSS at {args.flows} / at {small_flows} flows = {memory_ratio:.2f} "
        f"(target <= {MEMORY_TARGET}) {'PASS' if memory_ok else 'FAIL'}"
    )
    verdict = "PASS" if throughput_ok and memory_ok else "FAIL"
    print(f"verdict: {verdict}")

    results = {
        "machine": machine_info(),
        "seed": args.seed,
        "repeat": args.repeat,
        "captures": {p.name: p.stat().st_size for p in (full, small)},
        "audit_sanity": sanity,
        "measurements": [m.summary() for m in measurements],
        "throughput_ratio": round(throughput_ratio, 3),
        "memory_ratio": round(memory_ratio, 3),
        "targets": {"throughput_ratio_min": THROUGHPUT_TARGET, "memory_ratio_max": MEMORY_TARGET},
        "verdict": verdict.lower(),
    }
    results_path = args.out / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {results_path}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
