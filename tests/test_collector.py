"""The collector's settings while captures are audited (flowaudit.collector)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowaudit.collector import OLDER, YOUNG, tune_for_audit

CAPTURE = Path(__file__).resolve().parents[1] / "examples" / "acme-health" / "capture.mitm"


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def test_tune_for_audit_raises_the_thresholds(restored: None) -> None:
    gc.set_threshold(700, 10, 10)
    tune_for_audit()
    assert gc.get_threshold() == (YOUNG, OLDER, OLDER)


def _thresholds_at_exit(*argv: str) -> str:
    code = (
        "import runpy, sys, gc, atexit; sys.argv = ['flowaudit', *sys.argv[1:]];"
        "atexit.register(lambda: print('thresholds', gc.get_threshold()));"
        "runpy.run_module('flowaudit', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False)
    return done.stdout


def test_an_audit_runs_with_the_audit_thresholds() -> None:
    out = _thresholds_at_exit("check", str(CAPTURE), "--format", "json", "-o", "-", "--fail-on", "never")
    assert f"thresholds ({YOUNG}, {OLDER}, {OLDER})" in out


def test_other_commands_keep_pythons_defaults() -> None:
    """``record`` runs a proxy for hours whose flows can sit in cycles: it keeps the prompt defaults."""
    assert "thresholds (700, 10, 10)" in _thresholds_at_exit("--version")
