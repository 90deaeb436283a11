"""Inspecting payloads in worker processes gives exactly the sequential result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flowaudit.pipeline import audit_captures

DATA = Path(__file__).resolve().parents[1] / "data"


def test_workers_and_inline_agree_on_real_captures() -> None:
    inputs = [str(DATA / "realworld/sdk"), str(DATA / "realworld/browser")]
    declared = str(DATA / "declarations/mixpanel.yml")
    inline = audit_captures(inputs, declared, jobs=0)
    workers = audit_captures(inputs, declared, jobs=2)
    assert replace(workers, created=None) == replace(inline, created=None)
    assert any(f.rule == "sensitive-data-to-third-party" for f in inline.findings)  # payloads were inspected
