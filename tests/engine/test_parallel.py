"""Inspecting payloads in worker processes gives exactly the sequential result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flowaudit.engine import parallel
from flowaudit.engine.audit import Auditor, Inspection
from flowaudit.model import Observation
from flowaudit.pipeline import audit_captures

DATA = Path(__file__).resolve().parents[1] / "data"


def test_workers_and_inline_agree_on_real_captures() -> None:
    inputs = [str(DATA / "realworld/sdk"), str(DATA / "realworld/browser")]
    # A flowaudit.yml and a folder of real SDK privacy manifests: the workers read both too.
    declared = (str(DATA / "declarations/mixpanel.yml"), str(DATA / "stores/manifests"))
    inline = audit_captures(inputs, declared, jobs=0)
    workers = audit_captures(inputs, declared, jobs=2)
    assert replace(workers, created=None) == replace(inline, created=None)
    assert any(f.rule == "sensitive-data-to-third-party" for f in inline.findings)  # payloads were inspected
    assert any(f.rule == "store-undeclared-data-type" for f in inline.findings)


def test_the_main_process_inspects_too_and_the_result_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one worker busy (it is still starting, spawned), the main process inspects
    batches itself; results still come back in order, the same as inline."""
    inputs = [str(DATA / "realworld/sdk"), str(DATA / "realworld/browser")]
    declared = (str(DATA / "declarations/mixpanel.yml"),)
    inline = audit_captures(inputs, declared, jobs=0)
    monkeypatch.setattr(parallel, "_BATCH", 1)
    here: list[str] = []
    inspect = Auditor.inspect

    def counted(self: Auditor, obs: Observation) -> Inspection:
        here.append(obs.ref)
        return inspect(self, obs)

    monkeypatch.setattr(Auditor, "inspect", counted)
    shared = audit_captures(inputs, declared, jobs=1)
    assert replace(shared, created=None) == replace(inline, created=None)
    assert here  # some requests were inspected in this process
    assert len(here) < inline.flows  # and some by the worker
