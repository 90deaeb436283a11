"""Peak memory of an audit of one request with a large body, as a multiple of the body's size.

A capture holds a request body in full (an upload, a bundled batch of
events), and the audit must read it without holding it several times over.
This writes three captures of one POST whose JSON body is ``--mib`` MiB (a
mitmproxy flow file, a HAR with the body as text, a HAR with it base64),
audits each with ``flowaudit check --jobs 0`` in a fresh process, and prints
peak RSS (``ru_maxrss`` of the audit alone) beside that of a one-request
capture of the same shape with a tiny body, the start-up floor:

    python bench/bigbody.py --mib 200

The body ends with an e-mail address past every size bound, so the run
also shows that the end of a large body is still read. Files go to
``bench/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path

from mitmproxy import io
from mitmproxy.test import tflow

OUT = Path(__file__).parent / "out"
MIB = 1024 * 1024
URL = "https://api.mixpanel.com/track"
TAIL = b'", "email": "jane.doe@example.com"}'


def body(size: int) -> bytes:
    """A JSON object of ``size`` bytes: a long text field, then an e-mail address at the very end."""
    head = b'{"event": "upload", "blob": "'
    filler = size - len(head) - len(TAIL)
    pattern = b"lorem ipsum dolor sit amet consectetur adipiscing elit "
    return head + (pattern * (filler // len(pattern) + 1))[:filler] + TAIL


def flow_file(path: Path, content: bytes) -> None:
    flow = tflow.tflow(resp=True)
    flow.request.url = URL
    flow.request.method = "POST"
    flow.request.headers["content-type"] = "application/json"
    flow.request.content = content
    with path.open("wb") as out:
        io.FlowWriter(out).add(flow)


def har(path: Path, content: bytes, encoded: bool) -> None:
    post = {"mimeType": "application/json", "text": ""}
    if encoded:
        post["encoding"] = "base64"
    entry = {
        "startedDateTime": "2024-05-01T10:00:00Z",
        "request": {"method": "POST", "url": URL, "headers": [], "postData": post},
        "response": {"status": 200},
    }
    before, after = json.dumps({"log": {"version": "1.2", "entries": [entry]}}).split('"text": ""')
    with path.open("wb") as out:
        out.write(before.encode() + b'"text": "')
        # The body is ASCII without backslashes or control characters: only its quotes need escaping.
        out.write(base64.b64encode(content) if encoded else content.replace(b'"', b'\\"'))
        out.write(b'"' + after.encode())


# Runs flowaudit's command line, then reports the process's own high-water mark
# (VmHWM): ru_maxrss would also count what the parent held when it started it.
_MEASURED = """
import runpy, sys
sys.argv = ["flowaudit", *sys.argv[1:]]
try:
    runpy.run_module("flowaudit", run_name="__main__")
finally:
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
    print("peak-kib", hwm, file=sys.__stderr__)
"""


def peak_kib(path: Path) -> tuple[int, str]:
    """Peak RSS (KiB) of ``flowaudit check`` on ``path``, and whether the e-mail at the end was found."""
    report = path.with_suffix(".json")
    command = [sys.executable, "-c", _MEASURED, "check", str(path), "--jobs", "0", "--fail-on", "never"]
    run = subprocess.run([*command, "--format", "json", "-o", str(report)], capture_output=True, text=True)
    said = [line.split() for line in run.stderr.splitlines() if line.startswith("peak-kib ")]
    if run.returncode not in (0, 1) or not said:
        sys.exit(f"flowaudit failed on {path}:\n{run.stderr}")
    found = "found" if "contact.email" in report.read_text() else "missed"
    return int(said[0][1]), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200, help="body size in MiB (default 200)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    size = args.mib * MIB
    rows = []
    for label, suffix, write in (
        ("flow file", "mitm", lambda p, c: flow_file(p, c)),
        ("HAR, text", "har", lambda p, c: har(p, c, encoded=False)),
        ("HAR, base64", "har", lambda p, c: har(p, c, encoded=True)),
    ):
        stem = label.replace(" ", "").replace(",", "-")
        small, large = OUT / f"bigbody-{stem}-small.{suffix}", OUT / f"bigbody-{stem}-{args.mib}.{suffix}"
        if not small.exists():
            write(small, body(1024))
        if not large.exists():
            write(large, body(size))
        floor, _ = peak_kib(small)
        peak, found = peak_kib(large)
        rows.append((label, floor, peak, (peak - floor) * 1024 / size, found))
    print(f"| capture ({args.mib} MiB body) | floor MiB | peak MiB | (peak - floor) / body | e-mail at the end |")
    print("|---|---|---|---|---|")
    for label, floor, peak, ratio, found in rows:
        print(f"| {label} | {floor // 1024} | {peak // 1024} | {ratio:.2f} | {found} |")


if __name__ == "__main__":
    main()
