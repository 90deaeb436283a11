"""The capture file: each record handed to the operating system at once, fsync'ed apart.

The recorder (:mod:`flowaudit.capture.addon`) lets a response go only once
its flow's record is written here. The file is unbuffered: once
:meth:`CaptureFile.write` returns, every byte is the operating system's, and a
proxy killed even with SIGKILL loses nothing written. :meth:`CaptureFile.sync`
(fsync, which can take milliseconds) may run in another thread meanwhile.

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

    def write(self, record: bytes) -> None:
        """Hand ``record`` to the operating system, or raise OSError.

        After an error, part of the record may be in the file: a reader stops
        there, keeping every record before it."""
        view = memoryview(record)
        while view:
            written = self._file.write(view)
            if not written:  # a raw file writes none only when it cannot block: never for a regular file
                raise OSError(f"nothing written to {self.path}")
            view = view[written:]
        self.records += 1
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
