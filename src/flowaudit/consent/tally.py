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

from flowaudit.carried import Carried
from flowaudit.consent.phases import ObservedConsent
from flowaudit.model import Evidence
from flowaudit.payload.model import Detection

ADVERTISING_ID = "identifiers.advertising_id"

Cite = Callable[[Detection | None], Evidence]


@dataclass(slots=True)
class ConsentTally:
    flows_by_consent: Counter[str] = field(default_factory=Counter)
    before: Carried = field(default_factory=Carried)  # requests made before consent
    # consent state ("refused", "withdrawn") -> requests that carried any data type in it
    refused: dict[str, Carried] = field(default_factory=dict)
    # consent state -> data type -> what was received
    after_refusal: dict[str, dict[str, Carried]] = field(default_factory=dict)
    # data type -> requests that carried it while saying tracking is off
    despite_opt_out: dict[str, Carried] = field(default_factory=dict)
    # data type -> signal kind -> the first request that said so and still carried the type
    opt_out_signals: dict[str, dict[str, Evidence]] = field(default_factory=dict)
    advertising_ids: Carried = field(default_factory=Carried)

    def add(
        self, observed: ObservedConsent, asserted: Sequence[Detection] | None, cite: Cite, host: str, ref: str
    ) -> None:
        """``asserted`` is None when payloads were not analysed; ``host`` and
        ``ref`` say which request this is (what a finding names and cites)."""
        state = observed.state
        self.flows_by_consent[state.consent] += 1

        def add(carried: Carried, detections: Sequence[Detection | None]) -> None:
            carried.add(host, ref, lambda: (cite(d) for d in detections), state.phase)

        if state.consent == "before":
            add(self.before, [None])
        if not asserted:
            return
        carried = first_per_type(asserted)  # an all-zero advertising id is never among them: no id sent
        if state.refused and carried:
            add(self.refused.setdefault(state.consent, Carried()), carried)
            received = self.after_refusal.setdefault(state.consent, {})
            for detection in carried:
                add(received.setdefault(detection.data_type, Carried()), [detection])
        tracking_off = [s for s in observed.signals if s.tracking_off]
        if tracking_off and carried:
            for detection in carried:
                add(self.despite_opt_out.setdefault(detection.data_type, Carried()), [detection])
                said = self.opt_out_signals.setdefault(detection.data_type, {})
                for signal in tracking_off:
                    if signal.kind not in said:
                        said[signal.kind] = signal.evidence()
        ids = [d for d in carried if d.data_type == ADVERTISING_ID]
        if ids:
            add(self.advertising_ids, ids[:1])


def first_per_type(detections: Sequence[Detection]) -> list[Detection]:
    """One detection per data type: a request counts once per type."""
    seen: dict[str, Detection] = {}
    for d in detections:
        seen.setdefault(d.data_type, d)
    return list(seen.values())
