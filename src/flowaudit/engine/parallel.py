"""Inspecting requests in worker processes while the main process reads.

Decoding and detection are most of an audit's cost and depend on nothing
but the request, while reading a capture and counting are ordered and
cheap. So the main process reads and counts, and workers inspect batches of
requests; results come back in order. At most ``_IN_FLIGHT`` batches are out
at a time, so memory stays bounded however fast the reader is.

Reading is cheap enough that the main process would mostly wait: whenever
every worker already has a batch running and one queued, it inspects the
next batch itself, so all cores inspect (on 2 cores: the one worker and the
main process, instead of one worker alone).

A batch also ends at :data:`_BATCH_BYTES` of request bodies, so the batches
in flight hold little however large the bodies; and a batch with a body over
:data:`_SENT_BODY` is inspected here, not sent: sending copies what it sends,
and a body of hundreds of megabytes is held once (flowaudit.inputs.fields).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from flowaudit.catalog import load_catalog
from flowaudit.declaration.combined import load_declared
from flowaudit.engine.analysis import Analyzer, PayloadAnalyzer
from flowaudit.engine.audit import Auditor, Inspection, inspect
from flowaudit.model import Observation

_BATCH = 64
_BATCH_BYTES = 8 * 1024 * 1024
_SENT_BODY = 1024 * 1024
_IN_FLIGHT = 8
_analyzer: Analyzer | None = None


def _start_worker(declared: tuple[str, ...]) -> None:
    global _analyzer
    catalog = load_catalog()
    _analyzer = PayloadAnalyzer(load_declared(declared, catalog), catalog)


def _inspect_batch(batch: list[tuple[Observation, bool]]) -> list[Inspection]:
    return [inspect(obs, _analyzer if analyse else None) for obs, analyse in batch]


def audit_in_workers(
    auditor: Auditor, observations: Iterable[Observation], declared: tuple[str, ...], jobs: int
) -> None:
    """Feed every observation to ``auditor``, inspected by ``jobs`` worker processes.

    The workers load the same catalog and declaration (by path) as the
    auditor's own analyzer, so the result is the same as :meth:`Auditor.add`'s.
    """
    pending: deque[tuple[list[Observation], Future[list[Inspection]]]] = deque()
    context = get_context("spawn")  # no fork: the parent may hold threads and open files
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(declared,)) as pool:
        for batch in _batches(observations):
            too_large = any(len(obs.body) > _SENT_BODY for obs in batch)
            if too_large or sum(not job.done() for _, job in pending) >= 2 * jobs:  # every worker has enough
                job: Future[list[Inspection]] = Future()
                job.set_result([auditor.inspect(obs) for obs in batch])
            else:
                job = pool.submit(_inspect_batch, [(obs, auditor.wants_payload(obs)) for obs in batch])
            pending.append((batch, job))
            while len(pending) >= _IN_FLIGHT or (pending and pending[0][1].done()):
                _drain_one(auditor, pending)
        while pending:
            _drain_one(auditor, pending)


def _batches(observations: Iterable[Observation]) -> Iterator[list[Observation]]:
    """At most :data:`_BATCH` requests, ending once their bodies reach :data:`_BATCH_BYTES`."""
    batch: list[Observation] = []
    size = 0
    for obs in observations:
        batch.append(obs)
        size += len(obs.body)
        if len(batch) == _BATCH or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _drain_one(auditor: Auditor, pending: deque[tuple[list[Observation], Future[list[Inspection]]]]) -> None:
    batch, job = pending.popleft()
    for obs, inspection in zip(batch, job.result(), strict=True):
        auditor.add_inspected(obs, inspection)
