"""The live view while recording: who the app is talking to, as the user taps through it.

Every record the addon writes is turned into an observation by the same
reader code ``flowaudit check`` uses and fed to the same engine, so the
table shows what the audit will say: company, declared or not, requests,
and the data types the engine's payload analysis found in them.

The engine's analysis is the costly part, and the proxy's one thread also
carries every client's requests: observations wait until the view is next
drawn (a few times a second), and a view that is never drawn (no terminal)
only counts: an HTTP request (nearly every flow) without even being made
an observation (:func:`~flowaudit.inputs.mitm.is_app_request`).

Host names come from the network: they are shown as inert text.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from mitmproxy import flow as mflow
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from flowaudit.captureformat import MARKER_KEY, MARKER_NAME, SINKHOLED_KEY
from flowaudit.catalog import Catalog
from flowaudit.declaration import Declaration
from flowaudit.display.terminal import declared_cell, safe
from flowaudit.engine import Auditor
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.inputs.mitm import is_app_request, observe
from flowaudit.model import AuditResult, Observation, Recipient

MAX_ROWS = 20  # the rest are counted in one line: the view must fit a terminal
NOTICES = 3


@dataclass
class Counters:
    records: int = 0  # everything written, flowaudit's own records included
    requests: int = 0  # the app's traffic: what the audit counts as flows
    attempts: int = 0  # lookups and connections that could not be opened (apart from flows)
    refused_tls: int = 0
    sinkholed: int = 0
    phases: list[str] = field(default_factory=list)


class LiveView:
    """A rich renderable, re-rendered by ``rich.live.Live`` a few times a second."""

    def __init__(self, catalog: Catalog, declaration: Declaration | None, capture: Path, *, shown: bool = True) -> None:
        # As the pipeline builds it (flowaudit/pipeline.py), so the view shows what the audit will.
        self._auditor = Auditor(catalog, declaration, fail_on="never", analyzer=PayloadAnalyzer(declaration, catalog))
        self._capture = capture
        self._name = str(capture)
        self._started = time.monotonic()
        self._result: AuditResult | None = None
        self._shown = shown
        self._unaudited: list[Observation] = []  # for the engine, at the next drawing
        self.counters = Counters()
        self.phase: str | None = None
        self.footer: str = ""  # key help, or the phase name being typed
        self.notices: deque[str] = deque(maxlen=NOTICES)

    def add(self, f: mflow.Flow) -> None:
        """Called by the recorder for every record it wrote, in file order."""
        c = self.counters
        c.records += 1
        marker = f.metadata.get(MARKER_KEY)
        if isinstance(marker, dict):
            self.phase = marker.get(MARKER_NAME)
            if self.phase and self.phase not in c.phases:
                c.phases.append(self.phase)
        if not self._shown:  # counted only: nearly every flow is an HTTP request, told apart cheaply
            request = is_app_request(f)
            if request is not None:
                c.requests += request
                c.sinkholed += request and bool(f.metadata.get(SINKHOLED_KEY))
                return
        observation = observe(f, self._name, c.records)
        if observation is None:
            return
        c.attempts += observation.attempted
        c.requests += not observation.attempted
        c.refused_tls += observation.kind == "tls"
        c.sinkholed += bool(f.metadata.get(SINKHOLED_KEY))
        if self._shown:
            self._unaudited.append(observation)

    def result(self) -> AuditResult:
        if self._unaudited:
            unaudited, self._unaudited = self._unaudited, []
            for observation in unaudited:
                self._auditor.add(observation)
            self._result = None
        if self._result is None:
            self._result = self._auditor.result(())
        return self._result

    def __rich__(self) -> RenderableType:
        result = self.result()
        parts: list[RenderableType] = [self._header(), self._table(result.recipients), self._counter(result)]
        parts.extend(Text(n, style="yellow") for n in self.notices)
        if self.footer:
            parts.append(Text(self.footer, style="dim"))
        return Group(*parts)

    def _header(self) -> Text:
        elapsed = int(time.monotonic() - self._started)
        text = Text("● recording ", style="bold red")
        text.append_text(safe(self._capture))
        text.append(f"   {elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}   phase: ")
        text.append(self.phase or "(none)", style="bold")
        return text

    def _table(self, recipients: tuple[Recipient, ...]) -> Table:
        table = Table(expand=False, pad_edge=False)
        table.add_column("Recipient")
        table.add_column("Category")
        table.add_column("Declared")
        table.add_column("Requests", justify="right")
        table.add_column("Data types")
        for r in recipients[:MAX_ROWS]:
            table.add_row(
                safe(r.entity),
                r.category_label,
                declared_cell(r),
                str(r.flows),
                Text(", ".join(r.data_types)) if r.data_types else Text("—", style="dim"),
            )
        if len(recipients) > MAX_ROWS:
            rest = recipients[MAX_ROWS:]
            table.add_row(f"… {len(rest)} more", "", "", str(sum(r.flows for r in rest)), "")
        return table

    def _counter(self, result: AuditResult) -> Text:
        c = self.counters
        third = [r for r in result.recipients if r.party != "first"]
        undeclared = sum(1 for r in third if r.party == "third" and not r.declared)
        text = Text(f"{c.requests} requests · {len(third)} third parties · ")
        text.append(f"{undeclared} undeclared", style="bold red" if undeclared else "green")
        if c.refused_tls:
            text.append(f" · {c.refused_tls} TLS refused (pinning?)", style="yellow")
        if c.attempts:
            text.append(f" · {c.attempts} lookups or failed connections")
        if c.sinkholed:
            text.append(f" · {c.sinkholed} sinkholed")
        platform = sum(r.flows for r in result.platform)
        if platform:
            text.append(f" · {platform} platform", style="dim")
        return text
