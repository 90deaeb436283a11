"""Output formats, one module each, behind one interface and one registry."""

from __future__ import annotations

from flowaudit.reporters.base import Reporter
from flowaudit.reporters.json_result import JsonReporter
from flowaudit.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
}


def get_reporter(name: str) -> Reporter:
    return REPORTERS[name]()


__all__ = ["REPORTERS", "Reporter", "get_reporter"]
