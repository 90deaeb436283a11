"""The one error type users see.

Every failure a user can cause (bad input file, invalid declaration, bad
rules) is raised as :class:`FlowauditError`; the command line prints it as a
single message and exits 2. Anything else escaping is a bug.
"""

from __future__ import annotations

from flowaudit.inert import cut_to, no_workflow_commands, one_line

# The longest message and hint printed: a message may quote a value of any length
# (a 2 MB entity name in a declaration was printed whole).
MAX_MESSAGE = 2_000


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
        """One line, and the hint on the next ones: a message may quote a capture
        (a flow's type, a host name), whose control characters and line
        breaks are spelled out so they cannot drive a terminal or a CI runner,
        and a value of any length, cut to :data:`MAX_MESSAGE` characters."""
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = cut_to(one_line(f"{where}{self.message}"), MAX_MESSAGE)
        if self.hint:
            # A hint may be several lines (an example to copy), each shown on its own, indented.
            lines = (cut_to(one_line(line), MAX_MESSAGE) for line in self.hint.split("\n"))
            text += no_workflow_commands("\n  hint: " + "\n    ".join(lines))
        return text
