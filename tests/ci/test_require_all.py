"""Under FLOWAUDIT_REQUIRE_ALL=1 (CI) a skipped test fails the run (tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, require_all: bool, marker: str = "") -> subprocess.CompletedProcess[str]:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_needs_a_tool.py").write_text(
        f"import pytest\n\n{marker}\ndef test_needs_a_tool():\n    pytest.skip('the tool is not installed')\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "FLOWAUDIT_REQUIRE_ALL"}
    if require_all:
        env["FLOWAUDIT_REQUIRE_ALL"] = "1"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_a_skip_fails_when_every_tool_is_required(tmp_path: Path) -> None:
    run = _run(tmp_path, require_all=True)
    assert run.returncode == 1, run.stdout
    assert "1 failed" in run.stdout
    assert "skipped under FLOWAUDIT_REQUIRE_ALL=1" in run.stdout and "the tool is not installed" in run.stdout


def test_a_skip_is_a_skip_elsewhere(tmp_path: Path) -> None:
    run = _run(tmp_path, require_all=False)
    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout


def test_only_a_test_of_the_shared_data_may_skip(tmp_path: Path) -> None:
    run = _run(tmp_path, require_all=True, marker="@pytest.mark.needs_shared")
    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout
