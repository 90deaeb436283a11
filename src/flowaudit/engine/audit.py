"""The engine: observations in, an :class:`AuditResult` out.

Plain Python over plain dataclasses: no proxy, no files. Callers feed
observations one by one (:meth:`Auditor.add`) and ask for the result once
the inputs are exhausted, so a capture of any size streams through.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flowaudit import __version__
from flowaudit.catalog import Catalog
from flowaudit.consent.detect import find_signals
from flowaudit.consent.phases import PhaseResolver
from flowaudit.consent.signal import ConsentSignal
from flowaudit.declaration import Declaration
from flowaudit.engine.analysis import Analyzer
from flowaudit.engine.destinations import Destination, DestinationResolver
from flowaudit.engine.rules import CHECKS
from flowaudit.engine.tally import RecipientTally
from flowaudit.engine.undecoded import UndecodedTally
from flowaudit.model import SEVERITIES, AuditResult, Finding, InputInfo, Observation, Recipient
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import DecodeProblem, Detection

_PARTY_ORDER = {"third": 0, "unknown": 1, "first": 2}


@dataclass(frozen=True, slots=True)
class Inspection:
    """What one request holds, found without any state of the audit: so it
    can be worked out in parallel, in any order."""

    detections: tuple[Detection, ...] | None  # None: payload not analysed
    signals: tuple[ConsentSignal, ...]
    problems: tuple[DecodeProblem, ...] = ()  # what could not be decoded


def inspect(obs: Observation, analyzer: Analyzer | None) -> Inspection:
    """Decode a request once, name the data types in it (when ``analyzer``
    is given) and find its consent signals (always)."""
    decoded = decode_request(obs) if analyzer is not None else None
    detections = tuple(analyzer(obs, decoded)) if analyzer is not None and decoded is not None else None
    problems = decoded.problems if decoded is not None else ()
    return Inspection(detections, tuple(find_signals(obs, decoded)), problems)


class Auditor:
    def __init__(
        self,
        catalog: Catalog,
        declaration: Declaration | None,
        fail_on: str = "high",
        analyzer: Analyzer | None = None,
    ) -> None:
        """``analyzer`` names the data types inside each (decoded) request;
        without one the audit is about destinations only."""
        self._catalog = catalog
        self._analyzer = analyzer
        self._declaration = declaration
        self._fail_on = fail_on
        self._resolver = DestinationResolver(catalog, declaration)
        self._tallies: dict[tuple[str, str, str], RecipientTally] = {}
        self._flows = 0
        self._phases: dict[str, None] = {}  # in the order phases began
        self._consent = PhaseResolver()
        self._undecoded = UndecodedTally()

    def wants_payload(self, obs: Observation) -> bool:
        """Whether this request's payload is to be analysed (see :func:`_worth_analysing`)."""
        return self._analyzer is not None and _worth_analysing(obs, self._resolver.resolve(obs.host, obs.path))

    def add(self, obs: Observation) -> None:
        self.add_inspected(obs, inspect(obs, self._analyzer if self.wants_payload(obs) else None))

    def add_inspected(self, obs: Observation, inspection: Inspection) -> None:
        """Count a request whose :func:`inspect` was done already (perhaps in a
        worker process): what remains is ordered and cheap."""
        self._flows += 1
        self._undecoded.add(obs, inspection.problems)
        destination = self._resolver.resolve(obs.host, obs.path)
        consent = self._consent.observe_signals(obs, inspection.signals)
        obs = replace(obs, phase=consent.state.phase)  # markers, else the phase the traffic itself signals
        if obs.phase is not None:
            self._phases.setdefault(obs.phase)
        tally = self._tallies.get(destination.key)
        if tally is None:
            tally = self._tallies[destination.key] = RecipientTally(destination)
        tally.add(obs, destination, inspection.detections, consent)

    def result(self, inputs: tuple[InputInfo, ...]) -> AuditResult:
        tallies = sorted(self._tallies.values(), key=_tally_order)
        findings: list[Finding] = []
        for check in CHECKS:
            findings.extend(check(tallies, self._declaration))
        phases = tuple(self._phases)
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.entity or "", f.host or "", f.id))
        decl = self._declaration
        return AuditResult(
            tool_version=__version__,
            rules_version=self._catalog.version,
            inputs=inputs,
            app_name=(decl.app if decl else None) or next((i.app for i in inputs if i.app), None),
            declaration=decl.path if decl else None,
            recipients=tuple(_recipient(t, phases) for t in tallies if not t.destination.is_platform),
            platform=tuple(_recipient(t, phases) for t in tallies if t.destination.is_platform),
            findings=tuple(findings),
            flows=self._flows,
            fail_on=self._fail_on,
            phases=phases,
            phase_changes=self._consent.changes,
            phase_changes_dropped=self._consent.dropped_changes,
            consent_signals=self._consent.signals_seen,
            undecoded=self._undecoded.requests,
            decode_gaps=self._undecoded.gaps(),
        )


def _worth_analysing(obs: Observation, destination: Destination) -> bool:
    """Whether a request's payload can matter to any rule.

    Every data-type rule is about third parties, except cleartext, which is
    about plain HTTP: the app maker's own HTTPS traffic and the browser's or
    OS's background traffic are counted, not unpacked. They are often half
    of a capture, and decoding is most of the audit's cost. Consent signals
    in them are still read (``find_signals`` works on the undecoded request).
    """
    if destination.is_platform:
        return False
    return destination.party != "first" or obs.scheme == "http"


def _tally_order(t: RecipientTally) -> tuple[int, bool, int, str, str]:
    d = t.destination
    return (_PARTY_ORDER[d.party], d.declared is not None, -t.flows, d.entity.lower(), d.category)


def _recipient(t: RecipientTally, phases: tuple[str, ...]) -> Recipient:
    d = t.destination
    return Recipient(
        entity=d.entity,
        entity_id=d.entity_id,
        category=d.category,
        party=d.party,
        declared=d.declared is not None,
        hosts=tuple(sorted(t.hosts)),
        flows=t.flows,
        data_types=tuple(sorted(t.data_types)),
        parent=d.parent,
        services=tuple(sorted(t.services)),
        phases=tuple(p for p in phases if p in t.phase_flows),
        phase_flows=tuple((p, t.phase_flows[p]) for p in phases if p in t.phase_flows),
        evidence=(
            *t.requests.evidence(),
            *(e for data_type in sorted(t.data_types) for e in t.data_types[data_type].evidence()),
        ),
    )
