"""The live terminal view: tables where they fit, the plain layout where they would cut ids."""

from __future__ import annotations

import io

from rich.console import Console

from flowaudit.model import AuditResult
from flowaudit.reporters.text import TABLES_FROM, renderable
from flowaudit.reporters.verdict import verdict


def shown(result: AuditResult, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=True, color_system=None).print(renderable(result))
    return buffer.getvalue()


def test_a_narrow_terminal_gets_whole_ids(full: AuditResult) -> None:
    text = shown(full, 80)
    assert "┃" not in text
    tokens = {token.strip(",.;()") for token in text.split()}
    for r in full.recipients:
        assert set(r.data_types) <= tokens and set(r.hosts) <= tokens, r.entity


def test_a_wide_terminal_gets_tables_and_the_same_verdict(full: AuditResult) -> None:
    text = shown(full, TABLES_FROM)
    assert "┃" in text
    v = verdict(full)
    flat = " ".join(text.split())
    assert all(" ".join(sentence.split()) in flat for sentence in (v.headline, v.story, v.gate))
