"""How a user error is shown: one line for the message, the hint under it."""

from __future__ import annotations

from flowaudit.errors import MAX_MESSAGE, FlowauditError


def test_a_hint_of_several_lines_is_shown_as_lines_and_its_text_made_inert() -> None:
    """An example to copy keeps its lines (they were shown as one line of "\\n"s);
    what a line holds still cannot drive a terminal or start a workflow command."""
    shown = str(FlowauditError("bad", path="f.yml", line=1, hint="for example:\nsuppressions:\n  - rule: x"))
    assert shown == "f.yml:1: bad\n  hint: for example:\n    suppressions:\n      - rule: x"
    shown = str(FlowauditError("bad", hint="a\n::error::forged\x1b[2J"))
    assert "\x1b" not in shown and not [line for line in shown.splitlines() if line.lstrip().startswith("::")]


def test_a_message_quoting_a_long_value_is_cut() -> None:
    shown = str(FlowauditError(f"unknown entity '{'M' * 100_000}'"))
    assert MAX_MESSAGE - 10 < len(shown) <= MAX_MESSAGE and shown.endswith("more characters]")
