"""Captured text cannot start a CI workflow command, whatever line breaks a format keeps."""

from __future__ import annotations

import pytest

from flowaudit.inert import no_controls, no_workflow_commands


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("::error::forged", "\\u003a:error::forged"),
        ("report\n::stop-commands::x\n", "report\n\\u003a:stop-commands::x\n"),
        ("a\r::warning::b", "a\r\\u003a:warning::b"),  # the runner also ends a line at CR
        ("a\n   \t::notice::b", "a\n   \t\\u003a:notice::b"),  # white space before is trimmed by the runner
        ("a\n\u3000::error::b", "a\n\u3000\\u003a:error::b"),
    ],
)
def test_a_line_starting_with_two_colons_is_defused(text: str, shown: str) -> None:
    assert no_workflow_commands(text) == shown


@pytest.mark.parametrize("text", ["host 2001:db8::1", "a :: b", "x\n a::b", '{"k": "::error::x"}'])
def test_two_colons_elsewhere_are_kept(text: str) -> None:
    assert no_workflow_commands(text) == text


def test_no_controls_spells_out_what_drives_a_terminal_and_keeps_layout() -> None:
    assert no_controls("a\x1b[2J\x9b31m\x07\x7f\rb") == "a\\u001b[2J\\u009b31m\\u0007\\u007f\\u000db"
    assert no_controls("cell\tcell\r\nnext\n") == "cell\tcell\r\nnext\n"  # CSV's CRLF is layout
