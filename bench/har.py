"""flowaudit and TrackHAR side by side on HAR files made of real traffic.

TrackHAR (npm ``trackhar``, https://github.com/tweaselORG/TrackHAR) is what a
researcher holding HAR files would otherwise run: it loads the whole HAR,
then decodes the requests its adapters know. flowaudit streams the HAR and
analyses every request. Both run here on the same two files, each as a
fresh process, start-up included:

* a large HAR: the entries of every real export in tests/corpus/external
  (captures recorded by others, see its README and sources.json), repeated
  in order until there are ``--entries`` of them (default 20,000);
* a small one: the first 16 of those entries.

Target: on both, ``flowaudit check`` (as a user runs it) takes no longer than
TrackHAR. ``flowaudit check --jobs 0`` (one process) is measured beside, and
the small file's check with an empty rules cache (a first run, as in a fresh
CI container). Each figure is the best of ``--repeat`` round-robin runs; the
ratios are what carries between machines. Time is the target; CPU time
(user + system, every process) is shown beside it, as it moves less when
the machine is busy.

TrackHAR is installed from npm, once, into bench/out/trackhar:

    npm install --prefix bench/out/trackhar trackhar@1.0.0

Usage: python bench/har.py [--entries 20000] [--repeat 3] [--out bench/out]
Exit status: 0 targets met, 1 a target missed, 2 a run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from itertools import cycle, islice
from pathlib import Path

from run import Cold, Measurement, MeasurementFailed, Run, audit_command, measure_once, measured_environment

HERE = Path(__file__).resolve().parent
EXTERNAL = HERE.parent / "tests" / "corpus" / "external"
SMALL = 16

# TrackHAR's documented use (its README): read, JSON.parse, process(); one result per request.
TRACKHAR_RUN = """\
const { readFile } = require('fs/promises');
const { process: processHar } = require(process.argv[2]);
(async () => {
    const har = JSON.parse(await readFile(process.argv[3], 'utf-8'));
    const results = await processHar(har);
    console.log(JSON.stringify({ requests: results.length, handled: results.filter((r) => r).length }));
})();
"""

DECLARATION = "# Written by bench/har.py: declares nothing, so every recipient is audited.\nrecipients: []\n"


def real_entries() -> list[object]:
    """Every entry of every real HAR export in tests/corpus/external, in path order."""
    entries: list[object] = []
    for path in sorted(EXTERNAL.glob("*/capture.har")):
        entries.extend(json.loads(path.read_text(encoding="utf-8-sig"))["log"]["entries"])
    return entries


def write_har(path: Path, entries: list[object]) -> None:
    log = {"version": "1.2", "creator": {"name": "flowaudit bench/har.py", "version": "1"}, "entries": entries}
    path.write_text(json.dumps({"log": log}), encoding="utf-8")


def ijson_backend() -> str:
    """The backend flowaudit's HAR reader gets (``yajl2_c``: entries built in C)."""
    found = subprocess.run([sys.executable, "-c", "import ijson; print(ijson.backend)"], capture_output=True, text=True)
    return found.stdout.strip() or f"unknown ({found.stderr.strip()})"


def trackhar_command(script: Path, trackhar: Path, har: Path) -> list[str]:
    """TrackHAR's run (``TRACKHAR_RUN``, written to ``script``) of ``har``."""
    return ["node", str(script), str(trackhar.resolve()), str(har)]


def what_each_did(trackhar: list[str], har: Path, declaration: Path, out: Path, env: dict[str, str]) -> dict[str, int]:
    """How many requests each tool read and how many it decoded, from one untimed run of each:
    the two do not do the same work, and the ratios are read with it. TrackHAR's run prints
    its counts (``TRACKHAR_RUN``); flowaudit's are in its JSON report, whose recipients are the
    requests' (a platform's traffic, which flowaudit does not decode, is listed apart)."""
    ran = subprocess.run(trackhar, capture_output=True, text=True, env=env)
    if ran.returncode != 0:
        raise MeasurementFailed(f"`{' '.join(trackhar)}` exited {ran.returncode}:\n{ran.stderr}")
    counts = json.loads(ran.stdout)
    report = out / "har-report.json"
    measure_once(audit_command(har, declaration, None, str(report)), env)
    result = json.loads(report.read_text(encoding="utf-8"))
    recipients = result["recipients"]
    return {
        "trackhar_requests": counts["requests"],
        "trackhar_decoded": counts["handled"],
        "flowaudit_requests": result["summary"]["flows"],
        "flowaudit_decoded": sum(r["flows"] for r in recipients if r["party"] != "first"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    big, small = args.out / f"real-{args.entries}.har", args.out / f"real-{SMALL}.har"
    if args.write_only:
        entries = real_entries()
        write_har(big, list(islice(cycle(entries), args.entries)))
        write_har(small, entries[:SMALL])
        print(f"{big}: {args.entries} entries from {len(entries)} real ones ({big.stat().st_size / 2**20:.1f} MiB)")
        return 0
    trackhar = args.out / "trackhar" / "node_modules" / "trackhar"
    if not trackhar.is_dir():
        print(f"bench: TrackHAR is not installed: npm install --prefix {args.out / 'trackhar'} trackhar@1.0.0")
        return 2
    # Written by a child process: a child started from this one would start with this
    # one's memory in its peak RSS (Linux counts what a process had when it was forked).
    write = [sys.executable, __file__, "--entries", str(args.entries), "--out", str(args.out), "--write-only"]
    subprocess.run(write, check=True)

    declaration = args.out / "har-declaration.yml"
    declaration.write_text(DECLARATION, encoding="utf-8")
    script = args.out / "trackhar-run.js"
    script.write_text(TRACKHAR_RUN, encoding="utf-8")
    env = measured_environment(args.out / "cache")
    commands: dict[tuple[str, Path], list[str] | Cold] = {}
    for har in (big, small):
        commands[("TrackHAR process()", har)] = trackhar_command(script, trackhar, har)
        commands[("flowaudit check", har)] = audit_command(har, declaration, None)
        commands[("flowaudit check --jobs 0", har)] = audit_command(har, declaration, 0)
    commands[("flowaudit check, empty cache", small)] = Cold(audit_command(small, declaration, None))
    print(f"ijson backend: {ijson_backend()}")
    try:
        for command in commands.values():  # warm-up: bytecode, the rules cache, the disk cache
            if not isinstance(command, Cold):
                measure_once(command, env)
        runs: dict[tuple[str, Path], list[Run]] = {key: [] for key in commands}
        for round_ in range(1, args.repeat + 1):
            print(f"round {round_}/{args.repeat} ...", flush=True)
            for key, command in commands.items():
                runs[key].append(measure_once(command, env))
    except MeasurementFailed as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    try:
        work = what_each_did(trackhar_command(script, trackhar, big), big, declaration, args.out, env)
    except MeasurementFailed as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    count = {big: args.entries, small: SMALL}
    measurements = {key: Measurement(key[0], count[key[1]], key[1].stat().st_size, tuple(r)) for key, r in runs.items()}
    print(f"\n{'measurement':<32}{'entries':>8}{'best s':>9}{'CPU s':>8}{'entries/s':>11}{'peak RSS MiB':>14}")
    for m in measurements.values():
        print(
            f"{m.name:<32}{m.flows:>8}{m.best_seconds:>9.2f}{m.best_cpu_seconds:>8.2f}"
            f"{m.flows_per_second:>11.0f}{m.peak_rss_mib:>14.1f}"
        )
    print(f"(best of {args.repeat} whole-process runs, start-up included; RSS: highest)\n")
    verdict = True
    ratios: dict[str, float] = {}
    for har in (big, small):
        trackhar = measurements[("TrackHAR process()", har)]
        names = ["flowaudit check", "flowaudit check --jobs 0"]
        names += ["flowaudit check, empty cache"] if har == small else []
        for name in names:
            ratio = measurements[(name, har)].best_seconds / trackhar.best_seconds
            cpu = measurements[(name, har)].best_cpu_seconds / trackhar.best_cpu_seconds
            ratios[f"{name} / TrackHAR, {count[har]} entries"] = ratio
            ratios[f"{name} / TrackHAR, {count[har]} entries, CPU"] = cpu
            target = name == "flowaudit check"
            met = ratio <= 1.0
            verdict &= met or not target
            print(f"{name} / TrackHAR, {count[har]} entries: time ratio {ratio:.2f}, CPU {cpu:.2f}", end="")
            print(f" (target: time <= 1.0) {'PASS' if met else 'FAIL'}" if target else " (no target)")
    # flowaudit's HAR reader skips an entry that names no network request (flowaudit.inputs.har)
    skipped = work["trackhar_requests"] - work["flowaudit_requests"]
    print(
        f"\nwhat each did on the {args.entries}-entry HAR: TrackHAR decoded the {work['trackhar_decoded']} requests"
        f" its adapters know ({work['trackhar_decoded'] / work['trackhar_requests']:.1%} of"
        f" {work['trackhar_requests']} entries) and passed over the rest; flowaudit read all"
        f" {work['flowaudit_requests']} requests"
        + (f" (the other {skipped} entries name none: a data: or blob: URL, or no usable URL)" if skipped else "")
        + ", found each one's recipient and consent signals, and decoded the payloads of the"
        f" {work['flowaudit_decoded']} sent to third or unknown parties (and of any plain-HTTP first-party one)"
    )
    for name, decoded in (("TrackHAR process()", "trackhar_decoded"), ("flowaudit check", "flowaudit_decoded")):
        if work[decoded]:  # (a small HAR may hold no request an adapter knows)
            seconds = measurements[(name, big)].best_seconds
            print(f"{name}: {1e6 * seconds / work[decoded]:.0f} us of its best time a request decoded")
    print(f"verdict: {'PASS' if verdict else 'FAIL'}")
    results = {
        "entries": args.entries,
        "measurements": [m.summary() for m in measurements.values()],
        "time_ratios": {k: round(v, 3) for k, v in ratios.items()},
        "work": work,
        "load_average": os.getloadavg(),
        "ijson_backend": ijson_backend(),
        "verdict": "pass" if verdict else "fail",
    }
    (args.out / "har-results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
