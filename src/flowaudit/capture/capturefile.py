"""The capture file: records appended in batches, each batch handed to the operating system at once.

The recorder (:mod:`flowaudit.capture.addon`) releases a response only once
its flow's record is written here; writing a batch of records with one
system call instead of one per flow (a group commit) keeps that promise for
less. The file is unbuffered: once :meth:`CaptureFile.write` returns, every
byte is the operating system's, and a proxy killed even with SIGKILL loses
nothing written.

Like the addon, this file imports only the standard library: mitmproxy may
load the addon by path from a Python without flowaudit.
"""

from __future__ import annotations

import os
from pathlib import Path


class CaptureFile:
    """A new flow file (never an existing one: a capture is evidence, never overwritten)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("xb", buffering=0)
        self._unsynced = False
        self.records = 0

    def write(self, records: list[bytes]) -> None:
        """Hand ``records`` to the operating system, in order, or raise OSError.

        After an error, some of the records may be in the file, the last one
        possibly cut short (a reader stops there, keeping those before)."""
        data = records[0] if len(records) == 1 else b"".join(records)
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            if not written:  # a raw file writes none only when it cannot block: never for a regular file
                raise OSError(f"nothing written to {self.path}")
            view = view[written:]
        self.records += len(records)
        self._unsynced = True

    def sync(self) -> None:
        """fsync what was written so far. Safe from another thread while :meth:`write` runs."""
        if self._unsynced:
            self._unsynced = False  # before: a write during the fsync leaves it set for the next one
            os.fsync(self._file.fileno())

    def close(self) -> None:
        try:
            self.sync()
        finally:
            self._file.close()
