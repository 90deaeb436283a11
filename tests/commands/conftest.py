"""Run flowaudit as a user does: a separate process, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..resultschema import valid_result_text

DATA = Path(__file__).resolve().parents[1] / "data"
REALWORLD = DATA / "realworld"
DECLARATIONS = DATA / "declarations"


@dataclass
class Run:
    code: int
    out: str
    err: str
    command: str = ""  # the subcommand run: "check", "diff", ...

    def json(self) -> dict:
        """Standard output parsed; a JSON result (of ``check`` or ``report``) checked against its schema."""
        if self.command in ("check", "report"):
            return valid_result_text(self.out)
        return json.loads(self.out)


def flowaudit(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "flowaudit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "140", **(env or {})},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, str(args[0]) if args else "")


def assert_clean_error(run: Run, *fragments: str) -> None:
    """Exit 2 with one clear message: no traceback, the fragments named."""
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert run.err.startswith("flowaudit: error: "), run.err
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)


@pytest.fixture
def realworld() -> Path:
    return REALWORLD
