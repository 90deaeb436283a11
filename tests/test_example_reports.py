"""The committed example reports (reports/acme-health/, every format) are
what flowaudit produces today: the regeneration script is run into a
temporary folder and every file compared byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {
    "flowaudit.txt",
    "flowaudit.json",
    "flowaudit.html",
    "flowaudit.sarif",
    "flowaudit.junit.xml",
    "flowaudit.md",
    "flowaudit.csv",
}


def test_example_reports_are_current(tmp_path: Path) -> None:
    committed = ROOT / "reports/acme-health"
    fresh = tmp_path / "acme-health"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHON": sys.executable}
    subprocess.run(
        ["bash", "scripts/regenerate-reports.sh", str(fresh)], cwd=ROOT, check=True, capture_output=True, env=env
    )
    names = {p.name for p in committed.iterdir()}
    assert names == {p.name for p in fresh.iterdir()} == FORMATS
    for name in sorted(names):
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), (
            f"reports/acme-health/{name} is stale: run scripts/regenerate-reports.sh"
        )
