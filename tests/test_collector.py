"""The collector settings every auditing process takes (flowaudit.collector)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from flowaudit.collector import OLDER, YOUNG, settle


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_what_is_alive_and_raises_the_thresholds(restored: None) -> None:
    kept = [object() for _ in range(10)]  # alive now: frozen with the rest
    gc.unfreeze()
    settle()
    assert gc.get_freeze_count() > len(kept)
    assert gc.get_threshold() == (YOUNG, OLDER, OLDER)


def test_the_command_runs_with_the_settings() -> None:
    """``python -m flowaudit`` settles before the command runs: the process reports the thresholds."""
    code = (
        "import runpy, sys, gc, atexit; sys.argv = ['flowaudit', '--version'];"
        "atexit.register(lambda: print('thresholds', gc.get_threshold(), gc.get_freeze_count() > 0));"
        "runpy.run_module('flowaudit', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert f"thresholds ({YOUNG}, {OLDER}, {OLDER}) True" in done.stdout, done.stderr
