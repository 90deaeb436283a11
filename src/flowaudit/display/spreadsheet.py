"""A spreadsheet-safe CSV cell, shared by the CSV report and the study's matrix.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets
a leading apostrophe, so a crafted host name cannot run as a formula; so does
one that starts with the full-width forms ``＝ ＋ － ＠``, which spreadsheets
may fold to the ASCII ones. A cell is cut to the spreadsheet limit of 32,767
characters (Excel's, https://support.microsoft.com/en-us/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3;
a longer one is cut or spills into the next row on import), ending in a
marker that says how much was cut, so nothing is lost unseen.
"""

from __future__ import annotations

from flowaudit.inert import cut_to, visible

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MAX_CELL = 32_767


def cell(value: object) -> str:
    text = visible(str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return cut_to(text, MAX_CELL)
