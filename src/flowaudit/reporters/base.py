"""The one interface every output format implements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from flowaudit.model import AuditResult


class Reporter(Protocol):
    name: str
    extension: str  # file name suffix when -o names a folder

    def render(self, result: AuditResult) -> str:
        """The whole report as text, ready to write to a file."""
        ...


@runtime_checkable
class StreamingReporter(Reporter, Protocol):
    """A format whose document grows with the capture (JSON: a row per
    recipient and per finding), written piece by piece."""

    def chunks(self, result: AuditResult) -> Iterable[str]:
        """:meth:`render`'s text in pieces, each ending a line."""
        ...


def report_pieces(reporter: Reporter, result: AuditResult) -> Iterable[str]:
    """The report in pieces that each end a line: streamed when the format can be."""
    if isinstance(reporter, StreamingReporter):
        return reporter.chunks(result)
    return (reporter.render(result),)
