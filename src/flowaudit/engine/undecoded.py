"""Counting the requests that could not be fully decoded, per reason.

The decoder never gives up silently: whatever it refused or could not read
is a :class:`~flowaudit.payload.model.DecodeProblem`. An audit counts
requests (not problems: one damaged body may yield several), keeps the first
few as examples and the recipients they went to, and every report shows the
count, so a reader knows that what those requests carried may be missing,
and where.
"""

from __future__ import annotations

from collections import Counter

from flowaudit.carried import CITED_FLOWS
from flowaudit.engine.tally import request_line
from flowaudit.model import DecodeGap, Evidence, Observation
from flowaudit.payload.model import DECODE_REASONS, DecodeProblem

# Recipients named per reason: a capture may send undecodable bodies to a hundred thousand domains.
UNDECODED_RECIPIENTS = 20


class UndecodedTally:
    def __init__(self) -> None:
        self.requests = 0
        self._per_reason: Counter[str] = Counter()
        self._examples: dict[str, list[Evidence]] = {}
        self._recipients: dict[str, Counter[str]] = {}

    def add(self, obs: Observation, problems: tuple[DecodeProblem, ...], recipient: str) -> None:
        """``recipient``: the company (or unknown domain) the request went to."""
        if not problems:
            return
        self.requests += 1
        first: dict[str, str] = {}
        for problem in problems:
            first.setdefault(problem.reason, problem.message)
        for reason, message in first.items():
            self._per_reason[reason] += 1
            kept = self._examples.setdefault(reason, [])
            if len(kept) < CITED_FLOWS:
                kept.append(Evidence(flow=obs.ref, request=request_line(obs), how=message))
            named = self._recipients.setdefault(reason, Counter())
            if recipient in named or len(named) < UNDECODED_RECIPIENTS:
                named[recipient] += 1

    def gaps(self) -> tuple[DecodeGap, ...]:
        """Most frequent reason first (ties in the order of ``DECODE_REASONS``)."""
        order = list(DECODE_REASONS)
        reasons = sorted(
            self._per_reason, key=lambda r: (-self._per_reason[r], order.index(r) if r in order else 99, r)
        )
        return tuple(
            DecodeGap(
                r,
                DECODE_REASONS.get(r, r),
                self._per_reason[r],
                tuple(self._examples[r]),
                tuple(name for name, _ in sorted(self._recipients[r].items(), key=lambda kv: (-kv[1], kv[0]))),
            )
            for r in reasons
        )
