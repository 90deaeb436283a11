"""Running totals per recipient, built one observation at a time.

The engine never holds the capture: it keeps counters per recipient and per
host plus a few sample flows for evidence, so memory depends on how many
distinct destinations a capture has, not on how many flows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flowaudit.engine.destinations import Destination
from flowaudit.model import Observation

# How many sample flows a finding cites. Enough to check by hand; the rest
# are counted, not listed.
EVIDENCE_SAMPLES = 5


@dataclass(slots=True)
class Sample:
    ref: str
    request: str  # "METHOD url" (redacted at render time by the rules)
    host: str


@dataclass(slots=True)
class RecipientTally:
    destination: Destination
    flows: int = 0
    hosts: Counter[str] = field(default_factory=Counter)
    services: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    samples: list[Sample] = field(default_factory=list)
    # plain-HTTP requests that carried a payload, per host
    cleartext: Counter[str] = field(default_factory=Counter)
    cleartext_samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, obs: Observation, destination: Destination) -> None:
        self.flows += 1
        self.hosts[obs.host] += 1
        if destination.service:
            self.services.add(destination.service)
        if obs.phase:
            self.phases.add(obs.phase)
        sample = None
        if len(self.samples) < EVIDENCE_SAMPLES:
            sample = _sample(obs)
            self.samples.append(sample)
        if carries_cleartext_payload(obs):
            self.cleartext[obs.host] += 1
            samples = self.cleartext_samples.setdefault(obs.host, [])
            if len(samples) < EVIDENCE_SAMPLES:
                samples.append(sample or _sample(obs))

    def top_host(self) -> str:
        """The host with most flows (ties broken by name): stable across runs."""
        return min(self.hosts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def request_line(obs: Observation) -> str:
    if obs.kind != "http":
        return f"{obs.kind.upper()} {obs.host}:{obs.port}"
    default = {"http": 80, "https": 443}.get(obs.scheme)
    netloc = obs.host if obs.port == default else f"{obs.host}:{obs.port}"
    if ":" in obs.host:
        netloc = f"[{obs.host}]" if obs.port == default else f"[{obs.host}]:{obs.port}"
    return f"{obs.method} {obs.scheme}://{netloc}{obs.path}"


def _sample(obs: Observation) -> Sample:
    return Sample(ref=obs.ref, request=request_line(obs), host=obs.host)


_CREDENTIAL_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


def carries_cleartext_payload(obs: Observation) -> bool:
    """A plain-HTTP request that carries something beyond a bare address.

    Until payload data types are detected this is the honest proxy for
    "personal data": a body, a query string, cookies or credentials.
    """
    if obs.scheme != "http":
        return False
    if obs.body or "?" in obs.path:
        return True
    return any(name.lower() in _CREDENTIAL_HEADERS for name, _ in obs.request_headers)
