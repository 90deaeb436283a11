"""A spreadsheet-safe CSV cell, shared by the CSV report and the study's matrix.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets
a leading apostrophe, so a crafted host name cannot run as a formula.
"""

from __future__ import annotations

from flowaudit.display.inert import visible

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> str:
    text = visible(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text
