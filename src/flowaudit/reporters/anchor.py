"""Where in the repository a finding points: SARIF locations and GitHub
annotations need a file and a line.

A finding is about what the app maker declared, so it is anchored in the
declaration file: at the declared recipient's entry, or where a missing one
belongs (``Finding.declaration_line``, filled by the engine), else at line 1.
A finding about a store declaration is anchored in that privacy manifest or
Data safety CSV (``Finding.declaration_file``), so code scanning shows it on
the manifest itself.
Without a declaration, the capture itself is the only file there is.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from flowaudit.model import AuditResult, Finding


def repository_path(path: str) -> str:
    """``path`` as code scanning expects it: relative to the working
    directory (the repository root in CI), with forward slashes. A path
    outside the working directory stays absolute."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return PurePosixPath(os.path.normpath(p.as_posix())).as_posix()


def anchor(result: AuditResult, finding: Finding) -> tuple[str, int]:
    """(file, line) of the finding."""
    if finding.declaration_file:
        return repository_path(finding.declaration_file), finding.declaration_line or 1
    if result.declaration:
        return repository_path(result.declaration), finding.declaration_line or 1
    if result.inputs:
        return repository_path(result.inputs[0].path), 1
    return "flowaudit.yml", 1
