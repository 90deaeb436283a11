"""Where the shipped rules data lives.

Installed, ``rules/`` is packaged as ``flowaudit/rules``; in an editable
checkout it stays at the top of the repository. Both are found here so no
other module needs to care.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path


def package_folder(package: str) -> Path:
    """The folder of an installed ``package`` (a regular package, as flowaudit's are).

    Found from its import spec rather than with :mod:`importlib.resources`,
    whose import (it brings :mod:`tempfile`) costs more than a small audit's reading.
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not an installed package: reinstall flowaudit")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def rules_dir() -> Path:
    packaged = package_folder("flowaudit") / "rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuntimeError("flowaudit's rules data is missing: reinstall flowaudit")
