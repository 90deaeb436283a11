"""Fixtures for the reporter tests: hand-built results (results.py), crafted
captures (captures.py), and one headless Chromium for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowaudit.model import AuditResult

from .browser import CHROMIUM, Browser
from .results import full_result, hostile_result


@pytest.fixture
def full() -> AuditResult:
    return full_result()


@pytest.fixture
def hostile() -> AuditResult:
    return hostile_result()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    b = Browser()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots and PDFs are kept: $FLOWAUDIT_TEST_ARTIFACTS, else
    pytest's kept temporary folder (the path is printed)."""
    chosen = os.environ.get("FLOWAUDIT_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nreport test artifacts: {folder}")
    return folder
