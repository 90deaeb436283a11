"""Work done once per content, kept between runs: parsed YAML and passed schema checks.

Every command reads the shipped rules (dozens of YAML files) and checks their
shape; parsing YAML in pure Python was most of a small audit's time, and
studies and CI jobs run many small audits. The results are kept in the user's
cache folder (``$XDG_CACHE_HOME/flowaudit``, else ``~/.cache/flowaudit``),
each under a key that is the SHA-256 of everything it was made from: the
file's bytes and the code and library versions that made it. A changed file
or a new flowaudit gets a new key, so an entry is never stale; old entries
are merely unused.

Entries are written to a temporary file and renamed into place, so runs
that share the folder never see half an entry. Each entry carries the
SHA-256 of its contents and anything that fails that check, or cannot be
read, is made again. Where there is no home or it is read-only, nothing is
kept and nothing fails: the work is simply done every time.

Values are stored with :mod:`marshal` (plain data only, and loading it runs
no code, unlike pickle); a value marshal cannot store is not kept.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from flowaudit import __version__

T = TypeVar("T")

# Part of every key: a change of flowaudit, of Python (marshal's format) or of
# this module's layout makes every entry a new one.
_LAYOUT = 1
_DIGEST = hashlib.sha256().digest_size


def key(*parts: bytes | str) -> str:
    """The key of what ``parts`` (file bytes, versions, names) make."""
    sha = hashlib.sha256(f"{_LAYOUT}\0{__version__}\0{sys.version}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def cached(namespace: str, entry: str, make: Callable[[], T]) -> T:
    """The value stored under ``entry`` (a :func:`key`), else ``make()``, then stored."""
    folder = folder_of_cache()
    if folder is None:
        return make()
    path = folder / f"{namespace}-{entry}"
    found = _load(path)
    if found is not None:
        return cast(T, found[0])
    value = make()
    _store(folder, path, (value,))
    return value


@cache
def folder_of_cache() -> Path | None:
    """Where entries are kept, or None when there is no writable place."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    folder = Path(base) / "flowaudit"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _load(path: Path) -> tuple[Any] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        found: Any = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return found if isinstance(found, tuple) and len(found) == 1 else None


def _store(folder: Path, path: Path, value: tuple[Any]) -> None:
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return  # holds something marshal cannot store (a date, say): not kept
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # full or read-only: the value is still returned, just not kept
