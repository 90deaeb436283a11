"""Running totals per recipient, built one observation at a time.

The engine never holds the capture: it keeps counters per recipient and per
host plus a few sample flows for evidence, so memory depends on how many
distinct destinations and values a capture has, not on how many flows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from flowaudit.carried import Carried
from flowaudit.consent.phases import ObservedConsent
from flowaudit.consent.tally import ConsentTally, first_per_type
from flowaudit.engine.destinations import Destination
from flowaudit.model import Evidence, Observation
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


@dataclass(slots=True)
class DataTypeTally(Carried):
    """What one recipient received of one data type."""

    confidence: str = "possible"  # the strongest seen


@dataclass(slots=True)
class Identifier:
    """An identifying value a recipient received: the first request that carried it."""

    data_type: str
    host: str
    evidence: Evidence
    value: str


@dataclass(slots=True)
class RecipientTally:
    destination: Destination
    requests: Carried = field(default_factory=Carried)  # every request, cited bare
    services: set[str] = field(default_factory=set)
    phase_flows: Counter[str] = field(default_factory=Counter)
    data_types: dict[str, DataTypeTally] = field(default_factory=dict)
    analyzed: bool = False  # payloads were looked into: absent data types mean "not seen"
    # identifier value -> the first request that carried it
    identifiers: dict[str, Identifier] = field(default_factory=dict)
    # plain-HTTP requests that carried personal data, per host
    cleartext: dict[str, Carried] = field(default_factory=dict)
    # TLS connections the client refused to let the proxy open (kind "tls"), per host
    uninspectable: dict[str, Carried] = field(default_factory=dict)
    # what it received in each consent phase (the consent rules read this)
    consent: ConsentTally = field(default_factory=ConsentTally)

    @property
    def flows(self) -> int:
        return self.requests.flows

    @property
    def hosts(self) -> Counter[str]:
        return self.requests.hosts

    def add(
        self,
        obs: Observation,
        destination: Destination,
        detections: Sequence[Detection] | None,
        consent: ObservedConsent | None = None,
    ) -> None:
        """``detections`` is None when payloads were not analysed at all;
        ``consent`` is the request's consent phase and signals, when tracked."""
        request = request_line(obs)
        self.requests.add(obs.host, obs.ref, lambda: (Evidence(flow=obs.ref, request=request),))
        if destination.service:
            self.services.add(destination.service)
        if obs.phase:
            self.phase_flows[obs.phase] += 1
        if obs.kind == "tls":
            how = obs.error or "TLS handshake refused by the client"
            self.uninspectable.setdefault(obs.host, Carried()).add(
                obs.host, obs.ref, lambda: (Evidence(flow=obs.ref, request=request, how=how),)
            )
        asserted = None if detections is None else [d for d in detections if d.confidence in ASSERTED]
        if consent is not None:
            self.consent.add(consent, asserted, _citer(obs, request), obs.host, obs.ref)
        if asserted is None:
            return
        self.analyzed = True
        if not asserted:
            return
        by_type: dict[str, list[Detection]] = {}
        for detection in asserted:
            by_type.setdefault(detection.data_type, []).append(detection)
        for data_type, found in by_type.items():
            tally = self.data_types.setdefault(data_type, DataTypeTally())
            best = min(found, key=lambda d: _CONFIDENCE_RANK[d.confidence])
            if _CONFIDENCE_RANK[best.confidence] < _CONFIDENCE_RANK[tally.confidence]:
                tally.confidence = best.confidence
            tally.add(obs.host, obs.ref, _citing(obs.ref, request, found))
        for detection in asserted:
            if (
                detection.data_type in IDENTIFYING
                and detection.value
                and detection.value not in self.identifiers
                and len(self.identifiers) < IDENTIFIER_VALUES
            ):
                self.identifiers[detection.value] = Identifier(
                    detection.data_type, obs.host, to_evidence(obs.ref, request, detection), detection.value
                )
        if obs.scheme == "http":
            first = first_per_type(asserted)
            self.cleartext.setdefault(obs.host, Carried()).add(obs.host, obs.ref, _citing(obs.ref, request, first))


def _citing(ref: str, request: str, found: Sequence[Detection]) -> Callable[[], Iterator[Evidence]]:
    """Evidence of a request's detections, built only when it is kept."""
    return lambda: (to_evidence(ref, request, d) for d in found)


def _citer(obs: Observation, request: str) -> Callable[[Detection | None], Evidence]:
    """Evidence for the consent tally, built only when it keeps it."""

    def cite(detection: Detection | None) -> Evidence:
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
    """ "METHOD url" as sent. Redaction happens on the whole result after the
    audit (``redact_result``), so ``--no-redact`` can keep what the request said."""
    if obs.kind != "http":
        return f"{obs.kind.upper()} {obs.host}:{obs.port}"
    default = {"http": 80, "https": 443}.get(obs.scheme)
    netloc = obs.host if obs.port == default else f"{obs.host}:{obs.port}"
    if ":" in obs.host:
        netloc = f"[{obs.host}]" if obs.port == default else f"[{obs.host}]:{obs.port}"
    return f"{obs.method} {obs.scheme}://{netloc}{obs.path}"
