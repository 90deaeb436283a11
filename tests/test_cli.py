"""The command line's last line of defence: user errors are exit 2 with one message, never an "internal error"."""

from __future__ import annotations

from click.testing import CliRunner

from flowaudit.cli import main


def test_bad_usage_found_inside_a_command_is_a_usage_error() -> None:
    run = CliRunner().invoke(main, ["rules", "list", "--markdown"])
    assert run.exit_code == 2
    assert "Usage:" in run.output and "--markdown goes with --adapters" in run.output
    assert "internal error" not in run.output
