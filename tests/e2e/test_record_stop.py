"""A recorder stopped under load exits cleanly (issue 15, item 8): real
``flowaudit record``, real HTTPS clients on loopback (in a network namespace).

SIGTERM while clients hold connections: one line says what happened, no
traceback, and every flow a client got an answer for is in the capture. A
disk that fills up (simulated with RLIMIT_FSIZE: writes past the limit fail
with EFBIG, as they fail with ENOSPC on a full disk; both reach the recorder
as the same OSError): one line says so, and a flow whose write failed is
never answered to its client as if it had been recorded.
"""

from __future__ import annotations

import resource
import signal
import subprocess
from pathlib import Path

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
    stopped = [line for line in err.splitlines() if "SIGTERM" in line]
    assert len(stopped) == 1, err
    assert answered and answered <= _recorded(capture)


def test_a_full_disk_stops_recording_with_one_line_and_no_flow_answered_unrecorded(
    netns: Netns, tmp_path: Path
) -> None:
    capture = tmp_path / "full.mitm"
    limit = 256 * 1024  # the "disk" holds this much of the capture

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    recorder, clients, log = _load(netns, tmp_path, capture, preexec_fn=small_disk)
    code = recorder.wait(timeout=120)
    answered = _answered(clients)
    err = log.read_text()
    assert code == 2, err
    assert "Traceback" not in err and "Task exception" not in err, err
    assert [line for line in err.splitlines() if "File too large" in line] == [
        f"flowaudit: error: cannot write the capture {capture}: File too large"
    ], err  # one line says what happened
    recorded = _recorded(capture)
    assert answered, "the clients got answers before the disk filled"
    assert answered <= recorded, sorted(answered - recorded)  # nothing answered that is not on disk
    assert capture.stat().st_size <= limit
