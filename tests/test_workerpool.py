"""flowaudit's own worker processes: results in order, errors raised where they are asked for, nothing left behind."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import active_children

import pytest

from flowaudit.workerpool import PIPE_BYTES, WorkerPool, WorkerTraceback

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool forks its workers")

_started: list[str] = []  # what start() did in a worker (a forked copy of this list)


def _start(word: str) -> None:
    _started.append(word)


def _echo(value: object) -> object:
    return value


def _started_with() -> list[str]:
    return _started


def _big(size: int, fill: int) -> bytes:
    return bytes([fill]) * size


def _fail(message: str) -> None:
    raise ValueError(message)


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _unpicklable() -> object:
    return lambda: None


def _pid() -> int:
    return os.getpid()


@pytest.fixture
def nothing_left() -> Iterator[None]:
    """No worker process and no thread outlives a test."""
    threads = threading.active_count()
    yield
    assert active_children() == []
    assert threading.active_count() == threads


def test_each_worker_starts_with_the_start_it_is_given(nothing_left: None) -> None:
    with WorkerPool(2, _start, ("ready",)) as pool:
        assert pool.submit(_started_with).result() == ["ready"]
    assert _started == []  # not here


def test_results_come_back_in_order_though_they_overfill_the_pipes(nothing_left: None) -> None:
    """Jobs and results several times a pipe's size, many out at once: nothing waits for ever,
    every result is its job's."""
    with WorkerPool(2, _start, ("",)) as pool:
        jobs = [pool.submit(_big, 3 * PIPE_BYTES + n, n) for n in range(8)]
        echoes = [pool.submit(_echo, bytes(3 * PIPE_BYTES) + bytes([n])) for n in range(8)]
        for n, job in enumerate(jobs):
            assert job.result() == bytes([n]) * (3 * PIPE_BYTES + n)
        for n, job in enumerate(echoes):
            assert job.result() == bytes(3 * PIPE_BYTES) + bytes([n])


def test_done_says_whether_the_result_is_back(nothing_left: None) -> None:
    with WorkerPool(1, _start, ("",)) as pool:
        slow = pool.submit(_sleep, 0.5)
        assert not slow.done()
        assert not slow.cancel()  # sent: it runs
        slow.result()
        assert slow.done()


def test_what_a_job_raises_is_raised_by_its_result_with_the_workers_traceback(nothing_left: None) -> None:
    with WorkerPool(1, _start, ("",)) as pool:
        failing = pool.submit(_fail, "no such flow")
        after = pool.submit(_echo, 7)
        with pytest.raises(ValueError, match="no such flow") as caught:
            failing.result()
        assert isinstance(caught.value.__cause__, WorkerTraceback)
        assert "_fail" in str(caught.value.__cause__)
        assert after.result() == 7  # the worker goes on


def test_a_result_that_does_not_pickle_is_an_error_in_words(nothing_left: None) -> None:
    with WorkerPool(1, _start, ("",)) as pool, pytest.raises(RuntimeError, match="pickle"):
        pool.submit(_unpicklable).result()


def test_a_worker_that_dies_breaks_the_job_it_owes(nothing_left: None) -> None:
    with WorkerPool(1, _start, ("",)) as pool:
        os.kill(pool.submit(_pid).result(), signal.SIGKILL)
        with pytest.raises(BrokenProcessPool, match="ended abruptly"):
            pool.submit(_echo, 1).result()


def test_leaving_on_an_error_does_not_wait_for_the_job_being_done(nothing_left: None) -> None:
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), WorkerPool(1, _start, ("",)) as pool:
        pool.submit(_sleep, 60)
        raise KeyboardInterrupt
    assert time.monotonic() - began < 30


def test_leaving_with_results_unread_ends_the_workers(nothing_left: None) -> None:
    """Results not wanted (after a capture's break, say) are left in the pipe: the workers end all the same."""
    with WorkerPool(2, _start, ("",)) as pool:
        for _ in range(6):
            pool.submit(_big, PIPE_BYTES, 1)
