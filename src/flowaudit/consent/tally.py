"""What one recipient received in each consent phase, built request by request.

Kept beside the engine's per-recipient totals (``RecipientTally.consent``)
so the consent rules can ask: was this recipient contacted before consent,
what personal data did it receive after a refusal, and which identifiers did
it receive in requests that themselves said tracking is off. Counters and a
few evidence samples only: memory does not grow with the capture.

This module knows nothing of the engine; the engine hands it the request's
consent context, the data types found (already filtered to those asserted),
and a ``cite`` function that turns a detection (or, with ``None``, the bare
request) into evidence the way the engine does everywhere. ``cite`` is only
called for evidence that is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flowaudit.consent.phases import ObservedConsent
from flowaudit.model import Evidence
from flowaudit.payload.model import Detection

EVIDENCE_SAMPLES = 5
ADVERTISING_ID = "identifiers.advertising_id"

Cite = Callable[[Detection | None], Evidence]


@dataclass(slots=True)
class Received:
    """Requests that carried one thing, with the first few as evidence."""

    flows: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    phase: str = ""  # the phase name of the first such request

    def add(self, cite: Cite, detection: Detection | None, phase: str) -> None:
        if not self.flows:
            self.phase = phase
        self.flows += 1
        if len(self.evidence) < EVIDENCE_SAMPLES:
            self.evidence.append(cite(detection))


@dataclass(slots=True)
class ConsentTally:
    flows_by_consent: Counter[str] = field(default_factory=Counter)
    before: Received = field(default_factory=Received)  # requests made before consent
    # consent state ("refused", "withdrawn") -> requests that carried any data type in it
    refused_flows: Counter[str] = field(default_factory=Counter)
    # consent state -> data type -> what was received
    after_refusal: dict[str, dict[str, Received]] = field(default_factory=dict)
    # data type -> requests that carried it while saying tracking is off
    despite_opt_out: dict[str, Received] = field(default_factory=dict)
    # data type -> signal kind -> the first request that said so and still carried the type
    opt_out_signals: dict[str, dict[str, Evidence]] = field(default_factory=dict)
    advertising_ids: Received = field(default_factory=Received)

    def add(self, observed: ObservedConsent, asserted: Sequence[Detection] | None, cite: Cite) -> None:
        """``asserted`` is None when payloads were not analysed."""
        state = observed.state
        self.flows_by_consent[state.consent] += 1
        if state.consent == "before":
            self.before.add(cite, None, state.phase)
        if not asserted:
            return
        carried = _first_per_type(asserted)  # an all-zero advertising id is never among them: no id sent
        if state.refused and carried:
            self.refused_flows[state.consent] += 1
            received = self.after_refusal.setdefault(state.consent, {})
            for detection in carried:
                received.setdefault(detection.data_type, Received()).add(cite, detection, state.phase)
        tracking_off = [s for s in observed.signals if s.tracking_off]
        if tracking_off and carried:
            for detection in carried:
                self.despite_opt_out.setdefault(detection.data_type, Received()).add(cite, detection, state.phase)
                said = self.opt_out_signals.setdefault(detection.data_type, {})
                for signal in tracking_off:
                    if signal.kind not in said:
                        said[signal.kind] = signal.evidence()
        ids = [d for d in carried if d.data_type == ADVERTISING_ID]
        if ids:
            self.advertising_ids.add(cite, ids[0], state.phase)


def _first_per_type(detections: Sequence[Detection]) -> list[Detection]:
    """One detection per data type: a request counts once per type."""
    seen: dict[str, Detection] = {}
    for d in detections:
        seen.setdefault(d.data_type, d)
    return list(seen.values())
