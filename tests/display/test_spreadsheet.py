"""CSV cells: no formula can run, none passes the spreadsheet limit unseen."""

from __future__ import annotations

import pytest

from flowaudit.display.spreadsheet import MAX_CELL, cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_formula_starts_are_neutralised_ascii_and_full_width(start: str) -> None:
    assert cell(f'{start}HYPERLINK("http://evil")').startswith(f"'{start}")


def test_a_cell_is_cut_at_the_limit_with_a_marker_saying_how_much() -> None:
    text = cell("x" * 40_000)
    assert len(text) <= MAX_CELL == 32_767
    kept = text.count("x")
    assert text.endswith(f" [… cut: {40_000 - kept} more characters]")
    assert cell("x" * MAX_CELL) == "x" * MAX_CELL
