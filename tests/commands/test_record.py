"""`flowaudit record` refuses bad input with one clear message and exit 2,
before any recording starts; `--help` documents the exit statuses. (The
recording itself is tested end to end in tests/e2e.)"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flowaudit.commands.record import combined_status

from .conftest import assert_clean_error, flowaudit


def record(tmp_path: Path, *args: str):
    return flowaudit("record", "--confdir", str(tmp_path / "conf"), "--no-audit", *args, cwd=tmp_path)


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = record(tmp_path, "--port", str(port), "-w", "x.mitm")
    assert_clean_error(run, f"cannot start the HTTP(S) proxy on 127.0.0.1:{port}: Address already in use", "--port")
    assert run.err.count("\n") == 2  # the message and its hint: mitmproxy's own words are not repeated
    assert not (tmp_path / "x.mitm").exists()  # no capture for a proxy that never ran


def test_unwritable_output_folder(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    run = record(tmp_path, "-w", "a-file/captures/x.mitm")
    assert_clean_error(run, "a-file/captures: cannot write captures into this folder", "--capture")


def test_existing_capture_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "old.mitm").write_bytes(b"evidence")
    run = record(tmp_path, "-w", "old.mitm")
    assert_clean_error(run, "old.mitm: the capture file already exists; captures are never overwritten")
    assert (tmp_path / "old.mitm").read_bytes() == b"evidence"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("transparent", "unknown mode 'transparent'"),
        ("socks", "unknown mode 'socks'"),
        ("reverse", "mode reverse needs the server's URL"),
        ("upstream:ftp://proxy.example", "invalid mode 'upstream:ftp://proxy.example'"),
        ("regular@9000", "unknown mode 'regular@9000'"),
    ],
)
def test_unknown_or_malformed_mode(tmp_path: Path, mode: str, message: str) -> None:
    run = record(tmp_path, "--mode", mode)
    assert_clean_error(run, message)


def test_command_not_found(tmp_path: Path) -> None:
    run = record(tmp_path, "--", "no-such-program-anywhere", "--flag")
    assert_clean_error(run, "COMMAND not found: no-such-program-anywhere", "PATH")


def test_command_not_executable(tmp_path: Path) -> None:
    script = tmp_path / "run-tests.sh"
    script.write_text("echo hi\n")
    run = record(tmp_path, "--", str(script))
    assert_clean_error(run, f"COMMAND is not executable: {script}", "chmod +x")


def test_command_output_needs_a_command(tmp_path: Path) -> None:
    run = record(tmp_path, "--command-output", "out.log")
    assert_clean_error(run, "--command-output names where COMMAND's output goes, but there is no COMMAND", "-- COMMAND")
    assert not (tmp_path / "out.log").exists()


def test_unwritable_command_output(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    run = record(tmp_path, "--command-output", "a-file/out.log", "--", "true")
    assert_clean_error(run, "a-file/out.log: cannot write COMMAND's output here")


def test_invalid_phase_name(tmp_path: Path) -> None:
    run = record(tmp_path, "--phase", "before consent")
    assert_clean_error(run, "invalid phase name 'before consent'")


def test_broken_declaration_fails_before_recording(tmp_path: Path) -> None:
    (tmp_path / "flowaudit.yml").write_text("app: X\nrecipents: []\n")
    run = record(tmp_path, "--sinkhole")
    assert_clean_error(run, "flowaudit.yml:2")
    assert not (tmp_path / "captures").exists()


def test_mark_refuses_an_invalid_name(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("mark", "consent granted"), "invalid phase name 'consent granted'")


def test_help_documents_the_exit_statuses() -> None:
    run = flowaudit("record", "--help")
    assert run.code == 0
    for line in ("0 both passed, 1 findings, 3 COMMAND failed", "4 COMMAND failed and findings"):
        assert line in run.out
    assert "http://flowaudit.invalid/mark/NAME" in run.out


def test_addon_path_names_the_addon_file() -> None:
    run = flowaudit("addon-path")
    path = Path(run.out.strip())
    assert run.code == 0 and path.name == "addon.py" and path.is_file()
    assert "class Recorder" in path.read_text()


@pytest.mark.parametrize(
    ("command", "audit", "expected"),
    [
        (None, 0, 0),
        (None, 1, 1),
        (None, 2, 2),
        (0, 0, 0),
        (0, 1, 1),
        (5, 0, 3),
        (5, 1, 4),
        (5, 2, 2),  # the audit could not be done: nothing else can be trusted
        (130, 1, 4),  # killed by Ctrl-C
    ],
)
def test_combined_status(command: int | None, audit: int, expected: int) -> None:
    assert combined_status(command, audit) == expected


def test_unusable_confdir(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    run = flowaudit("record", "--confdir", str(tmp_path / "a-file" / "conf"), "--no-audit", cwd=tmp_path)
    assert_clean_error(run, "a-file/conf: cannot keep the proxy's CA certificate in this folder", "--confdir")
