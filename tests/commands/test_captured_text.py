"""Captured text cannot drive the terminal or a CI runner (issue 15, item 7).

A flow file is written by the app under audit: a record whose flow type is
an ANSI escape that clears the screen followed by a forged verdict and a
workflow command, and a request whose path and body carry the same, must
come out spelled out in every warning, error and report, and no line of
any output may start a GitHub Actions workflow command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mitmproxy.io import tnetstring

from ..reporters.captures import flow, write
from .conftest import flowaudit

FORGED = "\x1b[2J\x1b[32mPASS\r\n::error::forged\n::stop-commands::token ::warning::wrapped"
_COMMAND = re.compile(r"^\s*::", re.MULTILINE)


def _hostile(tmp_path: Path, bad_record: bool) -> Path:
    f = flow(
        "https://api.mixpanel.com/track",
        path="/track?event=" + FORGED.replace("\n", "%0A").replace("\r", "") + "&e2=" + FORGED.replace("\n", " "),
        headers=[("Content-Type", "application/json"), ("X-Event", FORGED.replace("\n", " ").replace("\r", " "))],
        body=json.dumps({"event": FORGED}).encode(),
    )
    path = write(tmp_path / "hostile.mitm", [f])
    if bad_record:
        state = f.get_state()
        state["type"] = FORGED
        path.write_bytes(path.read_bytes() + tnetstring.dumps(state))
    return path


def _assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text
    assert not _COMMAND.search(text), text


def test_a_flow_type_that_clears_the_terminal_is_spelled_out_in_the_warning(tmp_path: Path) -> None:
    run = flowaudit("check", _hostile(tmp_path, bad_record=True), "--fail-on", "never")
    assert run.code == 0
    assert "incomplete" in run.err and "\\u001b[2J" in run.err  # shown, not obeyed
    _assert_inert(run.err)
    _assert_inert(run.out)


def test_the_same_flow_type_under_strict_is_one_inert_error(tmp_path: Path) -> None:
    run = flowaudit("check", _hostile(tmp_path, bad_record=True), "--strict")
    assert run.code == 2
    assert run.err.startswith("flowaudit: error: ") and "\\u001b[2J" in run.err
    assert run.err.count("\n") <= 2  # the error and its hint, no line of the capture's own
    _assert_inert(run.err)


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "html", "junit", "json", "sarif"])
def test_no_report_line_starts_a_workflow_command(tmp_path: Path, fmt: str) -> None:
    run = flowaudit("check", _hostile(tmp_path, bad_record=True), "--fail-on", "never", "--format", fmt)
    assert run.code == 0, run.err
    assert "forged" in run.out  # the captured text is there, defused
    _assert_inert(run.out)


def test_under_github_actions_only_flowaudit_s_own_annotations_start_a_command(tmp_path: Path) -> None:
    env = {"GITHUB_ACTIONS": "true"}
    run = flowaudit("check", _hostile(tmp_path, bad_record=True), "--fail-on", "never", env=env)
    commands = [line for line in run.err.splitlines() if line.lstrip().startswith("::")]
    assert commands and all(re.match(r"::(notice|warning|error) [^:]*::", line) for line in commands), commands
    assert not any("stop-commands" in line.split("::")[1] for line in commands)
    _assert_inert("\n".join(line for line in run.err.splitlines() if line not in commands))
