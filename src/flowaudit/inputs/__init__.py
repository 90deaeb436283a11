"""Capture inputs: the files and folders a user names, read as one stream of observations.

Everything that can be checked without reading whole files is checked when
the set is opened (paths exist, each named file is a capture, each folder
holds one), so a typo fails at once with exit status 2 instead of after a
long audit. Reading itself streams: one flow or HAR entry in memory at a
time, whatever the size of the capture.

Folders are walked recursively in sorted path order; files that are not
captures (the client script, a page, a README) are passed over, and so are
hidden files and folders (``.git``). A file named twice (directly and
through its folder, say) is read once, at its first mention, so no flow is
counted twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowaudit.errors import FlowauditError
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.records import Decoding, decode_in_turn
from flowaudit.inputs.sniff import Sniffed, sniff
from flowaudit.inputs.stream import ByteSource, HashingReader, InflatingReader
from flowaudit.model import InputInfo, Observation

__all__ = ["CaptureSet", "open_inputs"]

Reader = Callable[[ByteSource, str, CaptureNotes, Decoding], Generator[Observation, None, str | None]]
_EXPECTED = "expected a mitmproxy flow file or a HAR file"


@dataclass(frozen=True, slots=True)
class _Capture:
    path: Path
    source: str  # as the user named it, or folder/relative for a file found in a folder
    format: str  # "mitm" or "har"
    compressed: bool
    empty: bool = False  # a file of 0 bytes, accepted (``--allow-empty``): read as holding no flow


EMPTY_FILE = "the file is empty: nothing was captured into it"


class CaptureSet:
    """The observations of every input, in the order the inputs were named."""

    def __init__(self, paths: Sequence[str], accept_empty: bool = False) -> None:
        if not paths:
            raise FlowauditError("no capture given: name a mitmproxy flow file, a HAR file or a folder")
        self._captures = _resolve(paths, accept_empty)
        self._infos: list[InputInfo] = []

    def __iter__(self) -> Iterator[Observation]:
        return self.observations()

    def observations(self, decoding: Decoding = decode_in_turn) -> Iterator[Observation]:
        """The observations, flow files' records decoded by ``decoding`` (worker
        processes, say: :data:`flowaudit.inputs.records.Decoding`)."""
        self._infos = []
        for capture in self._captures:
            yield from self._read(capture, decoding)

    @property
    def size(self) -> int:
        """Bytes on disk of every capture in the set (to size the work before reading)."""
        return sum(capture.path.stat().st_size for capture in self._captures)

    @property
    def inputs(self) -> tuple[InputInfo, ...]:
        """Custody facts of each input read so far; complete once iteration has finished."""
        return tuple(self._infos)

    def _read(self, capture: _Capture, decoding: Decoding) -> Generator[Observation, None, None]:
        try:
            with capture.path.open("rb") as raw:
                hashing = HashingReader(raw)
                stream: ByteSource = InflatingReader(hashing) if capture.compressed else hashing
                flows = 0
                notes = CaptureNotes()
                if capture.empty:
                    notes.warn(EMPTY_FILE)
                    reading: Iterator[Observation] = iter(())
                else:
                    reading = _reader(capture.format)(stream, capture.source, notes, decoding)
                while True:
                    try:
                        observation = next(reading)
                    except StopIteration as done:
                        problem: str | None = done.value
                        break
                    flows += 1
                    yield observation
                sha256 = hashing.finish()
        except OSError as e:
            raise FlowauditError(f"cannot read: {e.strerror or e}", path=capture.source) from e
        self._infos.append(
            InputInfo(
                path=capture.source,
                sha256=sha256,
                format=capture.format,
                flows=flows,
                complete=problem is None,
                problem=problem,
                app=notes.app,
                device=notes.device,
                started=notes.started,
                page_hosts=tuple(notes.page_hosts),
                warnings=notes.all_warnings(),
            )
        )


def open_inputs(paths: Sequence[str], accept_empty: bool = False) -> CaptureSet:
    """Check the inputs the user named and return them ready to stream.

    Raises :class:`FlowauditError` for a missing path, a named file that is
    not a capture (or is empty, unless ``accept_empty``: what ``mitmdump -w``
    leaves when nothing went through is then read as holding no flow, with a
    warning), or a folder without any capture.
    """
    return CaptureSet(paths, accept_empty)


def _resolve(paths: Sequence[str], accept_empty: bool) -> tuple[_Capture, ...]:
    captures: list[_Capture] = []
    seen: set[Path] = set()
    for typed in paths:
        for capture in _captures_at(typed, accept_empty):
            real = capture.path.resolve()
            if real not in seen:
                seen.add(real)
                captures.append(capture)
    return tuple(captures)


def _captures_at(typed: str, accept_empty: bool) -> list[_Capture]:
    path = Path(typed)
    if path.is_dir():
        return _captures_in_folder(typed, path)
    if not path.exists():
        raise FlowauditError("no such file or folder", path=typed)
    if not path.is_file():
        raise FlowauditError(f"not a regular file or folder; {_EXPECTED}", path=typed)
    sniffed = _sniff(path, typed)
    if sniffed.format is None:
        if sniffed.empty and accept_empty:
            named = "har" if path.suffix.lower() == ".har" else "mitm"  # nothing inside says which
            return [_Capture(path, typed, named, compressed=False, empty=True)]
        if sniffed.empty:
            raise FlowauditError(
                EMPTY_FILE,
                path=typed,
                hint="check that traffic went through the proxy while recording; "
                "--allow-empty accepts an empty capture on purpose",
            )
        raise FlowauditError(f"not a capture: {_EXPECTED} (found {sniffed.found})", path=typed)
    return [_Capture(path, typed, sniffed.format, sniffed.compressed)]


def _captures_in_folder(typed: str, folder: Path) -> list[_Capture]:
    found: list[_Capture] = []
    looked_at = 0
    for relative in _files_under(folder):
        looked_at += 1
        path, shown = folder / relative, os.path.join(typed, relative)
        sniffed = _sniff(path, shown)
        if sniffed.format is not None:
            found.append(_Capture(path, shown, sniffed.format, sniffed.compressed))
    if not found:
        raise FlowauditError(
            f"no capture in this folder ({looked_at} file{'s' if looked_at != 1 else ''} looked at); {_EXPECTED}",
            path=typed,
        )
    return found


def _files_under(folder: Path) -> list[str]:
    """Relative paths of the regular, non-hidden files under ``folder``, sorted."""
    files: list[str] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            full = os.path.join(root, name)
            if not name.startswith(".") and os.path.isfile(full):
                files.append(os.path.relpath(full, folder))
    return sorted(files, key=lambda p: Path(p).parts)


def _reader(capture_format: str) -> Reader:
    """The reader of a format, imported only when a file of that format is
    read: a command that reads no capture (``report``) loads neither."""
    if capture_format == "har":
        from flowaudit.inputs.har import read_har

        return lambda source, name, notes, _: read_har(source, name, notes)  # records are a flow file's
    from flowaudit.inputs.flowfile import read_flow_file

    return read_flow_file


def _sniff(path: Path, shown: str) -> Sniffed:
    try:
        return sniff(path)
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror or e}", path=shown) from e
