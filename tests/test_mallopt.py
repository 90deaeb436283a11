"""The C allocator's thresholds: fixed on glibc, left alone elsewhere, never an error."""

from __future__ import annotations

import os
import sys

import pytest

from flowaudit import mallopt


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc")
def test_glibc_takes_the_thresholds() -> None:
    assert mallopt.fix_malloc_thresholds()


def test_elsewhere_nothing_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(name: str) -> str:
        raise ValueError(f"unrecognized configuration name {name!r}")

    monkeypatch.setattr(mallopt.os, "confstr", no_such_name)
    assert not mallopt.fix_malloc_thresholds()
    monkeypatch.setattr(mallopt.sys, "platform", "darwin")
    assert not mallopt.fix_malloc_thresholds()
