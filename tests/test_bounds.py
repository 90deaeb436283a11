"""Size and depth bounds on the files flowaudit parses whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowaudit.bounds import MAX_NESTING, TooLarge, deeper_than, read_bounded


def nested(levels: int) -> object:
    value: object = 1
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


def test_depth_is_measured_without_recursion() -> None:
    assert not deeper_than(nested(MAX_NESTING))
    assert deeper_than(nested(MAX_NESTING + 1))
    assert deeper_than(nested(100_000))  # far past Python's recursion limit


def test_a_file_over_its_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 2048)
    assert read_bounded(path, 2048) == b"x" * 2048
    with pytest.raises(TooLarge):
        read_bounded(path, 2047)
