"""Running totals per recipient, built one observation at a time.

The engine never holds the capture: it keeps counters per recipient and per
host plus a few sample flows for evidence, so memory depends on how many
distinct destinations and values a capture has, not on how many flows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from sys import intern

from flowaudit.carried import Carried, DataTypeTally
from flowaudit.consent.phases import ObservedConsent
from flowaudit.consent.tally import ConsentTally, first_per_type
from flowaudit.consent.vendors import vendor_ids
from flowaudit.engine.destinations import Destination
from flowaudit.engine.idvalues import Identifier, IdentifierValues
from flowaudit.model import Evidence, Observation
from flowaudit.ondemand import nothing, owned
from flowaudit.payload.detectors.relayed import DETECTOR as RELAYED
from flowaudit.payload.model import Detection

# How many distinct identifier values one recipient remembers, to spot the
# same value at two companies. Bounds memory on captures full of fresh ids.
IDENTIFIER_VALUES = 2000
# Detections that count as the data type being present. "possible" (format
# alone) is too weak to assert that a company received something.
ASSERTED = frozenset({"certain", "likely"})
# Data types whose values identify a person or device across companies.
IDENTIFYING = frozenset(
    {
        "identifiers.user_id",
        "identifiers.advertising_id",
        "identifiers.device_id",
        "identifiers.hardware_id",
        "contact.email",
        "contact.phone",
    }
)
_CONFIDENCE_RANK = {"certain": 0, "likely": 1, "possible": 2}
# How many requests with tokens that may be ids handed on one recipient keeps (engine.relayed).
RELAYED_REQUESTS = 500


@dataclass(frozen=True, slots=True)
class Proposal:
    """A request whose id-shaped tokens may be ids handed on (:mod:`flowaudit.engine.relayed`)."""

    host: str
    ref: str
    request: str
    tokens: tuple[Detection, ...]
    # The request's consent state, and whether it carried other data types already, so that an id
    # found in it later is judged by the consent rules as if it had been found at once.
    consent: ObservedConsent | None = None
    vendors: tuple[int, ...] = ()
    carried: bool = False


def proposed_tokens(detections: Sequence[Detection]) -> tuple[Detection, ...]:
    """The tokens :mod:`flowaudit.payload.detectors.relayed` proposed, when the request carried no
    identifier of its own (then it is counted already, and its tokens add nothing)."""
    tokens: list[Detection] = []
    for detection in detections:
        if detection.detector == RELAYED:
            tokens.append(detection)
        elif detection.confidence in ASSERTED and detection.data_type.startswith("identifiers."):
            return ()
    return tuple(tokens)


@dataclass(slots=True)
class RecipientTally:
    """What one recipient received. A capture to many domains holds one per domain, so every
    container here is made when something first goes in it (:mod:`flowaudit.ondemand`)."""

    destination: Destination
    requests: Carried = field(default_factory=Carried)  # every request, cited bare, counted per phase
    services: tuple[str, ...] = ()  # in the order first reached (a company's few services)
    data_types: Mapping[str, DataTypeTally] = field(default_factory=nothing)
    analyzed: bool = False  # payloads were looked into: absent data types mean "not seen"
    # identifier value -> the first request that carried it (an IdentifierValues once one is kept)
    identifiers: Mapping[str, Identifier] = field(default_factory=nothing)
    # requests whose tokens may be ids handed on, decided once the capture is read
    relayed: Sequence[Proposal] = ()
    # data type -> the requests that carried it together with an identifying type (IDENTIFYING)
    with_identifier: Mapping[str, DataTypeTally] = field(default_factory=nothing)
    # plain-HTTP requests that carried personal data, per host
    cleartext: Mapping[str, Carried] = field(default_factory=nothing)
    # TLS connections the client refused to let the proxy open (kind "tls"), per host
    uninspectable: Mapping[str, Carried] = field(default_factory=nothing)
    # Raw TCP and UDP flows that are not HTTP (kinds "tcp", "udp"), per host
    not_http: Mapping[str, Carried] = field(default_factory=nothing)
    # Lookups and failed connections (Observation.attempted): tried, never
    # reached, so not among ``requests``; in all (None: none), and per host
    tried: Carried | None = None
    attempts_to: Mapping[str, Carried] = field(default_factory=nothing)
    # what it received in each consent phase (the consent rules read this)
    consent: ConsentTally = field(default_factory=ConsentTally)

    @property
    def flows(self) -> int:
        return self.requests.flows

    @property
    def hosts(self) -> Counter[str]:
        return self.requests.hosts

    @property
    def phase_flows(self) -> dict[str, int]:
        """Phase -> requests made in it."""
        return self.requests.phases

    @property
    def attempts(self) -> Carried:
        """Every lookup and failed connection (an empty total when there was none)."""
        return Carried() if self.tried is None else self.tried

    def add(
        self,
        obs: Observation,
        destination: Destination,
        detections: Sequence[Detection] | None,
        consent: ObservedConsent | None = None,
    ) -> None:
        """``detections`` is None when payloads were not analysed at all;
        ``consent`` is the request's consent phase and signals, when tracked. The request is
        counted in that phase (else in its capture marker's): it is not copied to carry it."""
        phase = obs.phase if consent is None else consent.state.phase
        request = request_line(obs)
        cites = Cites(obs.ref, request)
        self.requests.add(obs.host, obs.ref, cites.bare, phase or "")
        if destination.service and destination.service not in self.services:
            self.services = (*self.services, destination.service)
        if obs.kind == "tls":
            self.uninspectable = self._unread(self.uninspectable, obs, request, phase)
        elif obs.kind in ("tcp", "udp"):
            self.not_http = self._unread(self.not_http, obs, request, phase)
        asserted = None if detections is None else [d for d in detections if d.confidence in ASSERTED]
        vendors: tuple[int, ...] = ()
        if consent is not None:
            vendors = vendor_ids(destination.entity_id, destination.category)
            self.consent.add(consent, asserted, cites.cite, obs.host, obs.ref, vendors)
        if asserted is None or detections is None:
            return
        self.analyzed = True
        tokens = proposed_tokens(detections)
        if tokens and len(self.relayed) < RELAYED_REQUESTS:
            if not isinstance(self.relayed, list):
                self.relayed = []
            self.relayed.append(Proposal(obs.host, obs.ref, request, tokens, consent, vendors, bool(asserted)))
        if not asserted:
            return
        by_type: dict[str, list[Detection]] = {}
        for detection in asserted:  # dozens a request: no empty list made for each
            data_type = detection.data_type
            group = by_type.get(data_type)
            if group is None:
                by_type[data_type] = [detection]
            else:
                group.append(detection)
            if data_type in IDENTIFYING:  # in the detections' order: the first request of a value is kept
                self._remember(obs.host, cites, detection)
        for data_type, found in by_type.items():
            self._count(data_type, obs.host, cites, found)
        identifying = [d for d in first_per_type(asserted) if d.data_type in IDENTIFYING]
        if identifying:
            for data_type, found in by_type.items():
                cited = [found[0], *(d for d in identifying if d.data_type != data_type)]
                self.with_identifier = with_identifier = owned(self.with_identifier)
                together = with_identifier.setdefault(data_type, DataTypeTally())
                together.add(obs.host, obs.ref, cites.citing(cited))
        if obs.scheme == "http":
            first = first_per_type(asserted)
            self.cleartext = cleartext = owned(self.cleartext)
            cleartext.setdefault(obs.host, Carried()).add(obs.host, obs.ref, cites.citing(first))

    def add_promoted(self, proposal: Proposal, data_type: str, found: Sequence[Detection]) -> None:
        """A data type found in a request after the capture was read (:mod:`flowaudit.engine.relayed`)."""
        cites = Cites(proposal.ref, proposal.request)
        self._count(data_type, proposal.host, cites, found)
        for detection in found:
            self._remember(proposal.host, cites, detection)
        if proposal.consent is not None:
            consent, host, ref = proposal.consent, proposal.host, proposal.ref
            self.consent.carry(consent, found, cites.cite, host, ref, proposal.vendors, counted=proposal.carried)

    def _count(self, data_type: str, host: str, cites: Cites, found: Sequence[Detection]) -> None:
        """One request that carried ``data_type``, found at these places."""
        self.data_types = data_types = owned(self.data_types)
        tally = data_types.get(data_type)
        if tally is None:
            tally = data_types[data_type] = DataTypeTally()
        best = tally.confidence
        if best != "certain":  # nothing is stronger: most tallies get there at their first request
            for detection in found:
                if _CONFIDENCE_RANK[detection.confidence] < _CONFIDENCE_RANK[best]:
                    best = detection.confidence
            tally.confidence = best
        tally.add(host, cites.ref, cites.citing(found))

    def _remember(self, host: str, cites: Cites, detection: Detection) -> None:
        """Keep an identifying value's first request, to spot it at another company."""
        value = detection.value
        if value and value not in self.identifiers and len(self.identifiers) < IDENTIFIER_VALUES:
            identifiers = self.identifiers
            if not isinstance(identifiers, IdentifierValues):
                self.identifiers = identifiers = IdentifierValues()
            identifiers.add(value, host, cites.of(detection))

    def identifier_kinds(self) -> Iterator[tuple[str, str, str]]:
        """(value, data type, host) of each identifying value kept, in the order first seen,
        without reading back its request (:meth:`IdentifierValues.kind`)."""
        identifiers = self.identifiers
        if isinstance(identifiers, IdentifierValues):
            for value in identifiers:
                yield (value, *identifiers.kind(value))

    @staticmethod
    def _unread(
        by_host: Mapping[str, Carried], obs: Observation, request: str, phase: str | None
    ) -> dict[str, Carried]:
        """``by_host`` (made when needed) with a connection whose contents are unknown counted in it."""
        owned_by_host = owned(by_host)
        cite = Cites(obs.ref, request, contact_how(obs, phase)).bare
        owned_by_host.setdefault(obs.host, Carried()).add(obs.host, obs.ref, cite, phase or "")
        return owned_by_host

    def add_attempt(self, obs: Observation, phase: str | None) -> None:
        """A lookup or a failed connection (``obs.attempted``) made in ``phase``: the host was tried,
        not reached."""
        cite = Cites(obs.ref, request_line(obs), contact_how(obs, phase)).bare
        if self.tried is None:
            self.tried = Carried()
        self.tried.add(obs.host, obs.ref, cite, phase or "")
        if obs.host in self.attempts_to or len(self.attempts_to) < ATTEMPTED_HOSTS:
            self.attempts_to = attempts_to = owned(self.attempts_to)
            attempts_to.setdefault(obs.host, Carried()).add(obs.host, obs.ref, cite, phase or "")

    @property
    def reached(self) -> bool:
        """Whether anything reached this recipient (else it was only tried)."""
        return self.requests.flows > 0

    def unreached_hosts(self) -> tuple[str, ...]:
        """Hosts tried but never reached (of the first :data:`ATTEMPTED_HOSTS` tried), most tried first."""
        reached = self.requests.hosts
        return tuple(h for h in self.attempts.named_hosts() if h in self.attempts_to and h not in reached)


class Cites:
    """The evidence of one request, each piece built once, whoever keeps it.

    A request to a destination seen for the first time is kept by most of its
    recipient's totals (every request, each data type, the same with an
    identifier, the consent phases, the identifiers remembered): they share
    one :class:`Evidence` per piece, so a capture to many destinations holds
    each piece once, not six times. Built only when a total keeps it."""

    __slots__ = ("_bare", "_found", "how", "ref", "request")

    def __init__(self, ref: str, request: str, how: str = "") -> None:
        self.ref = ref
        self.request = request
        self.how = how
        self._bare: tuple[Evidence] | None = None
        # id of a detection of this request -> its evidence (the detections outlive this object)
        self._found: dict[int, Evidence] = {}

    def bare(self) -> tuple[Evidence]:
        """The request itself, cited without a data type."""
        if self._bare is None:
            self._bare = (Evidence(flow=self.ref, request=self.request, how=self.how),)
        return self._bare

    def of(self, d: Detection) -> Evidence:
        found = self._found.get(id(d))
        if found is None:
            found = self._found[id(d)] = to_evidence(self.ref, self.request, d)
        return found

    def citing(self, found: Sequence[Detection]) -> Callable[[], Iterator[Evidence]]:
        """Evidence of these detections, built only when it is kept."""
        return lambda: (self.of(d) for d in found)

    def cite(self, detection: Detection | None) -> Evidence:
        """One detection's evidence, or the bare request's for ``None`` (the consent tally's way)."""
        return self.bare()[0] if detection is None else self.of(detection)


def to_evidence(ref: str, request: str, d: Detection) -> Evidence:
    """A detection as evidence of request ``ref``. Its texts repeat from request to
    request (the same place, detector and masked value at each of a hundred thousand
    destinations; fresh objects each when the detection came from a worker process),
    so each is held once (``sys.intern``: freed when no evidence uses it)."""
    return Evidence(
        flow=ref,
        location=intern(d.location),
        decoding=_decoding(d.decoding),
        data_type=intern(d.data_type),
        how=intern(d.how),
        excerpt=intern(d.excerpt),
        request=request,
        detector=intern(d.detector),
        source=intern(d.source),
        property=intern(d.property),
    )


# Decoding chains seen, each held once; bounded, since a capture chooses them.
_DECODINGS: dict[tuple[str, ...], tuple[str, ...]] = {}
_DECODINGS_KEPT = 1000


def _decoding(steps: tuple[str, ...]) -> tuple[str, ...]:
    found = _DECODINGS.get(steps)
    if found is None:
        found = tuple(intern(s) for s in steps)
        if len(_DECODINGS) < _DECODINGS_KEPT:
            _DECODINGS[found] = found
    return found


_DEFAULT_PORTS = {"http": 80, "https": 443}


def request_line(obs: Observation) -> str:
    """ "METHOD url" as sent. Redaction happens on the whole result after the
    audit (``redact_result``), so ``--no-redact`` can keep what the request said.
    A lookup: "DNS A host"; a failed CONNECT: "CONNECT host:port"."""
    if obs.kind == "dns":
        return f"DNS {obs.method} {obs.host}".replace("  ", " ")
    if obs.kind != "http":
        return f"{obs.kind.upper()} {obs.host}:{obs.port}"
    default = _DEFAULT_PORTS.get(obs.scheme)
    netloc = obs.host if obs.port == default else f"{obs.host}:{obs.port}"
    if ":" in obs.host:
        netloc = f"[{obs.host}]" if obs.port == default else f"[{obs.host}]:{obs.port}"
    return f"{obs.method} {obs.scheme}://{netloc}{obs.path}"


# Hosts of one recipient whose attempts are kept apart (a finding each when never
# reached): bounds memory on a capture that looks up a fresh name every time.
ATTEMPTED_HOSTS = 1000
_CONTACT = {
    "dns": "tried to contact: looked up",
    "connect": "tried to contact: the connection could not be opened",
    "tls": "contacted, contents unknown: the client refused the proxy's TLS certificate",
    "tcp": "contacted, contents unknown: a TCP connection that is not HTTP",
    "udp": "contacted, contents unknown: a UDP flow that is not HTTP (e.g. QUIC the proxy could not open)",
}


def contact_how(obs: Observation, phase: str | None) -> str:
    """What an attempt or an unread connection was, with its SNI, time and
    ``phase``: every format shows it as the evidence's ``how``."""
    parts = [_CONTACT.get(obs.kind, obs.kind)]
    if obs.error:
        parts.append(f"({obs.error})")
    if obs.sni:
        parts.append(f"· SNI {obs.sni}")
    moment = _utc(obs.timestamp)
    if moment:
        parts.append(f"· at {moment}")
    if phase:
        parts.append(f"· phase {phase}")
    return " ".join(parts)


def _utc(timestamp: float | None) -> str | None:
    """ "2026-12-03T08:13:14Z"; None for no time or one no calendar holds (captured data is hostile)."""
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None
