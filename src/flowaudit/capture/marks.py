"""``flowaudit mark NAME``: set the phase of a recording running in another terminal.

Each running recorder (``flowaudit record``, or mitmproxy with the addon)
registers a loopback control endpoint in a file of the private runtime
folder (:func:`~flowaudit.capture.addon.recorders_dir`); this module finds
the recorder there and asks it to start the phase. The answer comes back
once the phase is in force, so a flow the app sends after ``mark`` returns
is in the new phase.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowaudit.capture.addon import recorders_dir, valid_phase
from flowaudit.captureformat import MARK_PATH, RESERVED_HOST
from flowaudit.errors import FlowauditError

TIMEOUT = 5.0


@dataclass(frozen=True)
class RunningRecorder:
    pid: int
    capture: str
    app: str
    host: str
    port: int
    token: str


@dataclass(frozen=True)
class Marked:
    phase: str
    recorder: RunningRecorder


def running_recorders(folder: Path | None = None) -> list[RunningRecorder]:
    """The recorders registered and still alive; files of dead ones are removed."""
    folder = folder or recorders_dir()
    found: list[RunningRecorder] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        recorder = _read(path)
        if recorder is None:
            continue
        if _alive(recorder.pid):
            found.append(recorder)
        else:
            path.unlink(missing_ok=True)
    return found


def mark(name: str, pid: int | None = None) -> Marked:
    """Start phase ``name`` in the one running recording (or the one with ``pid``)."""
    try:
        valid_phase(name)
    except ValueError as e:
        raise FlowauditError(str(e)) from e
    recorder = _choose(running_recorders(), pid)
    reply = _ask(recorder, {"token": recorder.token, "mark": name})
    if not reply.get("ok"):
        raise FlowauditError(f"the recording (pid {recorder.pid}) refused the marker: {reply.get('error')}")
    return Marked(phase=name, recorder=recorder)


def _choose(recorders: list[RunningRecorder], pid: int | None) -> RunningRecorder:
    if pid is not None:
        for recorder in recorders:
            if recorder.pid == pid:
                return recorder
        raise FlowauditError(f"no recording with pid {pid} is running", hint=_listing(recorders))
    if not recorders:
        raise FlowauditError(
            f"no recording is running (looked in {recorders_dir()})",
            hint=(
                "start one with `flowaudit record`, or set a phase through the proxy with a request to "
                f"http://{RESERVED_HOST}{MARK_PATH}NAME"
            ),
        )
    if len(recorders) > 1:
        raise FlowauditError("several recordings are running", hint=_listing(recorders) + "; choose one with --pid")
    return recorders[0]


def _listing(recorders: list[RunningRecorder]) -> str:
    if not recorders:
        return "none is running"
    return "running: " + ", ".join(f"pid {r.pid} ({r.capture})" for r in recorders)


def _ask(recorder: RunningRecorder, request: dict[str, Any]) -> dict[str, Any]:
    try:
        with socket.create_connection((recorder.host, recorder.port), timeout=TIMEOUT) as conn:
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = conn.makefile("rb").readline()
    except OSError as e:
        raise FlowauditError(
            f"cannot reach the recording (pid {recorder.pid}) at {recorder.host}:{recorder.port}: {e.strerror or e}"
        ) from e
    try:
        answer = json.loads(reply)
    except ValueError as e:
        raise FlowauditError(f"the recording (pid {recorder.pid}) gave no answer") from e
    return answer if isinstance(answer, dict) else {"ok": False, "error": "unexpected answer"}


def _read(path: Path) -> RunningRecorder | None:
    """A registration file, or None for one being written or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        host, port = data["control"]
        return RunningRecorder(
            pid=int(data["pid"]),
            capture=str(data.get("capture", "?")),
            app=str(data.get("app", "")),
            host=str(host),
            port=int(port),
            token=str(data["token"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate it there; a dead one fails to answer instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
