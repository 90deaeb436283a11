"""Capture files crafted for the report tests, written with mitmproxy's own
API (as ``mitmdump -w`` would write them) so they go through the real
``flowaudit check``: readers, engine, redaction, reporters.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from mitmproxy import connection, http
from mitmproxy.io import FlowWriter

from flowaudit.captureformat import PHASE_KEY
from flowaudit.reporters import REPORTERS

from ..resultschema import valid_result_text
from .results import HOSTILE

START = 1_795_000_000.0


def flow(
    url: str,
    *,
    method: str = "POST",
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    path: str | None = None,
    host: str | None = None,
    phase: str | None = None,
    n: int = 0,
) -> http.HTTPFlow:
    request = http.Request.make(method, url, body, dict(headers) if headers else {})
    # Raw path and host: what a crafted capture can hold, which no URL parser would accept.
    if path is not None:
        request.path = path
    if host is not None:
        request.host = host
    request.timestamp_start = request.timestamp_end = START + n
    client = connection.Client(
        peername=("10.0.2.15", 40000 + n), sockname=("10.0.2.2", 8080), timestamp_start=START + n
    )
    server = connection.Server(address=(request.host, request.port))
    f = http.HTTPFlow(client, server)
    f.request = request
    f.response = http.Response.make(204, b"", {})
    f.response.timestamp_start = f.response.timestamp_end = START + n
    if phase is not None:
        f.metadata[PHASE_KEY] = phase
    return f


def write(path: Path, flows: Iterable[http.HTTPFlow]) -> Path:
    with path.open("wb") as out:
        writer = FlowWriter(out)
        for f in flows:
            writer.add(f)
    return path


def hostile_capture(path: Path) -> Path:
    """Script, markup, ``javascript:`` URLs and direction tricks in URLs,
    headers, bodies, host names, event names and phase names."""
    evil = " ".join(HOSTILE)
    flows = []
    for n, payload in enumerate(HOSTILE, 1):
        flows.append(
            flow(
                "https://api.mixpanel.com/track",
                path=f"/track?event={payload}&redirect=javascript:document.title='PWNED-query'",
                headers=[
                    ("User-Agent", payload.replace("\r", "").replace("\n", "")),
                    ("X-Event", "<script>document.title='PWNED-header'</script>"),
                ],
                body=(
                    'data=[{"event": "' + payload.replace('"', '\\"') + '", "properties": {"$email": '
                    '"jane.doe@example.com", "note": "' + evil.replace('"', "'") + '"}}]'
                ).encode(),
                phase=payload,
                n=n,
            )
        )
    # Host names no catalog knows, holding markup and direction overrides.
    for n, host in enumerate(
        (
            "<script>document.title='pwned-host'</script>.evil.example",
            "moc.elgoog\u202e.evil.example",
            "\"><img src=x onerror=document.title='pwned-host2'>.evil.example",
            "аpple.com",
        ),
        100,
    ):
        flows.append(
            flow(
                "http://placeholder.example/collect?q=1",
                host=host,
                body=b"x=<b>1</b>",
                n=n,
                phase="<img src=x onerror=document.title='pwned-phase'>",
            )
        )
    return write(path, flows)


def run_flowaudit(
    *args: object, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m flowaudit ARGS`` as a user runs it: its own process, a
    plain environment (no GitHub Actions variables unless given)."""
    return subprocess.run(
        [sys.executable, "-m", "flowaudit", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def check_every_format(capture: Path, out: Path, *extra: object) -> dict[str, str]:
    """``flowaudit check CAPTURE --format <each> -o OUT --fail-on never EXTRA...``: every file it wrote, by name."""
    formats = [a for fmt in sorted(REPORTERS) for a in ("--format", fmt)]
    run = run_flowaudit("check", capture, *formats, "-o", out, "--fail-on", "never", *extra)
    assert run.returncode == 0, run.stderr
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert len(files) == len(REPORTERS)
    valid_result_text(files["flowaudit.json"])
    return files
