"""Finding the apps of a study folder.

``DIR/<app>/`` is one app: every capture under it (recursively; scripts,
pages and READMEs beside them are passed over) plus an optional
``DIR/<app>/flowaudit.yml`` and the app's store declarations anywhere under
it (privacy manifests, Data safety CSVs; see
:func:`flowaudit.declaration.combined.store_files_in`). A capture file directly in ``DIR`` is an app of
its own, named after the file. Anything else at the top is skipped and
listed in the manifest, so nothing is left out silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flowaudit.declaration.combined import store_files_in
from flowaudit.errors import FlowauditError
from flowaudit.inputs.sniff import sniff

DECLARATION = "flowaudit.yml"


@dataclass(frozen=True, slots=True)
class App:
    name: str  # the folder (or file stem) name: the matrix row
    inputs: tuple[str, ...]  # what to hand the capture reader
    declaration: str | None
    store_files: tuple[str, ...] = ()  # privacy manifests and Data safety CSVs it brings

    @property
    def declared(self) -> tuple[str, ...]:
        """Everything to hand ``--declared``: the flowaudit.yml, then the store files."""
        return (*((self.declaration,) if self.declaration else ()), *self.store_files)


@dataclass(frozen=True, slots=True)
class StudyInputs:
    apps: tuple[App, ...]
    skipped: tuple[str, ...]  # top-level entries that are neither an app folder nor a capture


def find_apps(folder: str) -> StudyInputs:
    root = Path(folder)
    if not root.is_dir():
        raise FlowauditError(
            "not a folder" if root.exists() else "no such folder",
            path=folder,
            hint="a study folder holds one folder (or one capture file) per app",
        )
    apps: list[App] = []
    skipped: list[str] = []
    for name in sorted(os.listdir(root)):
        if name.startswith("."):
            continue
        path = root / name
        shown = os.path.join(folder, name)
        if path.is_dir():
            declaration = path / DECLARATION
            stores = tuple(found for found, _ in store_files_in(shown))
            apps.append(
                App(name, (shown,), os.path.join(shown, DECLARATION) if declaration.is_file() else None, stores)
            )
        elif path.is_file() and _is_capture(path, shown):
            apps.append(App(path.stem, (shown,), None))
        else:
            skipped.append(name)
    if not apps:
        raise FlowauditError(
            "no app in this study folder",
            path=folder,
            hint="put each app's captures in a folder of its own: DIR/<app>/flows.mitm (and DIR/<app>/flowaudit.yml)",
        )
    _refuse_duplicate_names(apps, folder)
    return StudyInputs(tuple(apps), tuple(skipped))


def _is_capture(path: Path, shown: str) -> bool:
    try:
        return sniff(path).format is not None
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror or e}", path=shown) from e


def _refuse_duplicate_names(apps: list[App], folder: str) -> None:
    seen: dict[str, str] = {}
    for app in apps:
        if app.name in seen:
            raise FlowauditError(
                f"two apps named '{app.name}': {seen[app.name]} and {app.inputs[0]}",
                path=folder,
                hint="rename one: each app needs a name of its own in the matrix",
            )
        seen[app.name] = app.inputs[0]
