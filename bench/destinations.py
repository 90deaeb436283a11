"""Peak memory and report size of ``flowaudit check`` when every flow goes to a
different host (issue 15, item 10).

``bench/many_destinations.py`` writes the captures (N flows and N/10 flows,
each flow to a host of its own); each format is then written by a fresh
``flowaudit check`` process (as a user runs it, and with ``--jobs 0``), whose
peak RSS (``os.wait4``, see ``run.py``) and output size are recorded.

Targets: the peak RSS at N is at most 3 times that at N/10 (what varies,
the destinations, grows 10 times), and no human report (text, HTML,
Markdown) is more than 3 times as large at N as at N/10: they list a
bounded number of rows per section.

Usage: python bench/destinations.py [--flows 100000] [--out bench/out]
Exit status: 0 targets met, 1 a target missed, 2 a run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from run import MeasurementFailed, Run, measure_once, measured_environment

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "many_destinations.py"
FORMATS = {"json": "json", "html": "html", "text": "txt", "sarif": "sarif", "junit": "xml", "markdown": "md", "csv": "csv"}
HUMAN = ("text", "html", "markdown")
MEMORY_RATIO = 3.0
SIZE_RATIO = 3.0


def ensure_capture(out: Path, flows: int) -> Path:
    """The capture of ``flows`` flows, written once (by a child, so this process stays small)."""
    folder = out / f"destinations-{flows}"
    path = folder / "capture.mitm"
    if not path.exists() or path.stat().st_mtime < GENERATOR.stat().st_mtime:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating {flows} flows into {path} ...", flush=True)
        subprocess.run([sys.executable, str(GENERATOR), str(path), "--flows", str(flows)], check=True)
    return path


def check_command(capture: Path, fmt: str, output: Path, jobs: int | None) -> list[str]:
    return [
        sys.executable, "-m", "flowaudit", "check", str(capture), "--declared", str(capture.parent / "flowaudit.yml"),
        "--format", fmt, "-o", str(output), "--fail-on", "never", *(["--jobs", str(jobs)] if jobs is not None else []),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (default: all)")
    parser.add_argument("--jobs0", action="store_true", help="also measure --jobs 0 (one process)")
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    env = measured_environment(args.out / "cache")
    sizes = (args.flows // 10, args.flows)
    captures = {n: ensure_capture(args.out, n) for n in sizes}
    modes: tuple[int | None, ...] = (None, 0) if args.jobs0 else (None,)
    rows: list[dict[str, object]] = []
    try:
        for fmt in formats:
            for jobs in modes:
                for n in sizes:
                    output = captures[n].parent / f"report.{FORMATS[fmt]}"
                    run: Run = measure_once(check_command(captures[n], fmt, output, jobs), env)
                    row = {"format": fmt, "jobs": jobs, "flows": n, "peak_rss_mib": run.peak_rss_mib,
                           "seconds": run.seconds, "output_bytes": output.stat().st_size}  # fmt: skip
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    except MeasurementFailed as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    verdict = True
    print(f"\n{'format':<10}{'jobs':>6}{'flows':>9}{'peak RSS MiB':>14}{'output':>14}{'seconds':>9}")
    for r in rows:
        jobs = "0" if r["jobs"] == 0 else "auto"
        print(f"{r['format']:<10}{jobs:>6}{r['flows']:>9}{r['peak_rss_mib']:>14}{r['output_bytes']:>14,}{r['seconds']:>9}")
    for fmt in formats:
        for jobs in modes:
            small, big = (next(r for r in rows if r["format"] == fmt and r["jobs"] == jobs and r["flows"] == n) for n in sizes)
            memory = float(big["peak_rss_mib"]) / float(small["peak_rss_mib"])  # type: ignore[arg-type]
            ok = memory <= MEMORY_RATIO
            line = f"{fmt} (jobs {jobs if jobs is not None else 'auto'}): peak RSS ratio {memory:.2f} (<= {MEMORY_RATIO})"
            if fmt in HUMAN:
                size = int(big["output_bytes"]) / max(1, int(small["output_bytes"]))  # type: ignore[call-overload]
                ok &= size <= SIZE_RATIO
                line += f", output size ratio {size:.2f} (<= {SIZE_RATIO})"
            verdict &= ok
            print(f"{line} {'PASS' if ok else 'FAIL'}")
    print(f"verdict: {'PASS' if verdict else 'FAIL'}")
    results = {"flows": args.flows, "rows": rows, "load_average": os.getloadavg(), "verdict": "pass" if verdict else "fail"}
    (args.out / "destinations-results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
