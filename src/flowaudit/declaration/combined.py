"""Everything given with ``--declared``: a ``flowaudit.yml`` and store files, merged.

Each path is sniffed by content: an Apple privacy manifest (XML or binary
plist), a Google Play Data safety CSV, or else a ``flowaudit.yml`` (at most
one). A folder adds every ``*.xcprivacy`` and ``*.csv`` in it that is one of
the two store kinds, shallowest first, so that an app's own manifest comes
before those of the SDKs under ``Pods/`` or a package checkout. The YAML's
``include:`` adds more, relative to the YAML file. Recipients, canaries,
first-party domains and consent come from the YAML alone; the store files
add which data the app says it collects (:class:`StoreDeclaration`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from flowaudit.declaration.loader import EntityCatalog, load_declaration
from flowaudit.declaration.model import DEFAULT_CONSENT_CATEGORIES, Canaries, Declaration
from flowaudit.errors import FlowauditError
from flowaudit.model import DeclarationFile
from flowaudit.stores.kinds import looks_like_data_safety, looks_like_manifest
from flowaudit.stores.model import AppleManifest, PlayAnswers, StoreDeclaration

FLOWAUDIT = "flowaudit"
APPLE_MANIFEST = "apple-privacy-manifest"
PLAY_DATA_SAFETY = "play-data-safety"
_STORE_SUFFIXES = (".xcprivacy", ".csv")
_HEAD = 4096
# A folder is searched this deep and no further (an iOS project with its Pods is far shallower).
_MAX_FILES = 20_000


def load_declared(paths: Sequence[str], catalog: EntityCatalog) -> Declaration | None:
    """The declaration all of ``paths`` make together; None when none is given.

    One path given as a plain string is one path (never its characters)."""
    if isinstance(paths, str):
        paths = (paths,)
    if not paths:
        return None
    yaml_path: str | None = None
    stores: list[tuple[str, str]] = []
    for path in paths:
        if os.path.isdir(path):
            stores += _in_folder(path)
            continue
        kind = sniff(path)
        if kind != FLOWAUDIT:
            stores.append((path, kind))
        elif yaml_path is not None:
            raise FlowauditError(
                f"a second flowaudit.yml (the first is {yaml_path})",
                path=path,
                hint="give one flowaudit.yml; add store files with --declared or its `include:`",
            )
        else:
            yaml_path = path
    declaration = load_declaration(yaml_path, catalog) if yaml_path is not None else None
    if declaration is not None and declaration.source is not None:
        stores += _included(declaration)
    store, files = _read_stores(stores)
    if declaration is None:
        declaration = Declaration(
            path=files[0].path,
            app=None,
            first_party=(),
            audience="general",
            recipients=(),
            canaries=Canaries(),
            consent_required_for=DEFAULT_CONSENT_CATEGORIES,
            redact=(),
            source=None,
        )
    else:
        files = (DeclarationFile(declaration.path, FLOWAUDIT, _sha256(declaration.path)), *files)
    return replace(declaration, store=store, files=files)


def sniff(path: str) -> str:
    """What a file is, by its first bytes: a store file's kind, else "flowaudit" (a YAML declaration)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except FileNotFoundError:
        raise FlowauditError("file not found", path=path) from None
    except OSError as err:
        raise FlowauditError(f"cannot be read: {err.strerror or err}", path=path) from None
    if looks_like_manifest(head):
        return APPLE_MANIFEST
    if looks_like_data_safety(head):
        return PLAY_DATA_SAFETY
    return FLOWAUDIT


def store_files_in(folder: str) -> list[tuple[str, str]]:
    """(path, kind) of every store declaration in ``folder``, shallowest first (none: empty)."""
    return [(path, kind) for path in _candidates(folder) if (kind := sniff(path)) != FLOWAUDIT]


def _in_folder(folder: str) -> list[tuple[str, str]]:
    found = store_files_in(folder)
    if not found:
        raise FlowauditError(
            "holds no privacy manifest (PrivacyInfo.xcprivacy) or Data safety CSV",
            path=folder,
            hint="give the folder that holds them, or the files themselves",
        )
    return found


def _candidates(folder: str) -> Iterator[str]:
    paths: list[str] = []
    seen = 0
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            seen += 1
            if seen > _MAX_FILES:
                raise FlowauditError(
                    f"holds more than {_MAX_FILES} files: not a folder of store declarations",
                    path=folder,
                    hint="give the app's folder (with its Pods/ or package checkouts), not a whole disk",
                )
            if name.endswith(_STORE_SUFFIXES):
                paths.append(os.path.join(root, name))
    yield from sorted(paths, key=lambda p: (len(Path(p).relative_to(folder).parts), p))


def _included(declaration: Declaration) -> list[tuple[str, str]]:
    assert declaration.source is not None
    base = Path(declaration.path).parent
    out: list[tuple[str, str]] = []
    for index, written in enumerate(declaration.source.value.get("include", [])):
        target = str(base / written)
        if os.path.isdir(target):
            out += _in_folder(target)
            continue
        if not os.path.exists(target):
            raise FlowauditError(
                f"`include[{index}]`: {target} does not exist",
                path=declaration.path,
                line=declaration.source.line_of(("include", index)),
                hint="paths in `include:` are relative to this file",
            )
        kind = sniff(target)
        if kind == FLOWAUDIT:
            raise FlowauditError(
                f"`include[{index}]`: {target} is neither a privacy manifest nor a Data safety CSV",
                path=declaration.path,
                line=declaration.source.line_of(("include", index)),
                hint="include PrivacyInfo.xcprivacy files, Data safety CSVs exported from Play Console, or folders",
            )
        out.append((target, kind))
    return out


def _read_stores(stores: list[tuple[str, str]]) -> tuple[StoreDeclaration, tuple[DeclarationFile, ...]]:
    apple: list[AppleManifest] = []
    play: list[PlayAnswers] = []
    files: list[DeclarationFile] = []
    seen: set[str] = set()
    for path, kind in stores:
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        if kind == APPLE_MANIFEST:
            from flowaudit.stores.apple import read_manifest  # each reader only when its kind of file is given

            manifest = read_manifest(path)
            apple.append(manifest)
            files.append(DeclarationFile(path, kind, manifest.sha256))
        else:
            from flowaudit.stores.play import read_data_safety

            answers = read_data_safety(path)
            play.append(answers)
            files.append(DeclarationFile(path, kind, answers.sha256))
    return StoreDeclaration(apple=tuple(apple), play=tuple(play)), tuple(files)


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
