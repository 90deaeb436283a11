"""Requests that carried one thing, counted all and cited a few, per host.

A finding says "X reached Y in N requests" and names a host and a few
requests. Those must be the requests and hosts that really carried X, not
the company's busiest host, and the count must agree with what is cited
("12 requests, 5 shown" when the list is bounded). :class:`Carried` is the
one running total every tally uses for that (data types, the requests made
before consent, plain-HTTP requests, ...), so every rule gets it.

Memory is bounded: a few requests per host, for a bounded number of hosts;
everything else is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flowaudit.model import Evidence

# How many requests a finding cites. Enough to check by hand; the rest are counted.
CITED_FLOWS = 5
# How many hosts keep requests to cite: a finding cites one request of each
# (beyond CITED_FLOWS when needed) so every host it names is backed by one.
CITED_HOSTS = 20
# Pieces of evidence kept per cited request (a type found at three places of one body).
PER_FLOW = 3


@dataclass(slots=True)
class Carried:
    """The requests that carried one thing."""

    flows: int = 0
    phase: str = ""  # the consent phase of the first such request
    # phase -> requests made in it, in the order the phases were first met
    # (bounded by the phases a capture has, themselves bounded)
    phases: dict[str, int] = field(default_factory=dict)
    hosts: Counter[str] = field(default_factory=Counter)
    # host -> [(arrival, flow ref, its evidence)], the first few requests to that host
    kept: dict[str, list[tuple[int, str, list[Evidence]]]] = field(default_factory=dict)

    def add(self, host: str, ref: str, cite: Callable[[], Iterable[Evidence]], phase: str = "") -> None:
        """Count one request; ``cite`` is called only when its evidence is kept."""
        if not self.flows:
            self.phase = phase
        if phase:
            self.phases[phase] = self.phases.get(phase, 0) + 1
        self.flows += 1
        self.hosts[host] += 1
        if host not in self.kept and len(self.kept) >= CITED_HOSTS:
            return
        flows = self.kept.setdefault(host, [])
        if len(flows) < CITED_FLOWS:
            flows.append((self.flows, ref, list(cite())[:PER_FLOW]))

    def named_hosts(self) -> tuple[str, ...]:
        """Every host that received it, busiest first (ties by name)."""
        return tuple(h for h, _ in sorted(self.hosts.items(), key=lambda kv: (-kv[1], kv[0])))

    def cited(self) -> list[tuple[str, list[Evidence]]]:
        """The requests to cite, in capture order: one per host first
        (busiest host first), then more in turn, up to :data:`CITED_FLOWS`
        requests (more only when more hosts must each be backed by one)."""
        per_host = [self.kept[h] for h in self.named_hosts() if h in self.kept]
        limit = max(CITED_FLOWS, len(per_host))
        out: list[tuple[int, str, list[Evidence]]] = []
        depth = 0
        while len(out) < limit and any(depth < len(g) for g in per_host):
            out.extend(g[depth] for g in per_host if depth < len(g))
            depth += 1
        return [(ref, kept) for _, ref, kept in sorted(out[:limit], key=lambda c: c[0])]

    def refs(self) -> set[str]:
        """The requests kept to cite."""
        return {ref for flows in self.kept.values() for _, ref, _ in flows}

    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(e for _, kept in self.cited() for e in kept)

    def cited_flows(self) -> int:
        return len(self.cited())


def requests_phrase(flows: int, shown: int, noun: str = "request") -> str:
    """ "4 requests", or "12 requests, 5 shown" when fewer are cited than counted."""
    text = f"{flows} {noun}{'s' if flows != 1 else ''}"
    return f"{text}, {shown} shown" if 0 < shown < flows else text


def combined(groups: Sequence[Carried]) -> tuple[tuple[str, ...], tuple[Evidence, ...], int]:
    """Several totals cited as one (a finding about several data types):
    the hosts of all, busiest first, and evidence that backs every one of
    those hosts with a request (the first one cited to it, busiest host first)
    before taking a request from each total in turn, so every total is cited
    before any is cited twice, up to :data:`CITED_FLOWS` requests (or one per
    host, when there are more hosts). Returns (hosts, evidence, cited requests)."""
    hosts: Counter[str] = Counter()
    for g in groups:
        hosts.update(g.hosts)
    named = tuple(h for h, _ in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0])))
    cited = [g.cited() for g in groups]
    limit = max(CITED_FLOWS, len(named))
    refs: dict[str, list[Evidence]] = {}
    host_of = {ref: h for g in groups for h, kept in g.kept.items() for _, ref, _ in kept}
    for host in named:
        first = next((ref for cs in cited for ref, _ in cs if host_of.get(ref) == host), None)
        if first is not None and first not in refs and len(refs) < limit:
            refs[first] = []
    depth = 0
    while any(depth < len(c) for c in cited):
        for c in cited:
            if depth < len(c) and (c[depth][0] in refs or len(refs) < limit):
                refs.setdefault(c[depth][0], []).extend(c[depth][1])
        depth += 1
    return named, tuple(e for kept in refs.values() for e in kept), len(refs)

