"""Reading a store file's bytes, bounded: both kinds are small text files.

A privacy manifest or a Data safety CSV of more than a few hundred
kilobytes is not one; refusing it early keeps a hostile file from costing
memory or time.
"""

from __future__ import annotations

import hashlib

from flowaudit.errors import FlowauditError

MAX_BYTES = 2 * 1024 * 1024


def read_bounded(path: str, what: str) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256; a missing, unreadable or oversized file is a :class:`FlowauditError`."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FlowauditError("file not found", path=path) from None
    except IsADirectoryError:
        raise FlowauditError(f"is a folder, not {what}", path=path) from None
    except OSError as err:
        raise FlowauditError(f"cannot be read: {err.strerror or err}", path=path) from None
    if len(raw) > MAX_BYTES:
        raise FlowauditError(
            f"is larger than {MAX_BYTES // 1024 // 1024} MiB: too large for {what}",
            path=path,
            hint="pass the privacy manifest or Data safety CSV itself",
        )
    return raw, hashlib.sha256(raw).hexdigest()
