"""Work done once per content, kept between runs: parsed YAML and passed schema checks.

Every command reads the shipped rules (dozens of YAML files) and checks their
shape; parsing YAML in pure Python was most of a small audit's time, and
studies and CI jobs run many small audits. The results are kept in the user's
cache folder (``$XDG_CACHE_HOME/flowaudit``, else ``~/.cache/flowaudit``),
each under a key that is the SHA-256 of everything it was made from: the
file's bytes and the code and library versions that made it. A changed file
or a new flowaudit gets a new key, so an entry is never stale; old entries
are merely unused, and are pruned: a read entry has its time refreshed (at
most once a day), and whenever an entry is stored and the folder holds more
than :data:`KEEP` entries, the least recently used are removed down to four
fifths of that. Every new rules file, version and test run adds entries; a
cache that only grew would fill a CI runner's home over months.

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
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from flowaudit import __version__

T = TypeVar("T")

# Part of every key: a change of flowaudit, of Python (marshal's format) or of
# this module's layout makes every entry a new one.
_LAYOUT = 1
_DIGEST = hashlib.sha256().digest_size

KEEP = 2000
"""Entries kept at most: a few runs' worth (one run of every command stores ~50)."""

_DAY = 24 * 60 * 60


def key(*parts: bytes | str) -> str:
    """The key of what ``parts`` (file bytes, versions, names) make."""
    sha = hashlib.sha256(f"{_LAYOUT}\0{__version__}\0{sys.version}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def files_key(paths: Iterable[Path], *parts: bytes | str) -> str:
    """The key of what the files at ``paths`` (their names and bytes) and ``parts``
    (the code that reads them, say) make; raises :class:`OSError` for a file not read."""
    return key(*parts, *(part for path in paths for part in (str(path), path.read_bytes())))


def cached(namespace: str, entry: str, make: Callable[[], T]) -> T:
    """The value stored under ``entry`` (a :func:`key`), else ``make()``, then stored."""
    found = load(namespace, entry)
    if found is not None:
        return cast(T, found[0])
    value = make()
    store(namespace, entry, value)
    return value


def load(namespace: str, entry: str) -> tuple[Any] | None:
    """The value stored under ``entry`` (a :func:`key`), as a 1-tuple; None if none is kept."""
    folder = folder_of_cache()
    if folder is None:
        return None
    path = folder / f"{namespace}-{entry}"
    found = _load(path)
    if found is not None:
        _touch(path)
    return found


def store(namespace: str, entry: str, value: object) -> None:
    """Keep ``value`` under ``entry`` (a :func:`key`), if there is a place to keep it."""
    folder = folder_of_cache()
    if folder is not None and _store(folder, folder / f"{namespace}-{entry}", (value,)):
        _prune(folder)


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


def _store(folder: Path, path: Path, value: tuple[Any]) -> bool:
    """Keep ``value`` at ``path``; whether it was kept."""
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return False  # holds something marshal cannot store (a date, say): not kept
    import tempfile  # only when storing: a run that finds everything kept never needs it

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
        return False  # full or read-only: the value is still returned, just not kept
    return True


def _touch(path: Path) -> None:
    """Mark an entry as used, so pruning keeps it; at most one write a day."""
    try:
        if path.stat().st_mtime < time.time() - _DAY:
            os.utime(path)
    except OSError:
        pass  # read-only or just pruned by another run: it is still read


def _prune(folder: Path) -> None:
    """Remove the least recently used entries when there are more than :data:`KEEP`.

    Runs sharing the folder may prune at once: an entry already gone is
    skipped, and one removed while another run reads it is just made again.
    Half-written temporary files older than a day (from a killed run) go too.
    """
    try:
        with os.scandir(folder) as found:
            entries = [(item.stat().st_mtime, item.path, item.name) for item in found if item.is_file()]
    except OSError:
        return
    stale = time.time() - _DAY
    for mtime, path, name in entries:
        if name.startswith(".tmp-") and mtime < stale:
            _remove(path)
    kept = sorted(entry for entry in entries if not entry[2].startswith("."))
    if len(kept) <= KEEP:
        return
    for _, path, _ in kept[: len(kept) - KEEP * 4 // 5]:
        _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # gone already, or not ours to remove: pruning is best effort
