"""Auditing every app of a study, in parallel, with a progress bar.

Each app is audited in a worker process exactly as `flowaudit check` would
(:func:`flowaudit.pipeline.audit_captures`). One app that cannot be
audited (an unreadable capture, an invalid declaration) does not stop the
others: its error is kept with the app and the study ends incomplete.
Outcomes come back in app order whatever order the workers finish in, so
every output is the same on every run.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flowaudit.errors import FlowauditError
from flowaudit.model import AuditResult
from flowaudit.pipeline import audit_captures, require_flows
from flowaudit.study.apps import App


@dataclass(frozen=True, slots=True)
class Outcome:
    app: App
    result: AuditResult | None
    error: str | None  # the message the user would have seen from `check`


def audit_app(app: App) -> Outcome:
    """One app's audit; runs in a worker process. User errors become the
    outcome's ``error``; anything else is a bug and propagates."""
    try:
        result = audit_captures(app.inputs, app.declared)
        require_flows(result, can_allow_empty=False)
    except FlowauditError as e:
        return Outcome(app, None, str(e))
    # Nothing time-based in a study's outputs: a re-run must give the same bytes.
    return Outcome(app, dataclasses.replace(result, created=None), None)


def audit_apps(apps: tuple[App, ...], jobs: int, console: Console) -> tuple[Outcome, ...]:
    outcomes: dict[str, Outcome] = {}
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(apps)))) as pool:
        # Submit before the progress bar starts its refresh thread: the workers
        # are forked at the first submit and must not inherit a held lock.
        futures: dict[Future[Outcome], App] = {pool.submit(audit_app, app): app for app in apps}
        with Progress(
            TextColumn("[bold]auditing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("", total=len(apps))
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.app.name] = outcome
                progress.update(task, advance=1, description=outcome.app.name)
    return tuple(outcomes[app.name] for app in apps)
