"""The collector's settings while captures are audited (flowaudit.collector)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowaudit import collector, parallel
from flowaudit.catalog import load_catalog
from flowaudit.collector import FULL_EVERY, OLDER, YOUNG, audited, tune_for_audit
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import Auditor
from flowaudit.inputs.flowfile import decode_fast
from flowaudit.pipeline import audit_captures
from tests.test_parallel import real_records

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


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """The generation-2 collections of this process from now on (the number of each)."""
    done: list[int] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            done.append(len(done) + 1)

    gc.callbacks.append(counted)
    yield done
    gc.callbacks.remove(counted)


def test_a_full_collection_every_full_every_requests(restored: None, full_collections: list[int]) -> None:
    tune_for_audit()
    audited(FULL_EVERY - 1)
    assert full_collections == []
    audited()
    assert full_collections == [1]
    for _ in range(FULL_EVERY - 1):
        audited()
    assert full_collections == [1]
    audited(2 * FULL_EVERY)  # a batch of requests counts as many
    assert full_collections == [1, 2]
    tune_for_audit()  # a new audit counts from nothing
    audited(FULL_EVERY - 1)
    assert full_collections == [1, 2]


def test_a_full_collection_empties_the_free_lists(restored: None) -> None:
    """What :func:`audited` relies on: the tuples freed at once (a cache generation dropped)
    stay in the interpreter's free list until a full collection."""
    tune_for_audit()
    freed = [(n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6) for n in range(3000)]
    del freed
    assert _free_tuples(7) == 2000
    audited(FULL_EVERY)
    assert _free_tuples(7) == 0


def _free_tuples(length: int) -> int:
    """How many freed tuples of ``length`` items the interpreter keeps (sys._debugmallocstats)."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as stats:
        for line in stats:
            words = line.split()
            if len(words) > 2 and words[1] == "free" and words[2] == f"{length}-sized":
                return int(words[0])
    return 0


def test_the_main_process_counts_every_request_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored: None, full_collections: list[int]
) -> None:
    """In one process and beside a worker alike (which counts what it is sent: below)."""
    capture = tmp_path / "long.mitm"
    capture.write_bytes(b"".join(real_records()) * 40)
    monkeypatch.setattr(collector, "FULL_EVERY", 16)
    monkeypatch.setattr(parallel, "_BATCH", 4)
    flows = audit_captures([str(capture)], (), jobs=0).flows
    assert len(full_collections) >= flows // 16 >= 10
    full_collections.clear()
    audit_captures([str(capture)], (), jobs=1)
    assert len(full_collections) >= flows // 16


def test_a_worker_counts_every_request_it_is_sent(
    monkeypatch: pytest.MonkeyPatch, restored: None, full_collections: list[int]
) -> None:
    catalog = load_catalog()
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    monkeypatch.setattr(parallel, "_auditor", auditor)
    monkeypatch.setattr(collector, "FULL_EVERY", 3)
    records = [(n, bytearray(r)) for n, r in enumerate(real_records(), 1)]
    decoded = parallel._decode_and_inspect(auditor, "sdk.mitm", decode_fast, records)
    values = [parallel._observation_values(d.observation) for d, _ in decoded if d.observation is not None]
    tune_for_audit()
    gc.disable()  # only the collections counting makes
    try:
        for record in records:  # a flow file's records, one a batch
            parallel._decode_batch("sdk.mitm", decode_fast, [record])
        assert len(full_collections) == len(records) // 3 == 2
        for value in values[:3]:  # a HAR's observations
            parallel._inspect_batch([value])
        assert len(full_collections) == 3
    finally:
        gc.enable()


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
