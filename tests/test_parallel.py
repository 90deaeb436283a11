"""Decoding and inspecting in worker processes gives exactly the sequential result."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import active_children
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import pytest
from mitmproxy.io import tnetstring

from flowaudit import parallel
from flowaudit.catalog import load_catalog
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import Auditor, Inspection
from flowaudit.errors import FlowauditError
from flowaudit.inputs.flowfile import decode_fast
from flowaudit.inputs.records import Records
from flowaudit.model import AuditResult, Observation
from flowaudit.pipeline import audit_captures
from flowaudit.workerpool import WorkerPool

DATA = Path(__file__).resolve().parent / "data"
REALWORLD = DATA / "realworld"


def same_either_way(inputs: list[str], declared: tuple[str, ...] = ()) -> AuditResult:
    """The audit with workers, required to equal the audit without, and to leave no worker
    process or thread behind."""
    inline = audit_captures(inputs, declared, jobs=0)
    threads = threading.active_count()
    workers = audit_captures(inputs, declared, jobs=2)
    assert replace(workers, created=None) == replace(inline, created=None)
    assert active_children() == [] and threading.active_count() == threads
    return inline


def inspected_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The references of the requests this process inspects from now on (workers are other processes)."""
    here: list[str] = []
    inspect = Auditor.inspect

    def counted(self: Auditor, obs: Observation) -> Inspection:
        here.append(obs.ref)
        return inspect(self, obs)

    monkeypatch.setattr(Auditor, "inspect", counted)
    return here


def test_workers_and_inline_agree_on_real_captures() -> None:
    inputs = [str(REALWORLD / "sdk"), str(REALWORLD / "browser")]  # flow files and HAR files
    # A flowaudit.yml and a folder of real SDK privacy manifests: the workers read both too.
    declared = (str(DATA / "declarations/mixpanel.yml"), str(DATA / "stores/manifests"))
    inline = same_either_way(inputs, declared)
    assert any(f.rule == "sensitive-data-to-third-party" for f in inline.findings)  # payloads were inspected
    assert any(f.rule == "store-undeclared-data-type" for f in inline.findings)


def test_the_main_process_inspects_har_entries_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one worker busy (batches of one entry each: it has five not done most of the
    time), the main process inspects batches of a HAR file's entries itself; results still
    come back in order, the same as inline."""
    har = DATA.parent / "corpus/external/coach-lansstyrelsen/capture.har"  # 222 entries, read first
    inputs = [str(har), str(REALWORLD / "sdk")]
    declared = (str(DATA / "declarations/mixpanel.yml"),)
    inline = audit_captures(inputs, declared, jobs=0)
    monkeypatch.setattr(parallel, "_BATCH", 1)
    here = inspected_here(monkeypatch)
    shared = audit_captures(inputs, declared, jobs=1)
    assert replace(shared, created=None) == replace(inline, created=None)
    assert any(ref.split("#")[0].endswith(".har") for ref in here)  # some requests were inspected here
    assert len(here) < inline.flows  # and some by the worker


def test_a_hars_batches_are_bounded_by_their_bodies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A HAR's observations go out in batches of at most _BATCH_BYTES_READ of bodies (the body
    that reaches it included): twelve batches out at a time hold at most about 48 MiB."""
    body = "x" * (700 * 1024)  # under _SENT: sent to the worker
    entries = [
        {"startedDateTime": "2024-05-01T10:00:00Z", "request": {"method": "POST", "url": f"https://a.example/{n}",
         "postData": {"mimeType": "text/plain", "text": body}}, "response": {"status": 200}}
        for n in range(40)
    ]  # fmt: skip
    har = tmp_path / "bodies.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    sizes: list[int] = []
    inspect = parallel._Audit._inspect

    def measured(self: Any, batch: list[Observation], pending: Any) -> Any:
        sizes.append(sum(len(o.body) for o in batch))
        return inspect(self, batch, pending)

    monkeypatch.setattr(parallel._Audit, "_inspect", measured)
    result = audit_captures([str(har)], (), jobs=1)
    assert result.flows == 40 and sum(sizes) == 40 * len(body)
    assert len(sizes) > 1 and max(sizes) < parallel._BATCH_BYTES_READ + len(body)


def test_the_main_process_decodes_records_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for a flow file's records: with the one worker busy, the main process decodes
    and inspects batches itself, in their turn."""
    path = tmp_path / "long.mitm"
    path.write_bytes(b"".join(real_records()) * 10)
    inline = audit_captures([str(path)], (), jobs=0)
    monkeypatch.setattr(parallel, "_BATCH", 1)
    here = inspected_here(monkeypatch)
    shared = audit_captures([str(path)], (), jobs=1)
    assert replace(shared, created=None) == replace(inline, created=None)
    assert 0 < len(here) < inline.flows == 60


def test_the_first_batch_is_done_here_before_any_worker_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers are forked once the main process has done the first batch (they start with
    what it loaded); a capture of one batch starts none."""
    records = real_records()
    started: list[list[str]] = []
    pool = parallel._pool

    def recorded(*args: Any) -> WorkerPool | ProcessPoolExecutor:
        started.append(list(here))
        return pool(*args)

    monkeypatch.setattr(parallel, "_pool", recorded)
    monkeypatch.setattr(parallel, "_BATCH", 4)
    short, long = tmp_path / "short.mitm", tmp_path / "long.mitm"
    short.write_bytes(b"".join(records[:4]))
    long.write_bytes(b"".join(records))
    here = inspected_here(monkeypatch)
    for capture in (short, long):
        inline = audit_captures([str(capture)], (), jobs=0)
        here.clear()
        shared = audit_captures([str(capture)], (), jobs=1)
        assert replace(shared, created=None) == replace(inline, created=None)
    assert len(started) == 1  # for the long capture only
    assert started[0] and all(ref.startswith(f"{long}#") and int(ref.split("#")[1]) <= 4 for ref in started[0])
    assert len(here) < len(records)  # the worker decoded the rest


def real_records() -> list[bytes]:
    """The records of every real flow file of the SDK captures, in order."""
    out = []
    for path in sorted(REALWORLD.glob("sdk/*/flows.mitm")):
        with path.open("rb") as raw:
            records = Records(raw)
            while (record := records.next()) is not None:
                out.append(bytes(record))
    return out


NOT_A_FLOW = tnetstring.dumps({"type": "nonsense"})


@pytest.mark.parametrize("batch", [1, 3, 64])
@pytest.mark.parametrize("break_", ["cut", "garbage", "not-a-flow"])
def test_a_break_ends_reading_at_the_same_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int, break_: str
) -> None:
    """Cut inside a record (found while cutting the file into records), bytes that are
    no record (the same), a record mitmproxy cannot rebuild (found by a worker): every
    flow before the break is counted, none after, with the same problem, however the
    records were batched."""
    monkeypatch.setattr(parallel, "_BATCH", batch)
    records = real_records()
    head, tail = b"".join(records[:5]), b"".join(records[5:])
    broken = {"cut": tail[: len(records[5]) // 2], "garbage": b"<html>" + tail, "not-a-flow": NOT_A_FLOW + tail}
    path = tmp_path / "broken.mitm"
    path.write_bytes(head + broken[break_])
    (info,) = same_either_way([str(path)]).inputs
    assert info.problem is not None and info.problem.startswith(
        ("truncated after flow #5", "unreadable data after flow #5")
    )


def test_a_capture_read_after_a_break_gets_its_own_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The records sent past a break are decoded all the same, their results not wanted: the
    next capture's records, decoded by the same workers after them, are the next capture's."""
    monkeypatch.setattr(parallel, "_BATCH", 1)  # many batches past the break, in flight
    records = real_records()
    broken, after = tmp_path / "a-broken.mitm", tmp_path / "b-after.mitm"
    broken.write_bytes(b"".join(records[:5]) + NOT_A_FLOW + b"".join(records * 3))
    after.write_bytes(b"".join(records))
    first, second = same_either_way([str(broken), str(after)]).inputs
    assert first.flows == 5 and second.flows == len(records) and second.complete


def test_a_flow_format_too_new_is_the_same_error_at_the_same_flow(tmp_path: Path) -> None:
    records = real_records()
    state = tnetstring.loads(records[0])
    assert isinstance(state, dict)
    path = tmp_path / "future.mitm"
    path.write_bytes(b"".join(records[:4]) + tnetstring.dumps({**state, "version": 999}) + b"".join(records[4:]))
    errors = []
    for jobs in (0, 2):
        with pytest.raises(FlowauditError) as caught:
            audit_captures([str(path)], (), jobs=jobs)
        errors.append((str(caught.value), caught.value.path))
    assert errors[0] == errors[1]
    assert "flow format version 999" in errors[0][0]


def test_large_records_are_decoded_here_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record over the size sent to workers is decoded and inspected in the main process, in its turn."""
    inputs, declared = [str(REALWORLD / "sdk")], (str(DATA / "declarations/mixpanel.yml"),)
    inline = audit_captures(inputs, declared, jobs=0)
    monkeypatch.setattr(parallel, "_SENT", 3000)  # the Sentry records, not the others
    here = inspected_here(monkeypatch)
    workers = audit_captures(inputs, declared, jobs=2)
    assert replace(workers, created=None) == replace(inline, created=None)
    decoded_here = [ref for ref in here if ref.split("#")[0].endswith(".mitm")]
    in_flow_files = sum(i.flows for i in inline.inputs if i.format == "mitm")
    assert 0 < len(decoded_here) < in_flow_files


def test_workers_are_spawned_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker would hold a copy of any lock another thread holds, never released
    there: while another thread runs, the workers are spawned (by the standard library's
    executor), with the same result."""
    pools: list[type] = []
    pool = parallel._pool

    def recorded(*args: Any) -> WorkerPool | ProcessPoolExecutor:
        made = pool(*args)
        pools.append(type(made))
        return made

    monkeypatch.setattr(parallel, "_pool", recorded)
    inputs = [str(REALWORLD / "sdk")]
    alone = sys.platform.startswith("linux") and threading.active_count() == 1
    same_either_way(inputs)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        same_either_way(inputs)
    finally:
        stop.set()
        other.join()
    assert pools == [WorkerPool if alone else ProcessPoolExecutor, ProcessPoolExecutor]


def test_a_worker_sends_back_observations_without_their_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main process counts what a worker decoded and never reads a body: all else comes back."""
    catalog = load_catalog()
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    monkeypatch.setattr(parallel, "_auditor", auditor)
    records = real_records()
    here = parallel._decode_and_inspect(
        auditor, "sdk.mitm", decode_fast, [(n, bytearray(r)) for n, r in enumerate(records, 1)]
    )
    sent = parallel._decode_batch("sdk.mitm", decode_fast, [(n, bytearray(r)) for n, r in enumerate(records, 1)])
    taken = [parallel._received(pickle.loads(ForkingPickler.dumps(result))) for result in sent]  # as the main process
    assert len(taken) == len(here) == len(records)
    bodies = 0
    for result, kept in zip(taken, here, strict=True):
        assert not isinstance(result, Exception) and not isinstance(kept, Exception)
        (decoded, inspection), (whole, same) = result, kept
        assert inspection == same and (decoded.metadata, decoded.warnings) == (whole.metadata, whole.warnings)
        assert inspection is None or all(
            type(a) is type(b) for a, b in zip(_parts(inspection), _parts(same), strict=True)
        )  # detections and problems are named tuples again
        if whole.observation is None:
            assert decoded.observation is None
            continue
        bodies += bool(whole.observation.body)
        assert decoded.observation == replace(whole.observation, body=b"")
    assert bodies > 0


@pytest.mark.parametrize(
    "headers",
    [
        (),
        (("Host", "a.example"), ("Cookie", "")),
        (("X-Odd", "a\0b"), ("Host", "a.example")),  # a NUL in a value (a HAR can hold one): sent as pairs
        (("", "x"), ("\0", "\0\0")),
    ],
)
def test_headers_are_sent_packed_and_come_back_as_they_were(headers: tuple[tuple[str, str], ...]) -> None:
    obs = Observation("h.har#1", "h.har", 1, "http", "GET", "https", "a.example", 443, "/", headers)
    values = parallel._observation_values(obs)
    sent = parallel._packed(values)
    assert isinstance(sent[parallel._HEADERS_AT], str) == (bool(headers) and "\0" not in "".join(sum(headers, ())))
    assert parallel._unpacked(pickle.loads(ForkingPickler.dumps(sent))) == values


def _parts(inspection: Inspection) -> tuple[object, ...]:
    return (*(inspection.detections or ()), *inspection.problems)


def _killed(*args: object) -> object:
    """A worker's batch that kills the worker (as the kernel's out-of-memory killer would)."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


@pytest.mark.parametrize("threads", [1, 2])  # forked (flowaudit's pool), spawned (the standard library's)
def test_a_worker_that_dies_stops_the_audit(monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    """A worker killed while it decodes is an error (the pool is broken), not an audit missing its flows;
    no worker is left behind."""
    monkeypatch.setattr(parallel, "_decode_batch", _killed)
    monkeypatch.setattr(parallel, "_inspect_batch", _killed)
    stop = threading.Event()
    others = [threading.Thread(target=stop.wait) for _ in range(threads - 1)]
    for other in others:
        other.start()
    try:
        with pytest.raises(BrokenProcessPool):
            audit_captures([str(REALWORLD / "sdk")], (), jobs=1)
    finally:
        stop.set()
        for other in others:
            other.join()
    assert active_children() == []
