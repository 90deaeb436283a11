"""The payload analysis the engine runs on every request: the declaration's
canaries, the vendor adapters and the generic detectors, built once per
audit so the per-request cost is the search alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flowaudit.catalog import Catalog
from flowaudit.declaration import Declaration
from flowaudit.engine.destinations import DestinationResolver
from flowaudit.engine.rules.data_types import SENSITIVE_RECIPIENT_CATEGORIES
from flowaudit.model import Observation
from flowaudit.payload.adapters import load_adapters
from flowaudit.payload.analyze import analyze_decoded, worth_keeping
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.detectors.relayed import relay_candidates
from flowaudit.payload.model import DecodedRequest, Detection


class Analyzer(Protocol):
    """Names the data types in one request, already decoded."""

    def __call__(self, obs: Observation, decoded: DecodedRequest) -> Sequence[Detection]: ...


class PayloadAnalyzer:
    """Resolves each request's recipient as the audit does, because what an
    id in an address is depends on who receives it: sent to an advertising or
    analytics company, an id-named generated value is that company's or its
    partner's id of the browser. Requests to any third party also carry the
    tokens that may be ids handed on from elsewhere, for the audit to decide
    once the capture is read (:mod:`flowaudit.engine.relayed`)."""

    def __init__(self, declaration: Declaration | None, catalog: Catalog) -> None:
        matcher = CanaryMatcher(declaration.canaries) if declaration is not None else None
        self._matcher = matcher if matcher is not None and not matcher.empty else None
        self._adapters = load_adapters()
        self._resolver = DestinationResolver(catalog, declaration)
        # which windows of a stream too large to decode to keep (payload.decode.limits)
        self.keep = worth_keeping(self._matcher)

    def __call__(self, obs: Observation, decoded: DecodedRequest) -> Sequence[Detection]:
        destination = self._resolver.resolve(obs.host, obs.path)
        tracker = destination.party == "third" and destination.category in SENSITIVE_RECIPIENT_CATEGORIES
        found = analyze_decoded(decoded, obs.host, obs.path, self._matcher, adapters=self._adapters, tracker=tracker)
        if destination.party == "first" or destination.is_platform:
            return found
        return [*found, *relay_candidates(decoded)]
