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
from itertools import islice

from flowaudit.model import Evidence

# How many requests a finding cites. Enough to check by hand; the rest are counted.
CITED_FLOWS = 5
# How many hosts keep requests to cite: a finding cites one request of each
# (beyond CITED_FLOWS when needed) so every host it names is backed by one.
CITED_HOSTS = 20
# Pieces of evidence kept per cited request (a type found at three places of one body).
PER_FLOW = 3


# One kept request: (arrival, flow ref, its evidence).
Kept = tuple[int, str, tuple[Evidence, ...]]


class Carried:
    """The requests that carried one thing.

    A recipient holds a dozen of these (every request, each data type, the
    same with an identifier, each consent phase), and a capture to a hundred
    thousand domains has a hundred thousand recipients, most reached through
    one host. So until a second host appears, only that host and its kept
    requests are stored (its count is ``flows``), in tuples; the per-host
    counter and map are made when a second host comes, and nothing is made
    for what never came (no phase, no request)."""

    __slots__ = ("_hosts", "_kept", "_phases", "flows", "phase")

    def __init__(self) -> None:
        self.flows = 0
        self.phase = ""  # the consent phase of the first such request
        # phase -> requests made in it, in the order the phases were first met
        # (bounded by the phases a capture has, themselves bounded); None: none yet
        self._phases: dict[str, int] | None = None
        # The one host so far (None: none yet) and its kept requests; from a
        # second host on, every host counted and host -> its first few requests.
        self._hosts: str | Counter[str] | None = None
        self._kept: tuple[Kept, ...] | dict[str, tuple[Kept, ...]] = ()

    def add(self, host: str, ref: str, cite: Callable[[], Iterable[Evidence]], phase: str = "") -> None:
        """Count one request; ``cite`` is called only when its evidence is kept."""
        if not self.flows:
            self.phase = phase
        if phase:
            if self._phases is None:
                self._phases = {}
            self._phases[phase] = self._phases.get(phase, 0) + 1
        self.flows += 1
        hosts, kept = self._hosts, self._kept
        if hosts is None or (isinstance(hosts, str) and hosts == host):  # not Counter.__eq__, a Python call
            self._hosts = host
            if isinstance(kept, tuple) and len(kept) < CITED_FLOWS:
                self._kept = (*kept, (self.flows, ref, _first(cite())))
            return
        if isinstance(hosts, str) and isinstance(kept, tuple):  # a second host: count them apart from now on
            first = hosts
            hosts, kept = Counter({first: self.flows - 1}), {first: kept}
            self._hosts, self._kept = hosts, kept
        assert isinstance(hosts, Counter) and isinstance(kept, dict)
        hosts[host] += 1
        flows = kept.get(host)
        if flows is None and len(kept) >= CITED_HOSTS:
            return
        if flows is None or len(flows) < CITED_FLOWS:
            kept[host] = (*(flows or ()), (self.flows, ref, _first(cite())))

    @property
    def phases(self) -> dict[str, int]:
        """Phase -> requests made in it, in the order the phases were first met."""
        return dict(self._phases or {})

    @property
    def hosts(self) -> Counter[str]:
        """Host -> requests to it (a new counter: change it freely)."""
        if isinstance(self._hosts, str):
            return Counter({self._hosts: self.flows})
        return Counter(self._hosts)

    @property
    def kept(self) -> dict[str, tuple[Kept, ...]]:
        """Host -> the first few requests to it (of the first :data:`CITED_HOSTS` hosts)."""
        if isinstance(self._hosts, str) and isinstance(self._kept, tuple):
            return {self._hosts: self._kept}
        return dict(self._kept) if isinstance(self._kept, dict) else {}

    def named_hosts(self) -> tuple[str, ...]:
        """Every host that received it, busiest first (ties by name)."""
        if isinstance(self._hosts, str):
            return (self._hosts,)
        return tuple(h for h, _ in sorted(self.hosts.items(), key=lambda kv: (-kv[1], kv[0])))

    def cited(self) -> list[tuple[str, tuple[Evidence, ...]]]:
        """The requests to cite, in capture order: one per host first
        (busiest host first), then more in turn, up to :data:`CITED_FLOWS`
        requests (more only when more hosts must each be backed by one)."""
        kept = self.kept
        per_host = [kept[h] for h in self.named_hosts() if h in kept]
        limit = max(CITED_FLOWS, len(per_host))
        out: list[Kept] = []
        depth = 0
        while len(out) < limit and any(depth < len(g) for g in per_host):
            out.extend(g[depth] for g in per_host if depth < len(g))
            depth += 1
        return [(ref, evidence) for _, ref, evidence in sorted(out[:limit], key=lambda c: c[0])]

    def refs(self) -> set[str]:
        """The requests kept to cite."""
        return {ref for flows in self.kept.values() for _, ref, _ in flows}

    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(e for _, kept in self.cited() for e in kept)

    def cited_flows(self) -> int:
        return len(self.cited())


class DataTypeTally(Carried):
    """What one recipient received of one data type (here, not with the recipient's other totals
    in :mod:`flowaudit.engine.tally`: a compiled class has no interpreted subclass)."""

    __slots__ = ("confidence",)

    def __init__(self) -> None:
        super().__init__()
        self.confidence = "possible"  # the strongest seen


def _first(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """The first :data:`PER_FLOW` pieces; a short tuple as it is (a request's bare citation is one
    tuple that every total keeping the request shares)."""
    if isinstance(evidence, tuple) and len(evidence) <= PER_FLOW:
        return evidence
    return tuple(islice(evidence, PER_FLOW))


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
