"""`flowaudit mark NAME`: start a phase in the recording running in another terminal."""

from __future__ import annotations

import click

from flowaudit.capture.marks import mark


def run_mark(name: str, pid: int | None) -> None:
    marked = mark(name, pid)
    click.echo(f"phase {marked.phase} (recording {marked.recorder.capture}, pid {marked.recorder.pid})")
