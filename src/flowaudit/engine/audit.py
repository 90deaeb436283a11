"""The engine: observations in, an :class:`AuditResult` out.

Plain Python over plain dataclasses: no proxy, no files. Callers feed
observations one by one (:meth:`Auditor.add`) and ask for the result once
the inputs are exhausted, so a capture of any size streams through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flowaudit import __version__
from flowaudit.catalog import Catalog
from flowaudit.declaration import Declaration
from flowaudit.engine.destinations import DestinationResolver
from flowaudit.engine.rules import CHECKS
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import SEVERITIES, AuditResult, Finding, InputInfo, Observation, Recipient
from flowaudit.payload.model import Detection

Analyzer = Callable[[Observation], Sequence[Detection]]

_PARTY_ORDER = {"third": 0, "unknown": 1, "first": 2}


class Auditor:
    def __init__(
        self,
        catalog: Catalog,
        declaration: Declaration | None,
        fail_on: str = "high",
        analyzer: Analyzer | None = None,
    ) -> None:
        """``analyzer`` looks inside each request for data types; without one
        the audit is about destinations only."""
        self._catalog = catalog
        self._analyzer = analyzer
        self._declaration = declaration
        self._fail_on = fail_on
        self._resolver = DestinationResolver(catalog, declaration)
        self._tallies: dict[tuple[str, str, str], RecipientTally] = {}
        self._flows = 0

    def add(self, obs: Observation) -> None:
        self._flows += 1
        destination = self._resolver.resolve(obs.host)
        tally = self._tallies.get(destination.key)
        if tally is None:
            tally = self._tallies[destination.key] = RecipientTally(destination)
        tally.add(obs, destination, self._analyzer(obs) if self._analyzer else None)

    def result(self, inputs: tuple[InputInfo, ...]) -> AuditResult:
        tallies = sorted(self._tallies.values(), key=_tally_order)
        findings: list[Finding] = []
        for check in CHECKS:
            findings.extend(check(tallies, self._declaration))
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.entity or "", f.host or "", f.id))
        decl = self._declaration
        return AuditResult(
            tool_version=__version__,
            rules_version=self._catalog.version,
            inputs=inputs,
            app_name=decl.app if decl else None,
            declaration=decl.path if decl else None,
            recipients=tuple(_recipient(t) for t in tallies if not t.destination.is_platform),
            platform=tuple(_recipient(t) for t in tallies if t.destination.is_platform),
            findings=tuple(findings),
            flows=self._flows,
            fail_on=self._fail_on,
        )


def _tally_order(t: RecipientTally) -> tuple[int, bool, int, str, str]:
    d = t.destination
    return (_PARTY_ORDER[d.party], d.declared is not None, -t.flows, d.entity.lower(), d.category)


def _recipient(t: RecipientTally) -> Recipient:
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
        phases=tuple(sorted(t.phases)),
    )
