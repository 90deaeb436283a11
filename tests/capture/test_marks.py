"""`flowaudit mark` finds the running recorder through its registration and
sets the phase over the loopback control endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowaudit.capture.addon import ControlEndpoint, recorders_dir
from flowaudit.capture.marks import mark, running_recorders
from flowaudit.errors import FlowauditError


@pytest.fixture(autouse=True)
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLOWAUDIT_RUNTIME_DIR", str(tmp_path / "runtime"))
    return tmp_path / "runtime"


class Endpoint:
    """A control endpoint served by an event loop in a thread, as inside a proxy."""

    def __init__(self, capture: str) -> None:
        self.marks: list[tuple[str, str]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.endpoint = ControlEndpoint(self._on_mark)
        self._call(self.endpoint.start({"capture": capture, "app": "Acme"}))

    def _on_mark(self, name: str, via: str) -> dict[str, Any]:
        self.marks.append((name, via))
        return {"phase": name, "records": 7}

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def close(self) -> None:
        self._call(self.endpoint.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint("/captures/acme.mitm")
    yield e
    e.close()


def test_mark_reaches_the_running_recorder(endpoint: Endpoint, runtime: Path) -> None:
    [registration] = (runtime / "recorders").glob("*.json")
    assert registration.stat().st_mode & 0o077 == 0  # the token is readable by this user only
    marked = mark("consent-granted")
    assert endpoint.marks == [("consent-granted", "command")]
    assert (marked.phase, marked.recorder.capture, marked.recorder.pid) == (
        "consent-granted",
        "/captures/acme.mitm",
        os.getpid(),
    )


def test_registration_is_removed_when_recording_stops(runtime: Path) -> None:
    e = Endpoint("/captures/acme.mitm")
    assert len(running_recorders()) == 1
    e.close()
    assert running_recorders() == []


def test_a_wrong_token_is_refused(endpoint: Endpoint) -> None:
    [recorder] = running_recorders()
    with socket.create_connection((recorder.host, recorder.port), timeout=5) as conn:
        conn.sendall(json.dumps({"token": "guess", "mark": "consent-granted"}).encode() + b"\n")
        reply = json.loads(conn.makefile("rb").readline())
    assert reply == {"ok": False, "error": "wrong token"}
    assert endpoint.marks == []


def test_registrations_of_dead_recorders_are_ignored_and_removed(endpoint: Endpoint) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = recorders_dir() / f"{dead.stdout.strip()}.json"
    stale.write_text(json.dumps({"pid": int(dead.stdout), "control": ["127.0.0.1", 9], "token": "t"}))
    assert [r.pid for r in running_recorders()] == [os.getpid()]
    assert not stale.exists()


def test_several_recordings_need_a_pid(endpoint: Endpoint) -> None:
    # A second live registration (our parent process stands in for another recorder).
    other = recorders_dir() / f"{os.getppid()}.json"
    other.write_text(json.dumps({"pid": os.getppid(), "control": ["127.0.0.1", 9], "token": "t", "capture": "b.mitm"}))
    with pytest.raises(FlowauditError, match="several recordings are running") as e:
        mark("consent-granted")
    assert "--pid" in str(e.value) and "b.mitm" in str(e.value)
    mark("consent-granted", pid=os.getpid())
    assert endpoint.marks == [("consent-granted", "command")]


def test_no_recording(runtime: Path) -> None:
    with pytest.raises(FlowauditError, match="no recording is running") as e:
        mark("consent-granted")
    assert "http://flowaudit.invalid/mark/NAME" in str(e.value)


def test_unknown_pid(endpoint: Endpoint) -> None:
    with pytest.raises(FlowauditError, match="no recording with pid 1 is running"):
        mark("consent-granted", pid=1)
