"""Worker processes forked from this one, fed from the calling thread.

:mod:`flowaudit.parallel` sends batches to workers and counts their results
in order. :class:`concurrent.futures.ProcessPoolExecutor` did that through
two threads of the main process (one pickles and writes jobs, one reads and
unpickles results), which take the interpreter's lock from the main thread
in turns, and through pipes of 64 KiB: less than one batch's results (110 KB
on average for the bench capture's batches of 64 flows), so a worker waited
to write them whenever the main process was busy with a batch of its own:
on the bench's 20,000 flows, 0.5 s on a nearly idle machine, 1.7 to 2.3 s on
a loaded one (and 0.5 to 0.7 s more waiting for its next job); here, 0.04 s
and 0.07 to 0.16 s in all. The calling thread does the traffic
itself, and each worker's two pipes (jobs in, results out) are enlarged to
:data:`PIPE_BYTES` where the system allows it (Linux's ``F_SETPIPE_SZ``, up
to ``/proc/sys/fs/pipe-max-size``, 1 MiB by default).

A message is a pickle after its length. The main process's ends are
non-blocking: what of a job does not fit in the pipe waits in memory and is
written whenever it next looks at that worker, so it never waits for room
while the worker waits for room to write results: neither can wait for the
other. A worker does its jobs in turn, so results come back in the order the
jobs went out. A job that raises sends its exception back, raised by
:meth:`Job.result` with the worker's traceback as its cause; a worker that
ends abruptly (killed, out of memory) is seen as the end of its results
pipe, and the job it owes raises ``BrokenProcessPool``, as the executor's
would.

Workers are forked, so only where forking is safe (the caller's to judge:
:func:`flowaudit.parallel.audit_in_workers`). A worker ignores Ctrl-C, which
reaches the whole process group: the main process stops it, by closing its
pipes (it then ends at its next read or write) or, when the main process
leaves on an exception, by a SIGTERM, not waiting for the job it is doing.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections import deque
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.reduction import ForkingPickler
from types import TracebackType
from typing import Any, Generic, TypeVar

__all__ = ["PIPE_BYTES", "Job", "WorkerPool"]

PIPE_BYTES = 1024 * 1024
"""Room asked for in each pipe: about three of the bench capture's batches of records."""

_HEADER = struct.Struct("<Q")  # the length of the pickle that follows
_T = TypeVar("_T")


class WorkerTraceback(Exception):
    """The traceback of an exception a job raised in a worker (the cause of the one raised here)."""


class Job(Generic[_T]):
    """A job sent to a worker: done once its result has been read back."""

    __slots__ = ("_reply", "_worker")

    def __init__(self, worker: _Worker) -> None:
        self._worker = worker
        self._reply: bytearray | None = None  # unpickled by result(): an unwanted job's never is

    def done(self) -> bool:
        if self._reply is None:
            self._worker.receive()
        return self._reply is not None

    def result(self) -> _T:
        """The job's value, once the worker has sent it (waiting for it); or what it raised, raised."""
        while self._reply is None:
            self._worker.wait()
        value, error, remote = pickle.loads(self._reply)
        if error is not None:
            raise error from WorkerTraceback(remote)
        return value  # type: ignore[no-any-return]

    def cancel(self) -> bool:
        """False: a job sent is done, its result read and dropped (as a running future's cancel)."""
        return False


class WorkerPool:
    """``count`` forked workers, each of which runs ``start(*args)`` first."""

    def __init__(self, count: int, start: Callable[..., None], args: tuple[Any, ...]) -> None:
        self._workers: list[_Worker] = []
        try:
            for _ in range(count):
                # Each worker closes the main process's ends of every pipe made so far, so that
                # a pipe's end is seen when the main process closes it (or ends).
                ours = tuple(fd for worker in self._workers for fd in worker.fds)
                self._workers.append(_Worker(start, args, ours))
        except BaseException:
            self.close(terminate=True)
            raise

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close(terminate=kind is not None)

    def submit(self, fn: Callable[..., _T], *args: object) -> Job[_T]:
        """``fn(*args)`` in the worker owing the fewest results."""
        for worker in self._workers:
            worker.receive()
        return min(self._workers, key=len).submit(fn, args)

    def close(self, *, terminate: bool = False) -> None:
        """Stop the workers and wait for them to end (``terminate``: without letting them finish a job)."""
        for worker in self._workers:
            worker.close(terminate)
        for worker in self._workers:
            worker.join()


class _Worker:
    """One worker process, its two pipes and the jobs it owes results for, in order."""

    def __init__(self, start: Callable[..., None], args: tuple[Any, ...], inherited: tuple[int, ...]) -> None:
        their_jobs, self._jobs_fd = os.pipe()
        self._results_fd, their_results = os.pipe()
        self.fds = (self._jobs_fd, self._results_fd)
        for fd in (self._jobs_fd, their_results):
            _enlarge(fd)
        self._process = get_context("fork").Process(
            target=_serve, args=(their_jobs, their_results, (*inherited, *self.fds), start, args), name="flowaudit"
        )
        try:
            self._process.start()
        except BaseException:  # no worker (fork refused): no pipe either
            os.close(self._jobs_fd)
            os.close(self._results_fd)
            raise
        finally:
            os.close(their_jobs)
            os.close(their_results)
        os.set_blocking(self._jobs_fd, False)
        os.set_blocking(self._results_fd, False)
        self._owed: deque[Job[Any]] = deque()
        self._out: deque[memoryview] = deque()  # of jobs sent, what the pipe had no room for yet
        self._head = bytearray(_HEADER.size)  # of the result being read
        self._body: bytearray | None = None  # the result being read, once its length is known
        self._filled = 0  # bytes read of the one or the other
        self._open = True
        self._poll = select.poll()  # for wait(): a result to read, or room for what waits to go out
        self._poll.register(self._results_fd, select.POLLIN)
        self._poll.register(self._jobs_fd, 0)

    def __len__(self) -> int:
        return len(self._owed)

    def submit(self, fn: Callable[..., _T], args: tuple[object, ...]) -> Job[_T]:
        job: Job[_T] = Job(self)
        message = ForkingPickler.dumps((fn, args))  # the reducers multiprocessing registers
        self._out.extend((memoryview(_HEADER.pack(len(message))), memoryview(message)))
        self._owed.append(job)
        self._send()
        return job

    def receive(self) -> None:
        """Read what the results pipe holds now (and write what waits to go out)."""
        self._send()
        while self._read():
            pass

    def wait(self) -> None:
        """Wait until the next result owed has been read."""
        owed = len(self._owed)
        while len(self._owed) == owed:
            self._send()
            if self._read():
                continue
            self._poll.modify(self._jobs_fd, select.POLLOUT if self._out else 0)
            self._poll.poll()

    def _send(self) -> None:
        while self._out:
            try:
                sent = os.write(self._jobs_fd, self._out[0])
            except BlockingIOError:
                return
            except BrokenPipeError:  # the worker has ended: its results pipe says how
                self._out.clear()
                return
            if sent == len(self._out[0]):
                self._out.popleft()
            else:
                self._out[0] = self._out[0][sent:]

    def _read(self) -> bool:
        """Read once from the results pipe; False when it holds nothing now."""
        target = self._head if self._body is None else self._body
        try:
            got = os.readv(self._results_fd, [memoryview(target)[self._filled :]])
        except BlockingIOError:
            return False
        if got == 0:
            from concurrent.futures.process import BrokenProcessPool  # what the executor raises (not loaded till then)

            self._process.join(5)
            raise BrokenProcessPool(f"a worker process ended abruptly (exit code {self._process.exitcode})")
        self._filled += got
        if self._filled == len(target):
            self._filled = 0
            if self._body is None:
                self._body = bytearray(_HEADER.unpack(self._head)[0])
            else:
                self._owed.popleft()._reply, self._body = self._body, None
        return True

    def close(self, terminate: bool) -> None:
        if not self._open:
            return
        self._open = False
        if terminate and self._process.is_alive():
            self._process.terminate()
        # Results first: a worker writing one ends at once, rather than after the jobs still queued.
        os.close(self._results_fd)
        os.close(self._jobs_fd)

    def join(self) -> None:
        self._process.join()


def _enlarge(fd: int) -> None:
    """Room for :data:`PIPE_BYTES` in a pipe, where the system gives it."""
    if sys.platform.startswith("linux"):
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:  # over the system's limit for this user: the pipe keeps its size
            pass


def _serve(
    jobs: int, results: int, inherited: tuple[int, ...], start: Callable[..., None], args: tuple[Any, ...]
) -> None:
    """A worker's life: its start, then each job read, run and its result written, until the
    main process closes either pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in inherited:
        os.close(fd)
    start(*args)
    while (message := _read_message(jobs)) is not None:
        fn, fn_args = pickle.loads(message)
        del message
        try:
            reply = _dumps((fn(*fn_args), None, None))
        except Exception as e:  # sent back, raised in the main process
            reply = _dumps((None, e, "".join(traceback.format_exception(e))))
        del fn_args
        try:
            _write_all(results, _HEADER.pack(len(reply)))
            _write_all(results, reply)
        except BrokenPipeError:  # the main process wants no more
            return


def _dumps(reply: tuple[object, BaseException | None, str | None]) -> memoryview:
    try:
        return ForkingPickler.dumps(reply)
    except Exception as e:  # an exception or value that does not pickle: said in words
        _, error, remote = reply
        why = error if error is not None else e
        return ForkingPickler.dumps((None, RuntimeError(f"{type(why).__name__}: {why}"), remote or ""))


def _read_message(fd: int) -> bytearray | None:
    """The next message, or None at the end of the pipe."""
    head = _read_exactly(fd, _HEADER.size)
    if head is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(head)[0])


def _read_exactly(fd: int, size: int) -> bytearray | None:
    out = bytearray(size)
    view = memoryview(out)
    filled = 0
    while filled < size:
        got = os.readv(fd, [view[filled:]])
        if got == 0:
            return None
        filled += got
    return out


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
