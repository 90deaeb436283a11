"""Measure flowaudit against mitmproxy reading the same file, and say whether targets are met.

Every figure that decides a target is a ratio of two measurements taken in
the same run, on the same machine and file, round-robin, so a busy moment
slows every measurement alike and the ratio carries between machines:

* single process: ``flowaudit check --jobs 0`` (one process reads, decodes
  and audits) handles at least as many flows per second as a bare
  ``FlowReader(...).stream()`` loop over the same file, which only reads;
* default: ``flowaudit check`` as a user runs it (worker processes on the
  other cores for a large capture) handles at least 1.5x as many;
* memory: peak RSS at N flows is within 1.05x of peak RSS at N/10 flows, for
  both audit modes: memory stays flat as a capture gets longer (the line
  names both peaks, in MiB, beside their ratio);
* start-up: ``flowaudit check`` of a 10-flow capture, whole process, takes
  at most 2x a process that imports flowaudit and reads the same file with
  mitmproxy's reader.

``mitmdump -nr FILE`` (mitmproxy loading the file the way its users do) is
measured beside them and reported as a ratio; it decides nothing.

Every measurement runs in a fresh subprocess so its peak RSS (``ru_maxrss``
from ``os.wait4``: the largest single process of its tree) is its own, and
wall time covers interpreter start-up and imports. Timings are the best of
``--repeat`` runs; peak RSS is the highest. Before timing, both audit modes
audit the N/10 capture once and must agree, flow for flow, so speed is never
bought by skipping or by a different answer.

Usage: python bench/run.py [--flows 100000] [--out bench/out] [--seed 1] [--repeat 3]
Exit status: 0 every target met, 1 a target missed, 2 a measurement failed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "make_capture.py"

SINGLE_TARGET = 1.0  # check --jobs 0 flows/s >= this x bare reader flows/s
DEFAULT_TARGET = 1.5  # check (default jobs) flows/s >= this x bare reader flows/s
MEMORY_TARGET = 1.05  # peak RSS at N flows <= this x peak RSS at N/10 flows: flat
STARTUP_TARGET = 2.0  # check of 10 flows <= this x (import flowaudit + read the file)
STARTUP_FLOWS = 10

BARE_READER = """\
import sys
from mitmproxy.io import FlowReader
n = 0
with open(sys.argv[1], "rb") as fh:
    for f in FlowReader(fh).stream():
        n += 1
print(n)
"""

# The start-up floor: what any audit of the file must at least do.
IMPORT_AND_READ = "import flowaudit\n" + BARE_READER


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    cpu_seconds: float  # user + system time of the process and its children: the work, whatever the load


@dataclass(frozen=True)
class Measurement:
    name: str
    flows: int
    size_bytes: int
    runs: tuple[Run, ...]

    @property
    def best_seconds(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def flows_per_second(self) -> float:
        return self.flows / self.best_seconds

    @property
    def best_cpu_seconds(self) -> float:
        return min(r.cpu_seconds for r in self.runs)

    @property
    def mib_per_second(self) -> float:
        return self.size_bytes / (1024 * 1024) / self.best_seconds

    @property
    def peak_rss_mib(self) -> float:
        return max(r.peak_rss_mib for r in self.runs)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "flows": self.flows,
            "size_bytes": self.size_bytes,
            "best_seconds": round(self.best_seconds, 3),
            "best_cpu_seconds": round(self.best_cpu_seconds, 3),
            "flows_per_second": round(self.flows_per_second, 1),
            "mib_per_second": round(self.mib_per_second, 2),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "runs": [asdict(r) for r in self.runs],
        }


@dataclass(frozen=True)
class Target:
    name: str
    ratio: float
    limit: float
    at_least: bool  # True: ratio >= limit passes; False: ratio <= limit passes

    @property
    def met(self) -> bool:
        return self.ratio >= self.limit if self.at_least else self.ratio <= self.limit

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{self.name} = {self.ratio:.2f} (target {sign} {self.limit}) {'PASS' if self.met else 'FAIL'}"


class MeasurementFailed(Exception):
    pass


def measured_environment(cache: Path) -> dict[str, str]:
    """The environment of every measured process: Python may write its bytecode
    (as an installed package has it: a PYTHONDONTWRITEBYTECODE environment would
    make every start compile every module), and flowaudit keeps its rules cache
    in ``cache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(cache)
    return env


class Cold:
    """A command to run with an empty rules cache each time: a first run, as in a fresh CI container."""

    def __init__(self, command: list[str]) -> None:
        self.command = command


def measure_once(command: list[str] | Cold, env: dict[str, str]) -> Run:
    """Run `command` in a fresh process; its wall time and its own peak RSS."""
    if isinstance(command, Cold):
        with tempfile.TemporaryDirectory() as empty:
            return measure_once(command.command, {**env, "XDG_CACHE_HOME": empty})
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if process.returncode != 0:
            stderr.seek(0)
            raise MeasurementFailed(
                f"`{' '.join(command)}` exited {process.returncode}:\n{stderr.read().decode(errors='replace')}"
            )
    return Run(
        seconds=round(seconds, 3),
        peak_rss_mib=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
    )


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


def audit_command(capture: Path, declaration: Path, jobs: int | None, output: str = os.devnull) -> list[str]:
    return [
        sys.executable, "-m", "flowaudit", "check", str(capture),
        "--declared", str(declaration), "--format", "json", "-o", output, "--fail-on", "never",
        *(["--jobs", str(jobs)] if jobs is not None else []),
    ]  # fmt: skip


def mitmdump_command(capture: Path) -> list[str]:
    """mitmproxy's own command, reading the file and printing a line per flow (to /dev/null)."""
    mitmdump = shutil.which("mitmdump", path=str(Path(sys.executable).parent)) or shutil.which("mitmdump")
    if mitmdump is None:
        raise MeasurementFailed("mitmdump not found beside this Python or on PATH")
    return [mitmdump, "-n", "-r", str(capture)]


def sanity_check(capture: Path, declaration: Path, flows: int, out: Path, env: dict[str, str]) -> dict[str, object]:
    """Untimed audits whose JSON is kept: every flow was read, and both modes agree."""
    results = {}
    for jobs, label in ((0, "single"), (None, "default")):
        result_path = out / f"audit-sanity-{label}.json"
        measure_once(audit_command(capture, declaration, jobs, str(result_path)), env)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        (given,) = result["inputs"]
        if given["flows"] != flows or not given["complete"]:
            raise MeasurementFailed(f"the audit read {given['flows']} of {flows} flows (complete: {given['complete']})")
        result.pop("created", None)
        results[label] = result
    if results["single"] != results["default"]:
        raise MeasurementFailed(f"--jobs 0 and the default disagree on {capture}: see {out}/audit-sanity-*.json")
    summary = results["single"]["summary"]
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
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mitmproxy": importlib.metadata.version("mitmproxy"),
        "flowaudit": importlib.metadata.version("flowaudit"),
        "hot_path": hot_path(),
    }


def hot_path() -> str:
    """How the installed flowaudit runs its detectors: compiled by the build (mypyc, see
    README "Development") or as plain Python; the figures of the two differ."""
    spec = importlib.util.find_spec("flowaudit.payload.detectors.generic")
    origin = spec.origin if spec is not None else None
    compiled = origin is not None and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return "compiled (mypyc)" if compiled else "plain Python"


def print_table(measurements: list[Measurement], repeat: int) -> None:
    print(f"\n{'measurement':<34}{'flows':>8}{'best s':>9}{'CPU s':>8}{'flows/s':>10}{'MiB/s':>8}{'peak RSS MiB':>14}")
    for m in measurements:
        print(
            f"{m.name:<34}{m.flows:>8}{m.best_seconds:>9.2f}{m.best_cpu_seconds:>8.2f}{m.flows_per_second:>10.0f}"
            f"{m.mib_per_second:>8.1f}{m.peak_rss_mib:>14.1f}"
        )
    print(
        f"(time: best of {repeat} whole-process runs, start-up included; CPU: user + system of the process "
        "and its workers, best run; RSS: highest of those runs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.flows < 10 * STARTUP_FLOWS or args.repeat < 1:
        parser.error(f"--flows must be at least {10 * STARTUP_FLOWS} and --repeat at least 1")

    small_flows = args.flows // 10
    full = ensure_capture(args.out, args.flows, args.seed)
    small = ensure_capture(args.out, small_flows, args.seed)
    tiny = ensure_capture(args.out, STARTUP_FLOWS, args.seed)
    declaration = full.parent / "flowaudit.yml"

    try:
        commands: dict[tuple[str, Path], list[str] | Cold] = {}
        for capture in (full, small):
            commands[("bare FlowReader loop", capture)] = [sys.executable, "-c", BARE_READER, str(capture)]
            commands[("mitmdump -nr", capture)] = mitmdump_command(capture)
            commands[("flowaudit check --jobs 0", capture)] = audit_command(capture, declaration, 0)
            commands[("flowaudit check (default)", capture)] = audit_command(capture, declaration, None)
        commands[("python -c 'import flowaudit'", tiny)] = [sys.executable, "-c", "import flowaudit"]
        commands[("import flowaudit + FlowReader", tiny)] = [sys.executable, "-c", IMPORT_AND_READ, str(tiny)]
        commands[("flowaudit check", tiny)] = audit_command(tiny, declaration, None)
        commands[("flowaudit check, empty cache", tiny)] = Cold(audit_command(tiny, declaration, None))
        flows_of = {full: args.flows, small: small_flows, tiny: STARTUP_FLOWS}

        env = measured_environment(args.out / "cache")
        sanity = sanity_check(small, declaration, small_flows, args.out, env)  # also fills the rules cache
        for (_, capture), warm_up in commands.items():  # and the bytecode of every module any command loads
            if capture == tiny and not isinstance(warm_up, Cold):
                measure_once(warm_up, env)
        runs: dict[tuple[str, Path], list[Run]] = {key: [] for key in commands}
        for round_ in range(1, args.repeat + 1):
            print(f"round {round_}/{args.repeat} ...", flush=True)
            for key, command in commands.items():
                runs[key].append(measure_once(command, env))
    except MeasurementFailed as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    measurements = {
        key: Measurement(key[0], flows_of[key[1]], key[1].stat().st_size, tuple(r)) for key, r in runs.items()
    }

    def speed(name: str, against: str, capture: Path = full) -> float:
        return measurements[(name, capture)].flows_per_second / measurements[(against, capture)].flows_per_second

    def memory(name: str) -> float:
        return measurements[(name, full)].peak_rss_mib / measurements[(name, small)].peak_rss_mib

    def peaks(name: str) -> str:
        """Both peaks the memory ratio divides, named with their flows: the ratio's own figures."""
        big, little = measurements[(name, full)].peak_rss_mib, measurements[(name, small)].peak_rss_mib
        return f"peak RSS at {args.flows} flows / at {small_flows} flows ({big:.1f} / {little:.1f} MiB)"

    bare = "bare FlowReader loop"
    single, default = "flowaudit check --jobs 0", "flowaudit check (default)"
    targets = [
        Target("single process: check --jobs 0 / bare reader", speed(single, bare), SINGLE_TARGET, True),
        Target("default: check / bare reader", speed(default, bare), DEFAULT_TARGET, True),
        Target(f"memory --jobs 0: {peaks(single)}", memory(single), MEMORY_TARGET, False),
        Target(f"memory default: {peaks(default)}", memory(default), MEMORY_TARGET, False),
        Target(
            f"start-up: check of {STARTUP_FLOWS} flows / (import flowaudit + read)",
            measurements[("flowaudit check", tiny)].best_seconds
            / measurements[("import flowaudit + FlowReader", tiny)].best_seconds,
            STARTUP_TARGET,
            False,
        ),
    ]

    def work(name: str, against: str, capture: Path = full) -> float:
        """Like speed(), by CPU time: what the ratio would be on an idle machine, for one process."""
        return measurements[(against, capture)].best_cpu_seconds / measurements[(name, capture)].best_cpu_seconds

    informative = {
        "single process by CPU time: bare reader CPU / check --jobs 0 CPU": work(single, bare),
        f"start-up, empty rules cache: check of {STARTUP_FLOWS} flows / (import flowaudit + read)": (
            measurements[("flowaudit check, empty cache", tiny)].best_seconds
            / measurements[("import flowaudit + FlowReader", tiny)].best_seconds
        ),
        "check --jobs 0 / mitmdump -nr": speed(single, "mitmdump -nr"),
        "check (default) / mitmdump -nr": speed(default, "mitmdump -nr"),
        "mitmdump -nr / bare reader": speed("mitmdump -nr", bare),
    }

    print_table(list(measurements.values()), args.repeat)
    print(f"flowaudit's hot path: {hot_path()}")
    print()
    for target in targets:
        print(target.line())
    for name, ratio in informative.items():
        print(f"{name} = {ratio:.2f} (no target)")
    verdict = "PASS" if all(t.met for t in targets) else "FAIL"
    print(f"verdict: {verdict}")

    results = {
        "machine": machine_info(),
        "seed": args.seed,
        "repeat": args.repeat,
        "captures": {p.name: p.stat().st_size for p in (full, small, tiny)},
        "audit_sanity": sanity,
        "measurements": [m.summary() for m in measurements.values()],
        "targets": [{**asdict(t), "met": t.met} for t in targets],
        "ratios": {name: round(ratio, 3) for name, ratio in informative.items()},
        "verdict": verdict.lower(),
    }
    results_path = args.out / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {results_path}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
