"""The one interface every output format implements."""

from __future__ import annotations

from typing import Protocol

from flowaudit.model import AuditResult


class Reporter(Protocol):
    name: str
    extension: str  # file name suffix when -o names a folder

    def render(self, result: AuditResult) -> str:
        """The whole report as text, ready to write to a file."""
        ...
