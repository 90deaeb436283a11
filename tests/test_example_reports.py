"""The committed example reports are what flowaudit produces today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_example_reports_are_current(tmp_path: Path) -> None:
    committed = ROOT / "reports/acme-health"
    fresh = tmp_path / "acme-health"
    subprocess.run(
        [sys.executable, "-m", "flowaudit", "check", "examples/acme-health/capture.mitm",
         "--declared", "examples/acme-health/flowaudit.yml",
         "--format", "text", "--format", "json", "-o", str(fresh), "--fail-on", "never"],
        cwd=ROOT, check=True, capture_output=True,
    )
    names = sorted(p.name for p in committed.iterdir())
    assert names == sorted(p.name for p in fresh.iterdir())
    for name in names:
        assert (fresh / name).read_text() == (committed / name).read_text(), (
            f"reports/acme-health/{name} is stale: run scripts/regenerate-reports.sh"
        )
