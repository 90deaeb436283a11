"""Output formats, one module each, behind one interface and one registry.

Each format's module is imported only when that format is written: a run
that writes JSON never loads the HTML templates (Jinja2) or the terminal
tables (rich), which are most of the start-up of a small audit otherwise.
"""

from __future__ import annotations

from importlib import import_module

from flowaudit.reporters.base import Reporter, report_pieces

# format -> (module under flowaudit.reporters, class)
REPORTERS: dict[str, tuple[str, str]] = {
    "text": ("text", "TextReporter"),
    "json": ("json_result", "JsonReporter"),
    "html": ("html", "HtmlReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "junit": ("junit", "JunitReporter"),
    "markdown": ("markdown", "MarkdownReporter"),
    "csv": ("csv_table", "CsvReporter"),
}


def get_reporter(name: str) -> Reporter:
    module, cls = REPORTERS[name]
    reporter: Reporter = getattr(import_module(f"flowaudit.reporters.{module}"), cls)()
    return reporter


__all__ = ["REPORTERS", "Reporter", "get_reporter", "report_pieces"]
