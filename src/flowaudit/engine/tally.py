"""Running totals per recipient, built one observation at a time.

The engine never holds the capture: it keeps counters per recipient and per
host plus a few sample flows for evidence, so memory depends on how many
distinct destinations and values a capture has, not on how many flows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flowaudit.consent.phases import ObservedConsent
from flowaudit.consent.tally import ConsentTally
from flowaudit.engine.destinations import Destination
from flowaudit.model import Evidence, Observation
from flowaudit.payload.model import Detection

# How many sample flows a finding cites. Enough to check by hand; the rest
# are counted, not listed.
EVIDENCE_SAMPLES = 5
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


@dataclass(slots=True)
class Sample:
    ref: str
    request: str  # "METHOD url" as sent; masked later with the whole result
    host: str


@dataclass(slots=True)
class DataTypeTally:
    """What one recipient received of one data type."""

    flows: int = 0
    confidence: str = "possible"  # the strongest seen
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class RecipientTally:
    destination: Destination
    flows: int = 0
    hosts: Counter[str] = field(default_factory=Counter)
    services: set[str] = field(default_factory=set)
    phase_flows: Counter[str] = field(default_factory=Counter)
    samples: list[Sample] = field(default_factory=list)
    data_types: dict[str, DataTypeTally] = field(default_factory=dict)
    analyzed: bool = False  # payloads were looked into: absent data types mean "not seen"
    # identifier value -> (data type, first evidence)
    identifiers: dict[str, tuple[str, Evidence]] = field(default_factory=dict)
    # plain-HTTP requests that carried personal data, per host
    cleartext: Counter[str] = field(default_factory=Counter)
    cleartext_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    # TLS connections the client refused to let the proxy open (kind "tls"), per host
    uninspectable: Counter[str] = field(default_factory=Counter)
    uninspectable_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    # what it received in each consent phase (the consent rules read this)
    consent: ConsentTally = field(default_factory=ConsentTally)

    def add(
        self,
        obs: Observation,
        destination: Destination,
        detections: Sequence[Detection] | None,
        consent: ObservedConsent | None = None,
    ) -> None:
        """``detections`` is None when payloads were not analysed at all;
        ``consent`` is the request's consent phase and signals, when tracked."""
        self.flows += 1
        self.hosts[obs.host] += 1
        if destination.service:
            self.services.add(destination.service)
        if obs.phase:
            self.phase_flows[obs.phase] += 1
        sample = None
        if len(self.samples) < EVIDENCE_SAMPLES:
            sample = make_sample(obs)
            self.samples.append(sample)
        if obs.kind == "tls":
            self._add_uninspectable(obs, sample)
        asserted = None if detections is None else [d for d in detections if d.confidence in ASSERTED]
        if consent is not None:
            self.consent.add(consent, asserted, _citer(obs, sample))
        if asserted is None:
            return
        self.analyzed = True
        if not asserted:
            return
        request = (sample or make_sample(obs)).request
        for data_type in {d.data_type for d in asserted}:
            self.data_types.setdefault(data_type, DataTypeTally()).flows += 1
        # Evidence objects are built only where one is kept: this runs for every
        # detection of every flow.
        for detection in asserted:
            tally = self.data_types[detection.data_type]
            if _CONFIDENCE_RANK[detection.confidence] < _CONFIDENCE_RANK[tally.confidence]:
                tally.confidence = detection.confidence
            if len(tally.evidence) < EVIDENCE_SAMPLES:
                tally.evidence.append(to_evidence(obs.ref, request, detection))
            if (
                detection.data_type in IDENTIFYING
                and detection.value
                and detection.value not in self.identifiers
                and len(self.identifiers) < IDENTIFIER_VALUES
            ):
                self.identifiers[detection.value] = (detection.data_type, to_evidence(obs.ref, request, detection))
        if obs.scheme == "http":
            self.cleartext[obs.host] += 1
            kept = self.cleartext_evidence.setdefault(obs.host, [])
            kept.extend(to_evidence(obs.ref, request, d) for d in asserted[: EVIDENCE_SAMPLES - len(kept)])

    def _add_uninspectable(self, obs: Observation, sample: Sample | None) -> None:
        self.uninspectable[obs.host] += 1
        kept = self.uninspectable_evidence.setdefault(obs.host, [])
        if len(kept) < EVIDENCE_SAMPLES:
            request = (sample or make_sample(obs)).request
            kept.append(Evidence(flow=obs.ref, request=request, how=obs.error or "TLS handshake refused by the client"))

    def top_host(self) -> str:
        """The host with most flows (ties broken by name): stable across runs."""
        return min(self.hosts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _citer(obs: Observation, sample: Sample | None) -> Callable[[Detection | None], Evidence]:
    """Evidence for the consent tally, built only when it keeps it."""

    def cite(detection: Detection | None) -> Evidence:
        request = (sample or make_sample(obs)).request
        if detection is None:
            return Evidence(flow=obs.ref, request=request)
        return to_evidence(obs.ref, request, detection)

    return cite


def to_evidence(ref: str, request: str, d: Detection) -> Evidence:
    return Evidence(
        flow=ref,
        location=d.location,
        decoding=d.decoding,
        data_type=d.data_type,
        how=d.how,
        excerpt=d.excerpt,
        request=request,
    )


def request_line(obs: Observation) -> str:
    if obs.kind != "http":
        return f"{obs.kind.upper()} {obs.host}:{obs.port}"
    default = {"http": 80, "https": 443}.get(obs.scheme)
    netloc = obs.host if obs.port == default else f"{obs.host}:{obs.port}"
    if ":" in obs.host:
        netloc = f"[{obs.host}]" if obs.port == default else f"[{obs.host}]:{obs.port}"
    return f"{obs.method} {obs.scheme}://{netloc}{obs.path}"


def make_sample(obs: Observation) -> Sample:
    """Redaction happens on the whole result after the audit (``redact_result``),
    so ``--no-redact`` can keep what the request really said."""
    return Sample(ref=obs.ref, request=request_line(obs), host=obs.host)
