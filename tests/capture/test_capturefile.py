"""The capture file: new only, records appended in order, each whole or an error."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from flowaudit.capture.capturefile import CaptureFile


def test_an_existing_capture_is_never_overwritten(tmp_path: Path) -> None:
    existing = tmp_path / "c.mitm"
    existing.write_bytes(b"earlier evidence")
    with pytest.raises(FileExistsError):
        CaptureFile(existing)
    assert existing.read_bytes() == b"earlier evidence"


def test_records_are_appended_in_order_and_on_disk_at_once(tmp_path: Path) -> None:
    capture = CaptureFile(tmp_path / "sub" / "c.mitm")
    capture.write(b"one;")
    capture.write(b"two;")
    capture.write(b"three;")
    assert (tmp_path / "sub" / "c.mitm").read_bytes() == b"one;two;three;"  # before any close or sync
    assert capture.records == 3
    capture.sync()
    capture.close()


class ShortWrites:
    """A file that takes a few bytes at a time, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.data = b""

    def write(self, data: memoryview) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = bytes(data[: min(3, self.room)])
        self.room -= len(taken)
        self.data += taken
        return len(taken)


def test_a_short_write_is_continued(tmp_path: Path) -> None:
    capture = CaptureFile(tmp_path / "c.mitm")
    capture._file = ShortWrites(room=100)  # type: ignore[assignment]
    capture.write(b"abcdefgh")
    capture.write(b"ijk")
    assert capture._file.data == b"abcdefghijk"  # type: ignore[attr-defined]
    assert capture.records == 2


def test_a_full_disk_is_an_error_and_counts_nothing(tmp_path: Path) -> None:
    capture = CaptureFile(tmp_path / "c.mitm")
    capture._file = ShortWrites(room=5)  # type: ignore[assignment]
    with pytest.raises(OSError, match="No space left"):
        capture.write(b"abcdefgh")
    assert capture.records == 0
