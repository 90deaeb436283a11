"""Plain data passed between the stages: capture -> engine -> reporters.

Nothing here imports mitmproxy: readers turn flows into :class:`Observation`
values, the engine turns observations into :class:`AuditResult` values, and
reporters render those. Keeping these frozen and dependency-free is what lets
the engine be tested without a proxy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

from flowaudit.pickled import PickledByFields
from flowaudit.safetext import safe_text

Headers = tuple[tuple[str, str], ...]

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
# Observation kinds that only tried to contact a host (see Observation.kind).
ATTEMPTS = frozenset({"dns", "connect"})


def at_or_above(severity: str, fail_on: str) -> bool:
    """True when a finding of ``severity`` fails the ``--fail-on`` gate ("never": nothing does)."""
    return fail_on != "never" and SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


@dataclass(frozen=True, slots=True)
class Observation(PickledByFields):
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
    # "http"; contacted, contents unknown: "tcp"/"udp" (a raw connection that is
    # not HTTP) or "tls" (a TLS connection the client refused to let the proxy
    # open: certificate pinning); tried to contact, never reached (ATTEMPTS):
    # "dns" (a lookup of ``host``) or "connect" (a connection to ``host`` that
    # could not be opened upstream, ``error`` says why).
    kind: str
    method: str  # "" for raw connections
    scheme: str  # "http", "https"; the kind for the others
    host: str  # lower-case, no trailing dot, no brackets for IPv6
    port: int
    path: str  # path with query string, as sent ("" for raw connections)
    request_headers: Headers = ()
    # Held once: a flow file's body is the reader's own buffer (a bytearray), never copied.
    body: bytes | bytearray = field(default=b"", hash=False)
    body_decoded: bool = False
    body_truncated: bool = False
    status: int | None = None  # response status; None when there was none
    timestamp: float | None = None  # request start, seconds since the epoch
    phase: str | None = None  # capture phase marker in force, if any
    phase_ref: str | None = None  # the capture's marker record that started ``phase``, when it holds one
    error: str | None = None  # kinds "tls", "connect", "dns": why it failed, as the proxy saw it
    sni: str | None = None  # the TLS server name the client sent, when it did (raw and refused connections)

    @property
    def attempted(self) -> bool:
        """Tried to contact ``host`` but never reached it: nothing was sent to it."""
        return self.kind in ATTEMPTS

    def __post_init__(self) -> None:
        """Every text field made valid Unicode (:mod:`flowaudit.safetext`): an
        observation is where a capture's text enters the audit, whichever
        reader (or the live view) built it, so no reader can forget to."""
        # Nearly every observation is ASCII throughout: one test of all its texts at once (None
        # reads "None") before looking at each; made for every request read and sent to a worker.
        # Written out (each of _OBSERVATION_TEXT), the one string costs a third of joining them.
        texts = f"{self.ref}{self.source}{self.method}{self.scheme}{self.host}{self.path}"
        if not f"{texts}{self.phase}{self.phase_ref}{self.error}{self.sni}".isascii():
            for name in _OBSERVATION_TEXT:
                text = getattr(self, name)
                if text is not None and not text.isascii():
                    object.__setattr__(self, name, safe_text(text))
        headers = self.request_headers
        if headers and not "".join(chain.from_iterable(headers)).isascii():
            object.__setattr__(self, "request_headers", tuple((safe_text(k), safe_text(v)) for k, v in headers))


_OBSERVATION_TEXT = ("ref", "source", "method", "scheme", "host", "path", "phase", "phase_ref", "error", "sni")


@dataclass(frozen=True, slots=True)
class InputInfo:
    """Custody facts about one capture file."""

    path: str
    sha256: str
    format: str  # "mitm" or "har"
    flows: int
    complete: bool
    problem: str | None = None  # why reading stopped early, when it did
    # From flowaudit's capture record (``flowaudit record --app/--device``), when the capture has one.
    app: str | None = None
    device: str | None = None
    started: str | None = None  # when recording began, ISO 8601
    # Hosts of the pages the capture says were loaded (a HAR's log.pages), in order.
    page_hosts: tuple[str, ...] = ()
    # What the reader read around (flow metadata of the wrong type, a HAR value nested
    # too deeply), one line each: every format shows them with the input, and
    # ``check`` on stderr.
    warnings: tuple[str, ...] = ()

    @property
    def recorded(self) -> str:
        """What the capture record says, as every format shows it beside the
        input: "app Acme Health, device Pixel 7 emulator, recording began …"
        ("" when the capture has no record)."""
        parts = (("app", self.app), ("device", self.device), ("recording began", self.started))
        return ", ".join(f"{label} {value}" for label, value in parts if value)


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
    # The full value the excerpt shows masked (a shared identifier): kept in
    # outputs only under --no-redact, dropped otherwise.
    value: str | None = None
    # Why it counts, for a data type: the detector that recognised it ("adapter:branch",
    # "generic:keys", "canary"; ``how`` says what it matched), the documentation of the
    # adapter field it sat in, and what the value is beyond its data type ("push token").
    detector: str = ""
    source: str = ""
    property: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: str
    title: str
    message: str
    entity: str | None
    host: str | None  # the first of ``hosts``, kept for readers of older results
    data_types: tuple[str, ...] = ()
    phase: str | None = None
    # The requests that carried what the finding reports, and their hosts
    # (busiest first): never a host of the company that received none of it.
    evidence: tuple[Evidence, ...] = ()
    # The line of the declaration file this finding is about (the declared
    # recipient's entry, or where a missing one belongs); SARIF and GitHub
    # annotations anchor there. None: no line applies, line 1 is used.
    declaration_line: int | None = None
    hosts: tuple[str, ...] = ()
    # Every phase in which the requests it reports were made (``phase`` is the
    # first of them): where the HTML timeline flags it.
    phases: tuple[str, ...] = ()
    # The services of the recipient row it is about (Google Analytics, not
    # Google Ads): one company's rows are told apart by them. Empty for a
    # finding about a whole company or a host.
    services: tuple[str, ...] = ()
    # A finding about a store declaration (a privacy manifest, a Data safety
    # CSV) is anchored in that file, not in ``AuditResult.declaration``: its
    # path, and the key there (``NSPrivacyCollectedDataTypes[2]...``, a CSV
    # question/response id); ``declaration_line`` is then that file's line
    # (None in a binary plist, which has no lines).
    declaration_file: str | None = None
    declaration_key: str | None = None


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding kept out of the verdict, with who decided so and why.

    ``reason`` is "ignore-file" (an entry of ``.flowaudit-ignore.yml``, whose
    ``statement`` and ``expires`` are kept) or "baseline" (the finding's id was
    already in an earlier result).
    """

    finding: Finding
    reason: str  # "ignore-file" or "baseline"
    statement: str  # the entry's statement, or which baseline held the id
    source: str  # "path:line" of the ignore-file entry, or the baseline's path
    expires: str | None = None  # ISO date the ignore-file entry lapses after


@dataclass(frozen=True, slots=True)
class RecipientRow:
    """One service row of a company (its services of one category): what the
    rules judge apart, and what the timeline shows apart ("Google Ads" and
    "Google Analytics" are two rows of Google)."""

    category: str
    services: tuple[str, ...]
    flows: int
    phase_flows: tuple[tuple[str, int], ...] = ()  # as Recipient.phase_flows


@dataclass(frozen=True, slots=True)
class Recipient:
    """Everyone who received requests from the app, one row per company.

    A company reached through several services (Google Analytics, Google
    Ads, reCAPTCHA) is one row: ``categories`` lists what its services do,
    busiest first, and ``category`` is the first of them. The rules still
    judge each category apart (an advertising service is not analytics).
    """

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
    # Sample flows backing this row: a few requests (data_type None) and, per
    # data type received, its first detections (data_type set). What `disclose`
    # cites for every line it drafts.
    evidence: tuple[Evidence, ...] = ()
    # Requests per capture phase, for the report's timeline: (phase, flows)
    # in the order of AuditResult.phases.
    phase_flows: tuple[tuple[str, int], ...] = ()
    categories: tuple[str, ...] = ()  # every category of its services, busiest first
    # party "first" because the capture's pages were this site (nobody declared it)
    party_inferred: bool = False
    # Its service rows, busiest first (one for most companies).
    rows: tuple[RecipientRow, ...] = ()
    # DNS lookups of its hosts and connections to them that failed: tried to
    # contact, never reached; not among ``flows``. A row with flows 0 was only tried.
    attempts: int = 0

    @property
    def reached(self) -> bool:
        """False for a row only tried: looked up or connected to, nothing reached it."""
        return self.flows > 0 or not self.attempts

    @property
    def category_label(self) -> str:
        """ "advertising, analytics": what reports show in a category column."""
        return ", ".join(self.categories or (self.category,))


@dataclass(frozen=True, slots=True)
class PhaseChange:
    """Where a capture phase began and what started it: a capture marker, a
    consent signal in the traffic (its evidence), or the start of a capture."""

    phase: str  # the phase name reports show ("before-consent", "consent-refused", a marker name)
    consent: str  # consent state from then on: "before", "granted", "partial", "refused", "withdrawn"
    source: str  # "start", "marker" or "signal"
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class TcfVendorName:
    """A TCF vendor id and the catalog company it stands for."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class TcfRecord:
    """What a TC string records, field by field (IAB TCF v2 core string)."""

    cmp_id: int
    cmp_version: int
    vendor_list_version: int  # the Global Vendor List version the choice was made against
    policy_version: int  # the TCF policy version
    publisher_country: str
    purposes_consented: tuple[int, ...]
    purposes_legitimate_interest: tuple[int, ...]
    special_features: tuple[int, ...]  # special features opted in
    vendors_consented: tuple[int, ...]
    vendors_legitimate_interest: tuple[int, ...]
    vendor_names: tuple[TcfVendorName, ...] = ()  # the vendors above that flowaudit can name


@dataclass(frozen=True, slots=True)
class ConsentSignalSeen:
    """One kind of consent signal the app sent, counted over the capture."""

    kind: str  # "tcf", "google-gcs", "gpc", "zero-advertising-id", ...
    meaning: str  # "granted", "partial", "refused", "opt-out", "tracking-off", "not-set", "undecodable"
    summary: str  # what the first such value said
    flows: int
    first: Evidence
    tcf: TcfRecord | None = None  # the first value's TC string, when it carries one (TCF, GPP's EU section)


@dataclass(frozen=True, slots=True)
class DecodeGap:
    """Requests whose payload could not be fully decoded, for one reason.

    Counted so that no report is silent about what it could not read: the
    data types such a request carries may be missing from the findings.
    """

    reason: str  # a key of flowaudit.payload.model.DECODE_REASONS: "compression", "multipart", ...
    label: str  # the reason in plain words
    requests: int
    examples: tuple[Evidence, ...] = ()  # the first few: flow, request line, ``how`` = what went wrong where
    # who those requests went to (company, or unknown domain), most requests first; at most
    # UNDECODED_RECIPIENTS of them, ``requests`` counting them all
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclarationFile:
    path: str
    kind: str  # "flowaudit", "apple-privacy-manifest" or "play-data-safety"
    sha256: str


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
    flows: int  # requests and connections audited; attempts (Observation.attempted) apart
    fail_on: str = "high"
    extra: dict[str, object] = field(default_factory=dict)
    # Findings an ignore-file entry or a baseline kept out of ``findings`` (and
    # so out of the verdict). Machine formats always list them, so nothing is
    # hidden from the record; human formats list them when ``show_suppressed``.
    suppressed: tuple[SuppressedFinding, ...] = ()
    show_suppressed: bool = False
    # Capture phases in the order they began (consent flow: before, after, ...).
    phases: tuple[str, ...] = ()
    # When the audit ran, ISO 8601 UTC ("2026-11-22T19:57:03Z"); taken from
    # SOURCE_DATE_EPOCH when set, so reports can be reproduced byte for byte.
    created: str | None = None
    # False only under --no-redact: every report then says it holds secrets.
    redacted: bool = True
    # SHA-256 of the declaration file as read, for the custody record.
    declaration_sha256: str | None = None
    # Every file the declaration was read from (flowaudit.yml and store files), for the custody record.
    declaration_files: tuple[DeclarationFile, ...] = ()
    # How the consent phases came about, in order, each with its evidence.
    phase_changes: tuple[PhaseChange, ...] = ()
    # Phase changes past the bound on ``phase_changes`` (a capture whose signals
    # flip on every request): not listed, but counted, and every report says so.
    phase_changes_dropped: int = 0
    # The consent signals found in the traffic (TCF, consent mode, GPC, ...).
    consent_signals: tuple[ConsentSignalSeen, ...] = ()
    # Sites taken as the first party because the capture's pages were them
    # (no first-party domains were declared): see flowaudit.engine.first_party.
    first_party_inferred: tuple[str, ...] = ()
    # Requests whose payload could not be fully decoded (each counted once), and why, per reason.
    undecoded: int = 0
    decode_gaps: tuple[DecodeGap, ...] = ()
    # Lookups and failed connections (Observation.attempted), counted apart from ``flows``.
    attempts: int = 0

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
        return any(at_or_above(f.severity, self.fail_on) for f in self.findings)
