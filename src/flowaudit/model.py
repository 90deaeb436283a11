"""Plain data passed between the stages: capture -> engine -> reporters.

Nothing here imports mitmproxy: readers turn flows into :class:`Observation`
values, the engine turns observations into :class:`AuditResult` values, and
reporters render those. Keeping these frozen and dependency-free is what lets
the engine be tested without a proxy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Headers = tuple[tuple[str, str], ...]

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class Observation:
    """One outbound request (or raw connection) seen in a capture.

    ``body`` holds the request body as the reader found it, cut at the
    reader's size bound (``body_truncated`` says so). Whether it still needs
    content-decoding is recorded in ``body_decoded``: mitmproxy files keep
    the bytes as sent on the wire, HAR exports usually hold text that was
    already decoded even when a ``Content-Encoding`` header remains.
    """

    ref: str  # stable reference "path#n", n counted from 1 in file order
    source: str  # the input file, as the user named it (or found in a folder)
    index: int  # n of the reference
    kind: str  # "http", "tcp" or "udp"
    method: str  # "" for raw connections
    scheme: str  # "http", "https"; "tcp"/"udp" for raw connections
    host: str  # lower-case, no trailing dot, no brackets for IPv6
    port: int
    path: str  # path with query string, as sent ("" for raw connections)
    request_headers: Headers = ()
    body: bytes = b""
    body_decoded: bool = False
    body_truncated: bool = False
    status: int | None = None  # response status; None when there was none
    timestamp: float | None = None  # request start, seconds since the epoch
    phase: str | None = None  # capture phase marker in force, if any


@dataclass(frozen=True, slots=True)
class InputInfo:
    """Custody facts about one capture file."""

    path: str
    sha256: str
    format: str  # "mitm" or "har"
    flows: int
    complete: bool
    problem: str | None = None  # why reading stopped early, when it did


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where in which flow a finding was seen."""

    flow: str  # Observation.ref
    location: str = ""  # e.g. "body > form:data > json:[0].properties.$email"
    decoding: tuple[str, ...] = ()
    data_type: str | None = None
    how: str = ""
    excerpt: str = ""
    request: str = ""  # redacted request line "POST https://host/path"


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: str
    title: str
    message: str
    entity: str | None
    host: str | None
    data_types: tuple[str, ...] = ()
    phase: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """Everyone who received requests from the app, one row per entity and category."""

    entity: str
    entity_id: str
    category: str
    party: str  # "first", "third" or "unknown"
    declared: bool
    hosts: tuple[str, ...]
    flows: int
    data_types: tuple[str, ...] = ()
    parent: str | None = None
    services: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditResult:
    tool_version: str
    rules_version: str
    inputs: tuple[InputInfo, ...]
    app_name: str | None
    declaration: str | None
    recipients: tuple[Recipient, ...]
    platform: tuple[Recipient, ...]  # browser/OS background traffic, shown apart
    findings: tuple[Finding, ...]
    flows: int
    fail_on: str = "high"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(i.complete for i in self.inputs)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def failed(self) -> bool:
        """True when a finding is at or above the ``--fail-on`` level."""
        if self.fail_on == "never":
            return False
        limit = SEVERITIES.index(self.fail_on)
        return any(SEVERITIES.index(f.severity) <= limit for f in self.findings)
