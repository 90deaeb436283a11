"""The one error type users see.

Every failure a user can cause (bad input file, invalid declaration, bad
rules) is raised as :class:`FlowauditError`; the command line prints it as a
single message and exits 2. Anything else escaping is a bug.
"""

from __future__ import annotations

from flowaudit.inert import one_line


class FlowauditError(Exception):
    """A problem with the user's input, reported as ``path:line: message``."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        """One line, and the hint on a second: a message may quote a capture
        (a flow's type, a host name), whose control characters and line
        breaks are spelled out so they cannot drive a terminal or a CI runner."""
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = one_line(f"{where}{self.message}")
        if self.hint:
            text += f"\n  hint: {one_line(self.hint)}"
        return text
