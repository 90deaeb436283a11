"""The payload analysis the engine runs on every request: the declaration's
canaries, the vendor adapters and the generic detectors, built once per
audit so the per-request cost is the search alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flowaudit.declaration import Declaration
from flowaudit.model import Observation
from flowaudit.payload.adapters import load_adapters
from flowaudit.payload.analyze import analyze_decoded
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.model import DecodedRequest, Detection


class Analyzer(Protocol):
    """Names the data types in one request, already decoded."""

    def __call__(self, obs: Observation, decoded: DecodedRequest) -> Sequence[Detection]: ...


class PayloadAnalyzer:
    def __init__(self, declaration: Declaration | None) -> None:
        matcher = CanaryMatcher(declaration.canaries) if declaration is not None else None
        self._matcher = matcher if matcher is not None and not matcher.empty else None
        self._adapters = load_adapters()

    def __call__(self, obs: Observation, decoded: DecodedRequest) -> Sequence[Detection]:
        return analyze_decoded(decoded, obs.host, obs.path, self._matcher, adapters=self._adapters)
