"""Phase markers set the three ways (``flowaudit mark`` from another terminal,
a key press in the recording terminal, a request to the marker URL) land on
the right flows; the live view shows the recipients as they come."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import threading
from pathlib import Path

from mitmproxy import io as mio

from flowaudit.capture import addon_path
from flowaudit.captureformat import MARKER_KEY

from .conftest import (
    MITMDUMP,
    Netns,
    flowaudit_argv,
    load_json,
    observations,
    wait_for,
    wait_for_port,
    wait_listening,
)

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A pseudo-terminal for the recorder: keys go in, the screen is collected."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self._screen = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self._screen += data

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    @property
    def screen(self) -> str:
        """What was drawn, without the escape sequences that style and move it."""
        return _ESCAPES.sub("", self._screen.decode("utf-8", errors="replace"))


def test_markers_set_three_ways_land_on_the_right_flows(netns: Netns, tmp_path: Path) -> None:
    capture = tmp_path / "phases.mitm"
    log = tmp_path / "record.log"
    terminal = Terminal()
    recorder = netns.popen(
        flowaudit_argv(
            "record",
            "--confdir",
            netns.confdir,
            "--sinkhole",
            "all",
            "--port",
            "0",
            "-w",
            capture,
            "--format",
            "json",
            "-o",
            tmp_path / "result.json",
        ),
        stdin=terminal.slave,
        stdout=terminal.slave,
        stderr=log.open("w"),
    )
    address = wait_listening(log, recorder)

    def send(step: str) -> None:
        curl = netns.run(
            ["curl", "-sS", "-x", f"http://{address}", "--cacert", str(netns.ca_cert)]
            + [f"https://api.segment.io/v1/track?step={step}", "-d", '{"userId": "user-4242"}']
        )
        assert curl.returncode == 0, curl.stderr

    def marked(name: str) -> None:
        wait_for(lambda: name.encode() in capture.read_bytes(), f"the marker {name} in the capture")

    send("a")
    mark = netns.run(flowaudit_argv("mark", "consent-granted"))  # another terminal
    assert mark.returncode == 0, mark.stderr
    assert mark.stdout.startswith(f"phase consent-granted (recording {capture}")
    send("b")
    terminal.press("r")  # a key in the recording terminal: consent-refused
    marked("consent-refused")
    send("c")
    url = netns.run(["curl", "-sS", "-x", f"http://{address}", "http://flowaudit.invalid/mark/consent-withdrawn"])
    assert url.stdout == "flowaudit: phase consent-withdrawn\n", url
    send("d")
    terminal.press("n")  # a phase of any name, typed
    terminal.press("checkout\r")
    marked("checkout")
    send("e")
    wait_for(lambda: "5 requests" in terminal.screen, "the live view to count every request")
    recorder.send_signal(signal.SIGTERM)
    assert recorder.wait(timeout=60) == 1  # shut down cleanly, audited: Segment is undeclared

    phases = {o.path.rsplit("=", 1)[1]: o.phase for o in observations(capture)}
    assert phases == {
        "a": None,
        "b": "consent-granted",
        "c": "consent-refused",
        "d": "consent-withdrawn",
        "e": "checkout",
    }
    with capture.open("rb") as f:
        markers = [r.metadata[MARKER_KEY] for r in mio.FlowReader(f).stream() if MARKER_KEY in r.metadata]
    assert [(m["name"], m["via"]) for m in markers] == [
        ("consent-granted", "command"),
        ("consent-refused", "key"),
        ("consent-withdrawn", "url"),
        ("checkout", "key"),
    ]
    [segment] = load_json(tmp_path / "result.json")["recipients"]
    assert (segment["entity"], segment["flows"]) == ("Segment", 5)
    assert {"consent-granted", "consent-refused", "consent-withdrawn", "checkout"} <= set(segment["phases"])

    # The live view, drawn in the recording terminal while recording.
    screen = terminal.screen
    assert "● recording" in screen and "Segment" in screen and "5 requests" in screen
    assert "phase: checkout" in screen
    assert "keys: g consent-granted" in screen


def test_mark_without_a_recording_says_how_to_start_one(netns: Netns) -> None:
    run = netns.run(flowaudit_argv("mark", "consent-granted"))
    assert run.returncode == 2
    assert run.stderr.startswith("flowaudit: error: no recording is running")
    assert "flowaudit.invalid/mark/NAME" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_addon_in_plain_mitmdump_answers_flowaudit_mark(netns: Netns, tmp_path: Path) -> None:
    """`flowaudit mark` reaches mitmproxy running the addon, not only `flowaudit record`."""
    capture = tmp_path / "dump.mitm"
    dump = netns.popen(
        [MITMDUMP, "-q", "-s", str(addon_path()), "--listen-host", "127.0.0.1", "-p", "18081"]
        + ["--set", f"confdir={netns.confdir}", "--set", f"flowaudit_capture={capture}"]
        + ["--set", "flowaudit_sinkhole=all", "--set", "connection_strategy=lazy"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(netns, 18081)
    wait_for(lambda: netns.run(flowaudit_argv("mark", "consent-refused")).returncode == 0, "the mark to be taken")
    curl = netns.run(
        ["curl", "-sS", "-x", "http://127.0.0.1:18081", "--cacert", str(netns.ca_cert), "https://api.segment.io/x"]
    )
    assert curl.returncode == 0, curl.stderr
    dump.send_signal(signal.SIGINT)
    dump.wait(timeout=60)
    [flow] = observations(capture)
    assert flow.phase == "consent-refused"


def test_marker_url_over_https_without_sinkhole(netns: Netns, tmp_path: Path) -> None:
    """Forwarding mode (mitmproxy connects eagerly): the marker host is still never contacted."""
    capture = tmp_path / "https-marker.mitm"
    run = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "-w", capture, "--no-audit")
        + ["--command-output", str(tmp_path / "curl.out")]
        + ["--", "curl", "-sS", "https://flowaudit.invalid/mark/consent-granted"]
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "curl.out").read_text() == "flowaudit: phase consent-granted\n"
    assert "mitmproxy:" not in run.stderr  # no failed upstream connection was even attempted
    with capture.open("rb") as f:
        [marker] = [r.metadata[MARKER_KEY] for r in mio.FlowReader(f).stream() if MARKER_KEY in r.metadata]
    assert (marker["name"], marker["via"]) == ("consent-granted", "url")
