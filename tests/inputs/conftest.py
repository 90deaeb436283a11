"""Shared helpers for the capture-reading tests: where the real captures are, and reading one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import InputInfo, Observation

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
TESTDATA = REALWORLD / "mitmproxy-testdata"

Read = Callable[..., tuple[list[Observation], tuple[InputInfo, ...]]]


@pytest.fixture
def read() -> Read:
    """Read inputs to the end: (observations, custody info)."""

    def _read(*paths: str | Path) -> tuple[list[Observation], tuple[InputInfo, ...]]:
        captures = open_inputs([str(p) for p in paths])
        observations = list(captures)
        return observations, captures.inputs

    return _read
