"""Capturing an app's traffic: the mitmproxy addon and what ``flowaudit record`` runs around it.

``addon`` is loaded by path into any mitmproxy (``mitmdump -s``), so it
imports only the standard library, mitmproxy and ``flowaudit.captureformat``;
keep this package's ``__init__`` free of imports so that importing the
addon's helpers stays that light.
"""

from pathlib import Path


def addon_path() -> Path:
    """The addon file, for ``mitmdump -s "$(flowaudit addon-path)"``."""
    return Path(__file__).resolve().parent / "addon.py"
