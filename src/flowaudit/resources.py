"""Where the shipped rules data lives.

Installed, ``rules/`` is packaged as ``flowaudit/rules``; in an editable
checkout it stays at the top of the repository. Both are found here so no
other module needs to care.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def rules_dir() -> Path:
    packaged = Path(str(resources.files("flowaudit"))) / "rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuntimeError("flowaudit's rules data is missing: reinstall flowaudit")
