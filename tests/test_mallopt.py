"""The C allocator's thresholds: fixed on glibc, left alone elsewhere, never an error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowaudit import mallopt

# Told here without the module's own check, which a test of it must not lean on.
glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc"
)


@glibc_only
def test_glibc_takes_the_thresholds() -> None:
    assert mallopt.fix_malloc_thresholds()


def test_elsewhere_nothing_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(name: str) -> str:
        raise ValueError(f"unrecognized configuration name {name!r}")

    monkeypatch.setattr(mallopt.os, "confstr", no_such_name)
    assert not mallopt.fix_malloc_thresholds()
    monkeypatch.setattr(mallopt.sys, "platform", "darwin")
    assert not mallopt.fix_malloc_thresholds()


@glibc_only
def test_the_heaps_top_is_not_given_back_and_taken_again() -> None:
    """Buffers under the mapping threshold, together over glibc's 128 KiB trim threshold, freed
    at the heap's top and taken again (a read's chunks, a body): once that room is kept, taking
    it again costs no page faults (2 a round at 128 KiB)."""
    code = """if True:
        import resource
        from flowaudit import mallopt
        assert mallopt.fix_malloc_thresholds()

        def churn(rounds):
            for _ in range(rounds):
                a = bytes(100_000)
                b = bytes(100_000)
                del a, b

        churn(50)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        churn(1000)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(done.stdout) < 100
