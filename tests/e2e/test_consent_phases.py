"""Consent phases and rules with real clients, nothing leaving the machine:
the Mixpanel browser SDK in headless Chromium before a consent click and
after a refusal, and Segment's Python SDK sending events after an opt-out
call. Phases come from the marker URL the clients call through the proxy.

The browser SDK is the npm package mixpanel-browser 2.83.0, installed by
`.ci/run` into tests/e2e/.npm (or wherever FLOWAUDIT_TEST_NPM points).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    DATA,
    PYTHON,
    Netns,
    chromium_via_proxy,
    flowaudit_argv,
    load_json,
    observations,
    only_capture,
    serve,
)

CONSENT = DATA / "consent"
NPM = Path(os.environ.get("FLOWAUDIT_TEST_NPM", Path(__file__).parent / ".npm"))
MIXPANEL_JS = NPM / "node_modules" / "mixpanel-browser" / "dist" / "mixpanel.module.js"
MIXPANEL_HOSTS = {"api-js.mixpanel.com"}


def record(netns: Netns, command: list[str]) -> subprocess.CompletedProcess[str]:
    return netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all")
        + ["--format", "json", "-o", "result.json", "--fail-on", "never", "--", *command],
        timeout=240,
    )


def findings(result: dict[str, Any], entity: str) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in result["findings"] if f["entity"] == entity}


def browse(netns: Netns, choice: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    root = netns.workdir / "site"
    root.mkdir()
    shutil.copy(CONSENT / "consent.html", root / "consent.html")
    (root / "node_modules").symlink_to(NPM / "node_modules")
    port = 18091
    server = serve(netns, port, root)
    chromium = chromium_via_proxy(netns, f"http://127.0.0.1:{port}/consent.html?choice={choice}", 20000)
    run = record(netns, chromium)
    server.kill()
    return run, load_json(netns.workdir / "result.json")


needs_browser = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run)")
needs_sdk = pytest.mark.skipif(
    not MIXPANEL_JS.is_file(),
    reason=f"needs mixpanel-browser: npm install --prefix {NPM} mixpanel-browser@2.83.0 (.ci/run does)",
)


@needs_browser
@needs_sdk
def test_browser_sdk_before_consent_and_after_a_refusal(netns: Netns) -> None:
    run, result = browse(netns, "refuse")
    assert run.returncode == 0, run.stderr
    assert '<p id="state">done refuse</p>' in run.stderr  # COMMAND's output

    flows = [o for o in observations(only_capture(netns.workdir / "captures")) if o.host in MIXPANEL_HOSTS]
    before = [o for o in flows if o.phase is None]
    after = [o for o in flows if o.phase == "consent-refused"]
    assert before and after and len(before) + len(after) == len(flows)
    assert not any(b"Ignored After Opt Out" in o.body for o in flows)  # the SDK honoured its own opt-out
    assert any(b"jane.doe%40example.com" in o.body or b"jane.doe@example.com" in o.body for o in after)

    assert result["phases"] == ["before-consent", "consent-refused"]
    assert [(p["phase"], p["consent"], p["source"]) for p in result["consent"]["phases"]] == [
        ("before-consent", "before", "start"),
        ("consent-refused", "refused", "marker"),
    ]
    [mixpanel] = [r for r in result["recipients"] if r["entity"] == "Mixpanel"]
    assert mixpanel["phase_flows"] == {"before-consent": len(before), "consent-refused": len(after)}
    found = findings(result, "Mixpanel")
    assert found["tracking-before-consent"]["phase"] == "before-consent"
    assert found["tracking-before-consent"]["severity"] == "high"
    sharing = found["sharing-after-opt-out"]
    assert (sharing["severity"], sharing["phase"]) == ("critical", "consent-refused")
    assert "contact.email" in sharing["data_types"]
    assert {int(e["flow"].rsplit("#", 1)[1]) for e in sharing["evidence"]} <= {o.index for o in after}


@needs_browser
@needs_sdk
def test_browser_sdk_after_consent_is_given(netns: Netns) -> None:
    run, result = browse(netns, "accept")
    assert run.returncode == 0, run.stderr
    assert '<p id="state">done accept</p>' in run.stderr  # COMMAND's output
    assert result["phases"] == ["before-consent", "consent-granted"]
    found = findings(result, "Mixpanel")
    assert "tracking-before-consent" in found  # the page view before the banner was answered
    assert "sharing-after-opt-out" not in found


@pytest.mark.parametrize(("mode", "shared"), [("module", True), ("client", False)])
def test_python_sdk_events_after_an_opt_out_call(netns: Netns, mode: str, shared: bool) -> None:
    run = record(netns, [PYTHON, str(CONSENT / "optout_client.py"), mode])
    assert run.returncode == 0, run.stderr
    assert f"done {mode}" in run.stderr  # COMMAND's output

    flows = [o for o in observations(only_capture(netns.workdir / "captures")) if o.host == "api.segment.io"]
    assert [o.phase for o in flows] == [None, "consent-granted"] + (["consent-withdrawn"] if shared else [])

    result = load_json(netns.workdir / "result.json")
    # (a phase in which nothing was sent is not listed: the engine sees requests, not marker records)
    assert result["phases"] == ["before-consent", "consent-granted"] + (["consent-withdrawn"] if shared else [])
    found = findings(result, "Segment")
    assert found["tracking-before-consent"]["phase"] == "before-consent"
    if shared:
        sharing = found["sharing-after-opt-out"]
        assert (sharing["severity"], sharing["phase"]) == ("critical", "consent-withdrawn")
        assert {"contact.email", "identifiers.user_id"} <= set(sharing["data_types"])
        assert "after the user withdrew consent" in sharing["message"]
    else:
        assert "sharing-after-opt-out" not in found
