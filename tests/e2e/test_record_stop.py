"""A recorder stopped under load exits cleanly (issue 15, item 8): real
``flowaudit record``, real HTTPS clients on loopback (in a network namespace).

SIGTERM while clients hold connections: one line says what happened, no
traceback, and every flow a client got an answer for is in the capture. A
disk that fills up (a real one: a 256 KiB tmpfs mounted for the test; and
RLIMIT_FSIZE, whose writes past the limit fail with EFBIG as a full disk's fail
with ENOSPC): one line says so, and a flow whose write failed is never
answered to its client as if it had been recorded.
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowaudit.inputs.flowfile import read_flow_file
from flowaudit.inputs.stream import HashingReader

from .conftest import PYTHON, Netns, flowaudit_argv, wait_listening

CLIENTS = 8
# Each client sends requests on its own connection until the proxy goes away,
# printing "client n status" once each answer has arrived: what "completed" means.
CLIENT = """
import sys, requests
me = sys.argv[1]
session = requests.Session()
for n in range(1, 100000):
    try:
        r = session.post(f"https://api.segment.io/v1/track?c={me}&n={n}", json={"n": n, "pad": "x" * 2000}, timeout=10)
    except requests.RequestException:
        break
    print(me, n, r.status_code, flush=True)
"""


def _recorded(capture: Path) -> set[str]:
    with capture.open("rb") as raw:
        observations = read_flow_file(HashingReader(raw), str(capture))
        found = set()
        while True:
            try:
                o = next(observations)
            except StopIteration:
                break
            found.add(o.path.partition("?")[2])
    return found


def _load(netns: Netns, tmp_path: Path, capture: Path, **popen: object) -> tuple[subprocess.Popen[str], list, Path]:
    log = tmp_path / "record.log"
    recorder = netns.popen(
        flowaudit_argv(
            "record", "--confdir", netns.confdir, "--sinkhole", "all", "--port", "0", "-w", capture, "--no-audit"
        ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        **popen,
    )
    address = wait_listening(log, recorder)
    env = netns.env(HTTPS_PROXY=f"http://{address}", REQUESTS_CA_BUNDLE=str(netns.ca_cert))
    clients = [
        netns.popen([PYTHON, "-c", CLIENT, str(c)], env=env, stdout=subprocess.PIPE, text=True) for c in range(CLIENTS)
    ]
    return recorder, clients, log


def _after_banner(err: str) -> list[str]:
    """What the recorder printed after its banner (which ends with how to stop it)."""
    lines = err.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("  stop: "))
    return lines[stop + 1 :]


def _answered(clients: list) -> set[str]:
    done = set()
    for client in clients:
        out, _ = client.communicate(timeout=60)
        done.update(f"c={c}&n={n}" for c, n, status in (line.split() for line in out.splitlines()) if status == "200")
    return done


def test_sigterm_under_load_prints_one_line_and_keeps_every_answered_flow(netns: Netns, tmp_path: Path) -> None:
    capture = tmp_path / "load.mitm"
    recorder, clients, log = _load(netns, tmp_path, capture)
    first = clients[0].stdout
    assert first is not None
    for _ in range(30):  # well under way, every client connected
        first.readline()
    recorder.send_signal(signal.SIGTERM)
    assert recorder.wait(timeout=60) == 0
    answered = _answered(clients)
    err = log.read_text()
    assert "Traceback" not in err and "Task exception" not in err and "Exception in callback" not in err, err
    said = _after_banner(err)  # nothing but what happened and what was kept
    assert said[0] == "flowaudit: SIGTERM received: stopping; every completed flow is kept", err
    kept = rf"flowaudit: recorded \d+ requests into {re.escape(str(capture))}"
    assert len(said) == 2 and re.fullmatch(kept, said[1]), err
    assert answered and answered <= _recorded(capture)


LIMIT = 256 * 1024  # the "disk" holds this much of the capture


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real file system that fills up: a tmpfs of LIMIT bytes, mounted for this test alone."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={LIMIT}", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _fsize_limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.mark.parametrize("disk", ["tmpfs", "rlimit"])
def test_a_full_disk_stops_recording_with_one_line_and_no_flow_answered_unrecorded(
    netns: Netns, tmp_path: Path, request: pytest.FixtureRequest, disk: str
) -> None:
    popen: dict[str, object] = {}
    if disk == "tmpfs":
        capture, why = request.getfixturevalue("small_tmpfs") / "full.mitm", "No space left on device"
    else:
        capture, why = tmp_path / "full.mitm", "File too large"
        popen["preexec_fn"] = _fsize_limit
    recorder, clients, log = _load(netns, tmp_path, capture, **popen)
    code = recorder.wait(timeout=120)
    answered = _answered(clients)
    err = log.read_text()
    assert code == 2, err
    assert "Traceback" not in err and "Task exception" not in err, err
    said = _after_banner(err)  # one line says what happened (and how much was kept, and where)
    assert [line for line in said if line.startswith("flowaudit: error")] == [
        f"flowaudit: error: cannot write the capture {capture}: {why}"
    ], err
    assert len(said) == 3 and re.fullmatch(r"flowaudit: recorded \d+ requests into .*", said[0]), err
    assert said[2] == f"  hint: the capture up to that point is in {capture}", err
    recorded = _recorded(capture)
    assert answered, "the clients got answers before the disk filled"
    assert answered <= recorded, sorted(answered - recorded)  # nothing answered that is not on disk
    assert capture.stat().st_size <= LIMIT
