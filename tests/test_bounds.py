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


def test_every_bound_is_in_the_readme() -> None:
    """The README's Limits table states the bounds the code applies."""
    from flowaudit import bounds
    from flowaudit.display.spreadsheet import MAX_CELL
    from flowaudit.inputs import har, notes
    from flowaudit.inputs.fields import MAX_BODY
    from flowaudit.payload.decode.limits import DEFAULT_LIMITS as D

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    mib = bounds.MIB
    stated = [
        f"{MAX_BODY // mib} MiB, held once",
        f"| {D.max_body // mib} MiB as sent |",
        f"{har.MAX_NESTING} levels",
        f"{har._MAX_RECORD // 1024} KiB",
        f"{notes.MAX_TEXT} characters",
        f"{notes.MAX_ITEMS} each",
        f"{D.max_depth} decoding steps, {D.max_decoded_bytes // mib} MiB decoded, {D.max_ratio}:1 decompression "
        f"past {D.ratio_floor // mib} MiB, {D.max_values:,} values, {D.max_nesting} JSON or protobuf levels",
        f"{bounds.MAX_YAML_BYTES // mib} MiB, {bounds.MAX_NESTING} levels of nesting, {bounds.MAX_VALUES:,} values",
        f"{bounds.MAX_RESULT_BYTES // mib} MiB, {bounds.MAX_NESTING} levels of nesting",
        f"{MAX_CELL:,} characters",
    ]
    for text in stated:
        assert text in table, text
