"""Decoding and inspecting in worker processes while the main process reads and counts.

Decoding a request and inspecting it are most of an audit's cost and
depend on nothing but the request, while reading a capture and counting
are ordered and cheap. So the main process cuts a flow file into its
records (by their length prefixes) and sends batches of records' bytes,
exactly as read and hashed, to the workers; a worker decodes its records
(:data:`flowaudit.inputs.records.Decoding`), inspects their requests, and
sends back each record's metadata, observation and inspection. The main
process takes them in file order: notes, phases, ``file#n`` references and
the count are its own, done as without workers. A record that cannot be
decoded comes back as the exception decoding raised, and is raised at that
record: every flow before it is counted, none after, as without workers.

Cutting and counting leave the main process mostly idle, so it is a
worker too: there is one worker process per core but one
(:func:`flowaudit.pipeline.audit_captures`), and whenever every worker
already has :data:`_QUEUED` batches not done, the main process decodes and
inspects the next batch itself. What it does itself is neither sent nor
sent back, and no core waits: a worker's queue outlasts the batch the main
process is busy with.

Where it is safe, the workers are forked: each starts as a copy of the main
process, its rules, catalog and declaration already loaded, and costs
neither the start-up of a new interpreter nor a second loading of them
(:func:`_pool`). They are forked once the main process has done the first
batch itself, so they also start with what that batch loaded on first use.
They are flowaudit's own (:mod:`flowaudit.workerpool`), fed by the main
thread through pipes that hold batches, so no thread of the main process
competes with it and a worker does not wait for the main process to make
room for its results. A worker sends back each record's
results as plain tuples (:func:`_sent`): the observation's field values,
without its body, which the main process does not read, and its
detections' and problems' values; the main process makes them again without
checking them anew (:func:`_received`), as the worker is its own fork.

A HAR file is one JSON document, read by the main process: its
observations go to the workers in batches to be inspected, the main process
inspecting batches itself by the same rule, with a longer queue per worker
(:data:`_QUEUED_READ`): the main process parses the entries, so it is
longer away from the workers between batches.

At most :data:`_IN_FLIGHT` batches (more with many workers: room for each
worker's queue and one of the main process's; :data:`_IN_FLIGHT_READ` for a
HAR file's) are out at a time, each at most :data:`_BATCH` records and
:data:`_BATCH_BYTES` (:data:`_BATCH_BYTES_READ` of a HAR's bodies), so
memory stays bounded however fast the reader is. A record or body over
:data:`_SENT` is decoded and inspected here, not sent: sending copies what
it sends, and a body of hundreds of megabytes is held once
(flowaudit.inputs.fields).
"""

from __future__ import annotations

import gc
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import fields
from functools import partial
from itertools import chain
from multiprocessing import get_context
from multiprocessing.reduction import ForkingPickler
from operator import attrgetter
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from flowaudit.catalog import load_catalog
from flowaudit.collector import audited, tune_for_audit
from flowaudit.consent.signal import ConsentSignal
from flowaudit.declaration.combined import load_declared
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import Auditor, Inspection
from flowaudit.inputs import CaptureSet
from flowaudit.inputs.checked import checked_observation
from flowaudit.inputs.records import Decoded, Decoder
from flowaudit.model import Observation
from flowaudit.payload.model import DecodeProblem, Detection, new_detection
from flowaudit.pickled import as_plain_tuple
from flowaudit.workerpool import WorkerPool

if TYPE_CHECKING:  # imported where workers are spawned: a forked audit does without concurrent.futures
    from concurrent.futures import ProcessPoolExecutor

_BATCH = 64
_BATCH_BYTES = 8 * 1024 * 1024
_SENT = 1024 * 1024
_IN_FLIGHT = 8
# Batches not done per worker before the main process takes the next one. On the 2-core bench
# (20,000 flows, one worker, load average about 4), with two the worker ran out of batches while
# the main process, descheduled, was busy with one of its own: 1.46-1.56 s waiting for a job; with
# three, 0.06-0.33 s (and the main process 0.07-0.17 s waiting for results).
_QUEUED = 3
# The same for a HAR file's observations, and the batches out at a time for them. The main
# process parses a HAR's entries (a batch of 256 at a time, flowaudit.inputs.har) before it
# sends the next batch, and three batches did not last the worker that long: on the bench's
# 20,000-entry real HAR (2 cores), the worker waited 0.18-0.35 s for jobs while the main process
# was busy; with five queued, 0.03-0.06 s. Five need room for the main process's own batches
# behind them, counted in order: with 8 out at a time it waited 0.28-0.32 s for results, with
# 12, 0.08-0.15 s; both waits together 0.14-0.19 s against 0.27-0.48 s with three and 8.
# More batches out, so each holds less: 12 of 4 MiB of bodies hold less than 8 of 8 MiB did
# (the bench HAR's batches hold about 0.1 MiB).
_QUEUED_READ = 5
_IN_FLIGHT_READ = 12
_BATCH_BYTES_READ = 4 * 1024 * 1024

# What a worker sends back for a record: its metadata, observation, warnings and
# the observation's inspection; or, last, the exception decoding the record raised.
_Result = tuple[Decoded, Inspection | None] | Exception
# An inspection as a worker sends it (:func:`_sent_inspection`): the values of its detections
# (None: payload not analysed), its signals and the values of its problems.
_SentInspection = tuple[
    tuple[tuple[object, ...], ...] | None, tuple[ConsentSignal, ...], tuple[tuple[object, ...], ...]
]
# A record's result as a worker sends it (:func:`_sent`): metadata, warnings, the observation's
# field values and its inspection (both None: no observation).
_Sent = tuple[Mapping[str, object], tuple[str, ...], tuple[object, ...] | None, _SentInspection | None] | Exception
_FIELDS = tuple(f.name for f in fields(Observation))
_observation_values = attrgetter(*_FIELDS)
_BODY_AT = _FIELDS.index("body")
_HEADERS_AT = _FIELDS.index("request_headers")
_HEADERS_AFTER = _HEADERS_AT + 1
_as_problem = partial(tuple.__new__, DecodeProblem)
_auditor: Auditor | None = None  # a worker's, for inspecting only
_T = TypeVar("_T")
_S = TypeVar("_S")
_T_co = TypeVar("_T_co", covariant=True)


class _Pending(Protocol[_T_co]):
    """A batch's job: a worker's (:class:`flowaudit.workerpool.Job`, a ``Future`` of the
    executor's) or one done here (:class:`_Done`)."""

    def done(self) -> bool: ...

    def result(self) -> _T_co: ...

    def cancel(self) -> bool: ...


for _named in (Detection, DecodeProblem):  # what inspections hold, a dozen a request
    ForkingPickler.register(_named, as_plain_tuple)


def _start_worker(declared: tuple[str, ...]) -> None:
    """A spawned worker's start: it loads the catalog and declaration itself."""
    catalog = load_catalog()
    declaration = load_declared(declared, catalog)
    _adopt(Auditor(catalog, declaration, analyzer=PayloadAnalyzer(declaration, catalog)))
    tune_for_audit()


def _adopt(auditor: Auditor) -> None:
    """A worker's start, with the auditor it inspects with (a forked worker's is the main
    process's, copied by the fork)."""
    global _auditor
    _auditor = auditor
    gc.freeze()  # its rules and catalog live as long as the worker does (see flowaudit.collector)


def _ready() -> None:
    """Nothing: a first job, that makes the pool start its workers."""


def _worker() -> Auditor:
    if _auditor is None:
        raise RuntimeError("not a worker process started by audit_in_workers")
    return _auditor


def _inspect_batch(batch: list[tuple[object, ...]]) -> list[_SentInspection]:
    """The inspections of a HAR's observations, sent as their field values (made by the main
    process's reader, their texts checked there: see :func:`_received`; headers packed, see
    :func:`_packed`)."""
    auditor = _worker()
    audited(len(batch))
    return [_sent_inspection(auditor.inspect(checked_observation(_unpacked(values)))) for values in batch]


def _packed(values: tuple[object, ...]) -> tuple[object, ...]:
    """An observation's field values as sent between processes: its headers as one text, names
    and values joined by NUL, when none of them holds a NUL (else as they are).

    Pickle writes and reads each header's pair and its two texts as objects of their own, each
    with an entry in its memo: the field values of the bench HAR's first 3,537 requests took
    19 ms to write and 51 ms to read, packed 5 ms and 4 ms, and 9 ms and 10 ms to join and
    split them again."""
    headers = values[_HEADERS_AT]
    if not isinstance(headers, tuple) or not headers:
        return values
    joined = "\0".join(chain.from_iterable(headers))
    if joined.count("\0") != 2 * len(headers) - 1:
        return values  # a NUL in a name or value: the pairs could not be told apart again
    return (*values[:_HEADERS_AT], joined, *values[_HEADERS_AFTER:])


def _unpacked(values: tuple[object, ...]) -> tuple[object, ...]:
    """What :func:`_packed` was given."""
    joined = values[_HEADERS_AT]
    if not isinstance(joined, str):
        return values
    texts = joined.split("\0")
    return (*values[:_HEADERS_AT], tuple(zip(texts[::2], texts[1::2], strict=True)), *values[_HEADERS_AFTER:])


def _decode_batch(name: str, decode: Decoder, records: list[tuple[int, bytearray]]) -> list[_Sent]:
    audited(len(records))
    return [_sent(result) for result in _decode_and_inspect(_worker(), name, decode, records)]


def _sent(result: _Result) -> _Sent:
    """A worker's result as sent back: plain tuples, which pickle writes and reads without a call
    to Python code (see :func:`_received`). The observation goes without its body, which the main
    process, counting the request, never reads (half the bytes sent)."""
    if isinstance(result, Exception):
        return result
    decoded, inspection = result
    obs = decoded.observation
    if obs is None or inspection is None:
        return decoded.metadata, decoded.warnings, None, None
    values = _observation_values(obs)
    return (
        decoded.metadata,
        decoded.warnings,
        _packed((*values[:_BODY_AT], b"", *values[_BODY_AT + 1 :])),
        _sent_inspection(inspection),
    )


def _sent_inspection(inspection: Inspection) -> _SentInspection:
    """An inspection as sent back (see :func:`_sent`)."""
    detections = inspection.detections
    return (
        None if detections is None else tuple(map(tuple, detections)),
        inspection.signals,
        tuple(map(tuple, inspection.problems)),
    )


def _received(sent: _Sent) -> _Result:
    """What :func:`_sent` sent, as it was made in the worker.

    The observation is rebuilt slot by slot, without the check of its texts
    that making one does (:meth:`Observation.__post_init__`): they were checked
    when the worker made it, and what comes through the pipe is what our own
    forked process wrote, as trusted as this process's own values. Half the
    cost of taking a worker's results went to making observations anew. (So
    are a HAR's observations sent to a worker: :func:`_inspect_batch`.)"""
    if isinstance(sent, Exception):
        return sent
    metadata, warnings, values, inspection = sent
    if values is None or inspection is None:
        return Decoded(metadata, None, warnings), None
    return Decoded(metadata, checked_observation(_unpacked(values)), warnings), _received_inspection(inspection)


def _received_inspection(sent: _SentInspection) -> Inspection:
    """What :func:`_sent_inspection` sent, as it was made in the worker."""
    detections, signals, problems = sent
    return Inspection(
        None if detections is None else tuple(map(new_detection, detections)),
        signals,
        tuple(map(_as_problem, problems)),
    )


class _Received(Generic[_S, _T]):
    """A worker's job, its results as made there (by ``made``: :func:`_received`, :func:`_received_inspection`)."""

    __slots__ = ("_job", "_made")

    def __init__(self, job: _Pending[list[_S]], made: Callable[[_S], _T]) -> None:
        self._job = job
        self._made = made

    def done(self) -> bool:
        return self._job.done()

    def result(self) -> list[_T]:
        return list(map(self._made, self._job.result()))

    def cancel(self) -> bool:
        return self._job.cancel()


def _decode_and_inspect(
    auditor: Auditor, name: str, decode: Decoder, records: list[tuple[int, bytearray]]
) -> list[_Result]:
    """Each record decoded and its request inspected, up to the first record that cannot be decoded."""
    out: list[_Result] = []
    for n, record in records:
        try:
            decoded = decode(record, name, n)
        except Exception as e:  # raised in the main process, at this record (Stop, FlowauditError, ...)
            out.append(e)
            break
        obs = decoded.observation
        out.append((decoded, None if obs is None else auditor.inspect(obs)))
    return out


def audit_in_workers(auditor: Auditor, captures: CaptureSet, declared: tuple[str, ...], jobs: int) -> None:
    """Feed every observation to ``auditor``, decoded and inspected by ``jobs`` worker processes.

    The workers inspect with ``auditor`` itself (forked) or with one of the
    same catalog and declaration (by path: spawned), so the result is the same
    as :meth:`Auditor.add`'s.
    """

    def start() -> WorkerPool | ProcessPoolExecutor:
        pool = _pool(auditor, declared, jobs)
        ended.push(pool)  # ended by its __exit__, as a ``with`` of it would (its __enter__ does nothing)
        return pool

    with ExitStack() as ended:
        _Audit(auditor, start, jobs).run(captures)


def _pool(auditor: Auditor, declared: tuple[str, ...], jobs: int) -> WorkerPool | ProcessPoolExecutor:
    """``jobs`` workers, started when the first batch is sent to them (the second of the audit).

    Forked where that is safe: on Linux (macOS's system libraries do not
    survive a fork, Windows has none) while no other thread runs (a copy of a
    lock another thread holds would never be released in the worker). They
    are flowaudit's own (:mod:`flowaudit.workerpool`): fed from this thread,
    through pipes that hold batches. Nothing this process buffered for stdout
    or stderr is written again by a worker as it ends (multiprocessing flushes
    both); a worker never touches what else is open, and ends without closing
    or flushing it (``os._exit``). Elsewhere they are spawned, in an executor
    of the standard library's, and load the catalog and declaration again."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        sys.stdout.flush()
        sys.stderr.flush()
        return WorkerPool(jobs, _adopt, (auditor,))
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(declared,))
    pool.submit(_ready)
    return pool


class _Audit:
    """One audit's traffic between the main process and the pool, in file order."""

    def __init__(self, auditor: Auditor, start: Callable[[], WorkerPool | ProcessPoolExecutor], jobs: int) -> None:
        self._auditor = auditor
        self._start = start
        self._pool: WorkerPool | ProcessPoolExecutor | None = None  # started by :meth:`_workers`
        self._first = True  # no batch done yet: the next is done here (:meth:`_here`)
        self._jobs = jobs
        # Room for every worker's queue and a batch of the main process's, or it would wait for
        # the workers (3 on a 4-core machine) rather than take a batch itself.
        self._in_flight = max(_IN_FLIGHT, (_QUEUED + 1) * jobs)
        self._in_flight_read = max(_IN_FLIGHT_READ, (_QUEUED_READ + 1) * jobs)
        # The inspections of the observations decoded by :meth:`decoding`, until the capture set
        # yields those observations (at once: nothing comes between).
        self._inspected: deque[tuple[str, Inspection]] = deque()

    def run(self, captures: CaptureSet) -> None:
        pending: deque[tuple[list[Observation], _Pending[list[Inspection]]]] = deque()
        batch: list[Observation] = []  # a HAR file's, to be inspected
        size = 0
        for obs in captures.observations(self.decoding):
            audited()
            inspection = self._take(obs)
            if inspection is None:
                batch.append(obs)
                size += len(obs.body)
                if len(batch) < _BATCH and size < _BATCH_BYTES_READ:
                    continue
                pending.append((batch, self._inspect(batch, pending)))
                batch, size = [], 0
            else:
                if batch:
                    pending.append((batch, self._inspect(batch, pending)))
                    batch, size = [], 0
                if not pending:
                    self._auditor.add_inspected(obs, inspection)
                    continue
                pending.append(([obs], _Done([inspection])))
            while len(pending) >= self._in_flight_read or (pending and pending[0][1].done()):
                self._count(pending.popleft())
        if batch:
            pending.append((batch, self._inspect(batch, pending)))
        while pending:
            self._count(pending.popleft())

    def _take(self, obs: Observation) -> Inspection | None:
        """The inspection :meth:`decoding` made of ``obs``; None for an observation it did not decode."""
        if not self._inspected:
            return None
        ref, inspection = self._inspected.popleft()
        if ref != obs.ref:
            raise RuntimeError(f"inspections out of step: {ref} for {obs.ref}")
        return inspection

    def _inspect(
        self, batch: list[Observation], pending: deque[tuple[list[Observation], _Pending[list[Inspection]]]]
    ) -> _Pending[list[Inspection]]:
        if self._here((job for _, job in pending), _QUEUED_READ) or any(len(obs.body) > _SENT for obs in batch):
            return _Done([self._auditor.inspect(obs) for obs in batch])
        return _Received(
            self._workers().submit(_inspect_batch, [_packed(_observation_values(obs)) for obs in batch]),
            _received_inspection,
        )

    def _count(self, job: tuple[list[Observation], _Pending[list[Inspection]]]) -> None:
        batch, inspections = job
        for obs, inspection in zip(batch, inspections.result(), strict=True):
            self._auditor.add_inspected(obs, inspection)

    def decoding(self, records: Iterator[tuple[int, bytearray]], name: str, decode: Decoder) -> Iterator[Decoded]:
        """A flow file's records decoded and inspected by the workers (a
        :data:`flowaudit.inputs.records.Decoding`); a break in reading is
        raised once every record before it is delivered."""
        pending: deque[_Pending[list[_Result]]] = deque()
        batch: list[tuple[int, bytearray]] = []
        size = 0
        broken: Exception | None = None
        try:
            while True:
                try:
                    n, record = next(records)
                except StopIteration:
                    break
                except Exception as e:  # raised after every record before it
                    broken = e
                    break
                if len(record) > _SENT:
                    if batch:
                        pending.append(self._decode(name, decode, batch, pending))
                        batch, size = [], 0
                    pending.append(_Done(_decode_and_inspect(self._auditor, name, decode, [(n, record)])))
                else:
                    batch.append((n, record))
                    size += len(record)
                    if len(batch) == _BATCH or size >= _BATCH_BYTES:
                        pending.append(self._decode(name, decode, batch, pending))
                        batch, size = [], 0
                while len(pending) >= self._in_flight or (pending and pending[0].done()):
                    yield from self._delivered(pending.popleft())
            if batch:
                pending.append(self._decode(name, decode, batch, pending))
            while pending:
                yield from self._delivered(pending.popleft())
        finally:
            for job in pending:  # after a break: what was sent past it is not wanted
                job.cancel()
        if broken is not None:
            raise broken

    def _decode(
        self, name: str, decode: Decoder, batch: list[tuple[int, bytearray]], pending: deque[_Pending[list[_Result]]]
    ) -> _Pending[list[_Result]]:
        if self._here(pending, _QUEUED):
            return _Done(_decode_and_inspect(self._auditor, name, decode, batch))
        return _Received(self._workers().submit(_decode_batch, name, decode, batch), _received)

    def _here(self, pending: Iterable[_Pending[object]], queued: int) -> bool:
        """Whether the next batch is the main process's: the first, or one when every worker has
        ``queued`` batches not done.

        The workers start with the second batch (:meth:`_workers`), once the
        first is done here: forked then, they start with what it loaded on first
        use (modules, compiled patterns, caches), which each would otherwise load
        again (--jobs 1 on the 2,000-flow bench capture: 0.2 G instructions of
        the worker's); a capture of one batch starts none."""
        if self._first:
            self._first = False
            return True
        return sum(not job.done() for job in pending) >= queued * self._jobs

    def _workers(self) -> WorkerPool | ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._start()
        return self._pool

    def _delivered(self, job: _Pending[list[_Result]]) -> Iterator[Decoded]:
        for result in job.result():
            if isinstance(result, Exception):
                raise result
            decoded, inspection = result
            if decoded.observation is not None and inspection is not None:
                self._inspected.append((decoded.observation.ref, inspection))
            yield decoded


class _Done(Generic[_T]):
    """A job done here (as a ``Future`` would hold it, without the lock a future makes)."""

    __slots__ = ("_value",)

    def __init__(self, value: _T) -> None:
        self._value = value

    def done(self) -> bool:
        return True

    def result(self) -> _T:
        return self._value

    def cancel(self) -> bool:
        return False
