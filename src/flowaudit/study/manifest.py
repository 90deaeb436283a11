"""The study's manifest: what a second team needs to reproduce the table.

Every input's SHA-256 (captures and declarations), the tool and rules
versions, the command line, and the SHA-256 of every output written.
Nothing time-based and no absolute paths: paths are relative to the study
folder (inputs) or the output folder (outputs), so the same inputs and the
same command give the same manifest, byte for byte, on any machine with the
same versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from flowaudit import __version__
from flowaudit.study.apps import StudyInputs
from flowaudit.study.labels import LabelTable, labels_json
from flowaudit.study.run import Outcome

MANIFEST_VERSION = 1


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relative(path: str, root: str) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _app(outcome: Outcome, root: str, reports: list[str]) -> dict[str, Any]:
    app, result = outcome.app, outcome.result
    declaration = None
    if app.declaration is not None:
        declaration = {"path": _relative(app.declaration, root), "sha256": sha256_file(app.declaration)}
    return {
        "app": app.name,
        "status": "error" if result is None else ("audited" if result.complete else "incomplete"),
        "error": outcome.error,
        "declaration": declaration,
        "store_declarations": [{"path": _relative(p, root), "sha256": sha256_file(p)} for p in app.store_files],
        "inputs": [
            {
                "path": _relative(i.path, root),
                "sha256": i.sha256,
                "format": i.format,
                "flows": i.flows,
                "complete": i.complete,
                "problem": i.problem,
            }
            for i in (result.inputs if result else ())
        ],
        "reports": reports,
    }


def build_manifest(
    study: StudyInputs,
    root: str,
    outcomes: tuple[Outcome, ...],
    reports: dict[str, list[str]],
    outputs: dict[str, str],
    rules_version: str,
    command: list[str],
    labels: LabelTable | None = None,
) -> dict[str, Any]:
    """``reports``: app -> its report files; ``outputs``: every file written
    (relative to the output folder) -> its SHA-256; ``labels``: the store
    labels' four outcomes, when any app brought a store declaration (as
    labels.csv, for programs)."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "flowaudit", "version": __version__, "rules_version": rules_version},
        # What reads the captures and could change a count: worth knowing when numbers differ.
        "environment": {"python": platform.python_version(), "mitmproxy": metadata.version("mitmproxy")},
        "command": command,
        "apps": [_app(o, root, reports.get(o.app.name, [])) for o in outcomes],
        "skipped": list(study.skipped),
        "store_labels": labels_json(labels) if labels is not None else None,
        "outputs": [{"path": path, "sha256": outputs[path]} for path in sorted(outputs)],
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
