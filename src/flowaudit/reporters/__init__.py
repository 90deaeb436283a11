"""Output formats, one module each, behind one interface and one registry."""

from __future__ import annotations

from flowaudit.reporters.base import Reporter
from flowaudit.reporters.csv_table import CsvReporter
from flowaudit.reporters.html import HtmlReporter
from flowaudit.reporters.json_result import JsonReporter
from flowaudit.reporters.junit import JunitReporter
from flowaudit.reporters.markdown import MarkdownReporter
from flowaudit.reporters.sarif import SarifReporter
from flowaudit.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "html": HtmlReporter,
    "sarif": SarifReporter,
    "junit": JunitReporter,
    "markdown": MarkdownReporter,
    "csv": CsvReporter,
}


def get_reporter(name: str) -> Reporter:
    return REPORTERS[name]()


__all__ = ["REPORTERS", "Reporter", "get_reporter"]
