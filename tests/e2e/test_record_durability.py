"""A recording killed with SIGKILL keeps every flow that completed before the kill."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from flowaudit.inputs.flowfile import read_flow_file
from flowaudit.inputs.stream import HashingReader

from .conftest import PYTHON, Netns, flowaudit_argv, wait_for, wait_listening

# Sends requests one after the other until the proxy goes away, printing the
# id of each request as soon as its response has arrived: the ground truth
# of what "completed" means.
CLIENT = """
import sys, requests
session = requests.Session()
for n in range(1, 100000):
    try:
        r = session.post(f"https://api.segment.io/v1/track?n={n}", json={"userId": "user-4242", "n": n}, timeout=10)
    except requests.RequestException:
        break
    print(n, r.status_code, flush=True)
"""


def test_sigkill_mid_run_keeps_every_completed_flow(netns: Netns, tmp_path: Path) -> None:
    capture = tmp_path / "killed.mitm"
    log = tmp_path / "record.log"
    recorder = netns.popen(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "--port", "0", "-w", capture),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    address = wait_listening(log, recorder)
    env = netns.env(HTTPS_PROXY=f"http://{address}", REQUESTS_CA_BUNDLE=str(netns.ca_cert))
    client = netns.popen([PYTHON, "-c", CLIENT], env=env, stdout=subprocess.PIPE, text=True)
    assert client.stdout is not None
    completed: list[int] = []
    # Kill in the middle of the traffic, once a good number of flows completed.
    for line in client.stdout:
        completed.append(int(line.split()[0]))
        if len(completed) == 40:
            recorder.send_signal(signal.SIGKILL)
            break
    recorder.wait(timeout=30)
    for line in client.stdout:  # responses that were already on their way
        completed.append(int(line.split()[0]))
    client.wait(timeout=60)
    assert recorder.returncode == -signal.SIGKILL

    recorded, problem = _read(capture)
    # Every request whose response the client got is in the capture, in order;
    # at most the flow being written at the instant of the kill is cut short.
    assert completed and completed == list(range(1, len(completed) + 1))
    assert recorded[: len(completed)] == completed
    assert len(recorded) <= len(completed) + 1
    assert problem is None or problem.startswith("truncated")


def test_flows_are_on_disk_while_recording(netns: Netns, tmp_path: Path) -> None:
    """Flushed per flow: a reader sees each flow as soon as its response is back, not at the end."""
    capture = tmp_path / "live.mitm"
    log = tmp_path / "record.log"
    recorder = netns.popen(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "--port", "0", "-w", capture),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    address = wait_listening(log, recorder)
    for n in (1, 2, 3):
        curl = netns.run(
            [
                "curl",
                "-sS",
                "-x",
                f"http://{address}",
                "--cacert",
                str(netns.ca_cert),
                f"https://api.segment.io/p?n={n}",
            ]
        )
        assert curl.returncode == 0, curl.stderr
        recorded, problem = _read(capture)
        assert (recorded, problem) == (list(range(1, n + 1)), None)
    time.sleep(0.1)
    recorder.send_signal(signal.SIGTERM)
    wait_for(lambda: recorder.poll() is not None, "the recorder to stop")


def _read(capture: Path) -> tuple[list[int], str | None]:
    """The ``n`` of each recorded request, and why reading stopped early (None: it did not)."""
    with capture.open("rb") as raw:
        reading = read_flow_file(HashingReader(raw), str(capture))
        ns: list[int] = []
        while True:
            try:
                observation = next(reading)
            except StopIteration as end:
                return ns, end.value
            ns.append(int(observation.path.split("n=")[1]))
