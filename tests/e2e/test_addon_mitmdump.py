"""The addon loaded into plain ``mitmdump`` records a capture that
``flowaudit check`` audits exactly as one written by ``flowaudit record``.

mitmdump runs with flowaudit made unimportable, as from mitmproxy's own
binaries or another environment: the addon needs only the standard library
and mitmproxy."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from mitmproxy import io as mio

from flowaudit.capture import addon_path
from flowaudit.captureformat import CAPTURE_KEY

from ..resultschema import valid_result_text
from .conftest import DATA, PYTHON, Netns, flowaudit_argv, wait_for_port

# mitmdump, with every import of flowaudit failing.
MITMDUMP_WITHOUT_FLOWAUDIT = """
import sys
class NoFlowaudit:
    def find_spec(self, name, path=None, target=None):
        if name == "flowaudit" or name.startswith("flowaudit."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
sys.meta_path.insert(0, NoFlowaudit())
from mitmproxy.tools.main import mitmdump
mitmdump(sys.argv[1:])
"""

# What the app does: a phase marker, then three real clients.
TRAFFIC = f"curl -sS http://flowaudit.invalid/mark/consent-granted && {PYTHON} {DATA / 'clients.py'}"


def test_plain_mitmdump_capture_audits_identically(netns: Netns, tmp_path: Path) -> None:
    by_addon = tmp_path / "addon.mitm"
    port = 18082
    dump = netns.popen(
        [PYTHON, "-c", MITMDUMP_WITHOUT_FLOWAUDIT, "-q", "-s", str(addon_path())]
        + ["--listen-host", "127.0.0.1", "-p", str(port), "--set", f"confdir={netns.confdir}"]
        + ["--set", f"flowaudit_capture={by_addon}", "--set", "flowaudit_app=Acme Health"]
        + ["--set", "flowaudit_sinkhole=all", "--set", "connection_strategy=lazy"],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "mitmdump.log").open("w"),
    )
    wait_for_port(netns, port)
    ca = str(netns.ca_cert)
    proxy = f"http://127.0.0.1:{port}"
    env = netns.env(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, http_proxy=proxy, https_proxy=proxy)
    env.update(REQUESTS_CA_BUNDLE=ca, SSL_CERT_FILE=ca, CURL_CA_BUNDLE=ca)
    clients = netns.run(["sh", "-c", TRAFFIC], env=env)
    assert clients.returncode == 0, clients.stderr
    dump.send_signal(signal.SIGINT)
    assert dump.wait(timeout=60) == 0, (tmp_path / "mitmdump.log").read_text()

    by_record = tmp_path / "record.mitm"
    record = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "--app", "Acme Health")
        + ["-w", str(by_record), "--no-audit", "--", "sh", "-c", TRAFFIC]
    )
    assert record.returncode == 0, record.stderr

    about_addon, about_record = _capture_record(by_addon), _capture_record(by_record)
    assert about_addon["recorder"] == "mitmproxy addon" and about_record["recorder"] == "flowaudit record"
    assert about_addon["tool_version"] is None  # flowaudit was not importable there
    assert about_record["tool_version"] and about_record["rules_version"]
    assert about_addon["app"] == about_record["app"] == "Acme Health"

    declared = str(DATA / "segment-only.yml")
    audits = [_audit(netns, capture, declared) for capture in (by_addon, by_record)]
    assert audits[0] == audits[1]
    assert audits[0]["summary"]["flows"] == 4
    assert {r["entity"]: r["phases"] for r in audits[0]["recipients"]} == {
        "Segment": ["consent-granted"],
        "Mixpanel": ["consent-granted"],
        "Google": ["consent-granted"],
    }


def _capture_record(capture: Path) -> dict[str, Any]:
    with capture.open("rb") as f:
        first = next(iter(mio.FlowReader(f).stream()))
    about: dict[str, Any] = first.metadata[CAPTURE_KEY]
    return about


def _audit(netns: Netns, capture: Path, declared: str) -> dict[str, Any]:
    """The JSON result, minus what names the file itself (its path and hash) or the moment."""
    run = netns.run(flowaudit_argv("check", capture, "--declared", declared, "--format", "json"))
    assert run.returncode == 1, run.stderr
    text = re.sub(re.escape(str(capture)) + r"#", "CAPTURE#", run.stdout)
    result: dict[str, Any] = valid_result_text(text)
    for volatile in ("inputs", "created"):
        result.pop(volatile, None)
    return result
