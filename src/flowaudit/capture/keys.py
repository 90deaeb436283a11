"""Phase markers by key press in the terminal that runs ``flowaudit record``.

Only when standard input is a terminal and no COMMAND owns it. The terminal
is put in cbreak mode (each key arrives at once, unechoed; Ctrl-C still
stops the recording) and restored when recording ends.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from typing import Any

KEYS = {"g": "consent-granted", "r": "consent-refused", "w": "consent-withdrawn"}
HELP = "keys: g consent-granted · r consent-refused · w consent-withdrawn · n name a phase · q stop"

_ENTER = ("\r", "\n")
_ERASE = ("\x7f", "\b")
_ESCAPE = "\x1b"


def keys_available() -> bool:
    try:
        import termios  # noqa: F401 - only probing that the platform has it
    except ImportError:
        return False
    return sys.stdin.isatty()


class KeyMarkers:
    """Reads keys from standard input and turns them into phases.

    ``typing`` is the phase name being typed after ``n`` (None otherwise), for display.
    """

    def __init__(
        self,
        on_phase: Callable[[str], str | None],
        on_stop: Callable[[], None],
    ) -> None:
        self._on_phase = on_phase  # returns why a name was refused, or None
        self._on_stop = on_stop
        self.typing: str | None = None
        self.notice: str | None = None  # last refusal, for display
        self._fd = -1  # standard input, once started
        self._saved: list[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        import termios
        import tty

        self._fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        self._loop = loop
        loop.add_reader(self._fd, self._read)

    def stop(self) -> None:
        import termios

        if self._loop is not None:
            self._loop.remove_reader(self._fd)
            self._loop = None
        if self._saved is not None:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _read(self) -> None:
        data = os.read(self._fd, 256)
        if not data and self._loop is not None:  # the terminal went away
            self._loop.remove_reader(self._fd)
            return
        for key in data.decode("utf-8", errors="ignore"):
            self.press(key)

    def press(self, key: str) -> None:
        if self.typing is not None:
            self._type(key)
        elif key in KEYS:
            self.notice = self._on_phase(KEYS[key])
        elif key == "n":
            self.typing = ""
            self.notice = None
        elif key == "q":
            self._on_stop()

    def _type(self, key: str) -> None:
        assert self.typing is not None
        if key in _ENTER:
            name, self.typing = self.typing.strip(), None
            if name:
                self.notice = self._on_phase(name)
        elif key in _ERASE:
            self.typing = self.typing[:-1]
        elif key == _ESCAPE:
            self.typing = None
        elif key.isprintable():
            self.typing += key
