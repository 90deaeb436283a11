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
from flowaudit.declaration.model import DEFAULT_CONSENT_CATEGORIES
from flowaudit.engine.analysis import Analyzer, PayloadAnalyzer
from flowaudit.engine.destinations import Destination, DestinationResolver
from flowaudit.engine.first_party import FirstPartyHints, same_brand
from flowaudit.engine.relayed import CookieIds, promote_relayed
from flowaudit.engine.rules import CHECKS
from flowaudit.engine.tally import RecipientTally
from flowaudit.engine.undecoded import UndecodedTally
from flowaudit.model import SEVERITIES, AuditResult, Finding, InputInfo, Observation, Recipient, RecipientRow
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import DecodeProblem, Detection
from flowaudit.pickled import PickledByFields

_PARTY_ORDER = {"third": 0, "unknown": 1, "first": 2}


@dataclass(frozen=True, slots=True)
class Inspection(PickledByFields):
    """What one request holds, found without any state of the audit: so it
    can be worked out in parallel, in any order."""

    detections: tuple[Detection, ...] | None  # None: payload not analysed
    signals: tuple[ConsentSignal, ...]
    problems: tuple[DecodeProblem, ...] = ()  # what could not be decoded


def inspect(obs: Observation, analyzer: Analyzer | None) -> Inspection:
    """Decode a request once, name the data types in it (when ``analyzer``
    is given) and find its consent signals (always)."""
    keep = analyzer.keep if isinstance(analyzer, PayloadAnalyzer) else None
    decoded = decode_request(obs, keep=keep) if analyzer is not None else None
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
        self._attempts = 0
        self._phases: dict[str, None] = {}  # in the order phases began
        self._consent = PhaseResolver()
        self._first_party = FirstPartyHints()
        self._undecoded = UndecodedTally()
        self._cookies = CookieIds()

    def wants_payload(self, obs: Observation) -> bool:
        """Whether this request's payload is to be analysed (see :func:`_worth_analysing`)."""
        if self._analyzer is None or obs.attempted:
            return False
        return _worth_analysing(obs, self._resolver.resolve(obs.host, obs.path))

    def inspect(self, obs: Observation) -> Inspection:
        """What :meth:`add` finds in a request before counting it (see :func:`inspect`)."""
        return inspect(obs, self._analyzer if self.wants_payload(obs) else None)

    def add(self, obs: Observation) -> None:
        self.add_inspected(obs, self.inspect(obs))

    def add_inspected(self, obs: Observation, inspection: Inspection) -> None:
        """Count a request whose :func:`inspect` was done already (perhaps in a
        worker process): what remains is ordered and cheap."""
        if obs.attempted:
            self._attempt(obs)
            return
        self._flows += 1
        self._first_party.observe(obs)
        self._cookies.observe(obs)
        destination = self._resolver.resolve(obs.host, obs.path)
        self._undecoded.add(obs, inspection.problems, destination.entity)
        consent = self._consent.observe_signals(obs, inspection.signals)
        # the request's phase: markers, else the one the traffic itself signals (the tally reads it there)
        self._phases.setdefault(consent.state.phase)
        tally = self._tallies.get(destination.key)
        if tally is None:
            tally = self._tallies[destination.key] = RecipientTally(destination)
        tally.add(obs, destination, inspection.detections, consent)

    def _attempt(self, obs: Observation) -> None:
        """A lookup or failed connection: counted on its recipient apart from the
        requests (nothing reached it, so no payload, consent signal or page)."""
        self._attempts += 1
        destination = self._resolver.resolve(obs.host, obs.path)
        phase = self._consent.resolve(obs).phase
        self._phases.setdefault(phase)
        tally = self._tallies.get(destination.key)
        if tally is None:
            tally = self._tallies[destination.key] = RecipientTally(destination)
        tally.add_attempt(obs, phase)

    def result(self, inputs: tuple[InputInfo, ...]) -> AuditResult:
        inferred = self._infer_first_party(inputs)
        tallies = sorted(self._tallies.values(), key=_tally_order)
        promote_relayed(tallies, self._cookies)
        findings: list[Finding] = []
        for check in CHECKS:
            findings.extend(check(tallies, self._declaration))
        findings = _told_apart(findings, tallies)
        phases = tuple(self._phases)
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.entity or "", f.host or "", f.id))
        decl = self._declaration
        return AuditResult(
            tool_version=__version__,
            rules_version=self._catalog.version,
            inputs=inputs,
            app_name=(decl.app if decl else None) or next((i.app for i in inputs if i.app), None),
            declaration=decl.path if decl else None,
            declaration_files=decl.files if decl else (),
            recipients=_rows([t for t in tallies if not t.destination.is_platform], phases),
            platform=_rows([t for t in tallies if t.destination.is_platform], phases),
            findings=tuple(findings),
            flows=self._flows,
            fail_on=self._fail_on,
            phases=phases,
            phase_changes=self._consent.changes,
            phase_changes_dropped=self._consent.dropped_changes,
            consent_signals=self._consent.signals_seen(self._company_name),
            undecoded=self._undecoded.requests,
            decode_gaps=self._undecoded.gaps(),
            first_party_inferred=inferred,
            attempts=self._attempts,
        )

    def _company_name(self, company_id: str) -> str | None:
        try:
            return self._catalog.company(company_id).name
        except KeyError:
            return None

    def _infer_first_party(self, inputs: tuple[InputInfo, ...]) -> tuple[str, ...]:
        """Without declared first-party domains, the sites the capture's pages
        were (:mod:`flowaudit.engine.first_party`): their rows, unknown to the
        catalog, become the first party, marked as inferred."""
        if self._declaration is not None and self._declaration.first_party:
            return ()
        sites = self._first_party.domains(h for i in inputs for h in i.page_hosts)
        relabelled = []
        for site in sites:
            owner = self._resolver.resolve(site)
            # The company that runs the site, when the catalog knows it (a publisher
            # whose own hosts are listed): its undeclared rows are the site's own.
            # Only when the capture shows that one site, and the company is no
            # tracker: a capture that also visited facebook.com must not hide the
            # Meta Pixel of the shop it audits. A hosting provider's name for a
            # customer's site is not the customer either.
            runs_site = (
                owner.entity_id
                if len(sites) == 1 and owner.party == "third" and owner.category not in _NOT_THE_SITE
                else None
            )
            for tally in self._tallies.values():
                d = tally.destination
                unknown_site = d.party == "unknown" and d.entity_id == f"domain:{site}"
                if unknown_site or (d.entity_id == runs_site and d.declared is None and not d.is_platform):
                    tally.destination = d.as_inferred_first_party(site)
                    relabelled.append(site)
                elif d.party == "unknown" and same_brand(domain := d.entity_id.removeprefix("domain:"), site):
                    tally.destination = d.as_inferred_first_party(domain)
                    relabelled.append(domain)
        return tuple(dict.fromkeys(relabelled))


# Companies never taken for the site a capture shows: trackers (the categories that
# need consent) and those that serve other people's sites (hosting, CDN).
_NOT_THE_SITE = frozenset({*DEFAULT_CONSENT_CATEGORIES, "hosting", "cdn"})


def _told_apart(findings: list[Finding], tallies: list[RecipientTally]) -> list[Finding]:
    """A finding about one service row of a company reached through several
    rows names the row's services in its title ("Tracking before consent:
    Google (Google Analytics)"), so two findings of one rule are told apart."""
    rows: dict[str, int] = {}
    for t in tallies:
        rows[t.destination.entity] = rows.get(t.destination.entity, 0) + 1
    return [
        replace(f, title=f"{f.title} ({', '.join(f.services)})")
        if f.services and rows.get(f.entity or "", 0) > 1
        else f
        for f in findings
    ]


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


def _rows(tallies: list[RecipientTally], phases: tuple[str, ...]) -> tuple[Recipient, ...]:
    """One row per company (and party): its services' tallies, kept apart
    for the rules, taken together for the reader."""
    companies: dict[tuple[str, str], list[RecipientTally]] = {}
    for t in tallies:
        companies.setdefault((t.destination.entity_id, t.destination.party), []).append(t)
    rows = [_recipient(parts, phases) for parts in companies.values()]
    return tuple(sorted(rows, key=lambda r: (_PARTY_ORDER[r.party], r.declared, -r.flows, r.entity.lower())))


def _recipient(parts: list[RecipientTally], phases: tuple[str, ...]) -> Recipient:
    """A company's row from the tallies of its services (busiest first)."""
    parts = sorted(parts, key=lambda t: (-t.flows, t.destination.category))
    d = parts[0].destination
    reached = any(t.reached for t in parts)
    # hosts that received requests; a row only tried names the hosts it tried
    hosts = {h for t in parts for h in (t.hosts if reached else t.attempts.hosts)}
    data_types = {dt: [t for t in parts if dt in t.data_types] for t in parts for dt in t.data_types}
    per_part = [t.phase_flows for t in parts]
    phase_flows = {p: sum(counts.get(p, 0) for counts in per_part) for p in phases}
    rows = tuple(
        RecipientRow(
            category=t.destination.category,
            services=tuple(sorted(t.services)),
            flows=t.flows,
            phase_flows=tuple((p, counts[p]) for p in phases if counts.get(p)),
        )
        for t, counts in zip(parts, per_part, strict=True)
    )
    return Recipient(
        entity=d.entity,
        entity_id=d.entity_id,
        category=d.category,
        categories=tuple(dict.fromkeys(t.destination.category for t in parts)),
        party=d.party,
        party_inferred=d.inferred,
        # declared only when every service of it is
        declared=all(t.destination.declared is not None for t in parts),
        hosts=tuple(sorted(hosts)),
        flows=sum(t.flows for t in parts),
        data_types=tuple(sorted(data_types)),
        parent=d.parent,
        services=tuple(sorted({s for t in parts for s in t.services})),
        phases=tuple(p for p in phases if phase_flows[p]),
        phase_flows=tuple((p, n) for p, n in phase_flows.items() if n),
        rows=rows,
        attempts=sum(t.attempts.flows for t in parts),
        evidence=(
            *(e for t in parts for e in (t.requests if reached else t.attempts).evidence()),
            *(e for dt in sorted(data_types) for t in data_types[dt] for e in t.data_types[dt].evidence()),
        ),
    )
