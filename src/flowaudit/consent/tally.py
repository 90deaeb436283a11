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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from flowaudit.carried import Carried
from flowaudit.consent.phases import ObservedConsent
from flowaudit.model import Evidence
from flowaudit.ondemand import NOTHING, nothing, owned
from flowaudit.payload.model import Detection

ADVERTISING_ID = "identifiers.advertising_id"
# The consent state of a request to a company whose TCF vendor consent was withheld
# while the user consented to others (see ConsentTally.add).
VENDOR_REFUSED = "vendor-refused"

Cite = Callable[[Detection | None], Evidence]


@dataclass(slots=True)
class ConsentTally:
    """One recipient's requests by consent state. Each total is made when a request first goes in
    it (:mod:`flowaudit.ondemand`): a capture to many domains holds one of these per domain."""

    # the consent states its requests were made in, in the order first met
    states: tuple[str, ...] = ()
    _before: Carried | None = None  # requests made before consent
    # every request made after a refusal (contacted at all: iOS blocks tracking domains then)
    _contacted_refused: Carried | None = None
    # consent state ("refused", "withdrawn") -> requests that carried any data type in it
    refused: Mapping[str, Carried] = field(default_factory=nothing)
    # consent state -> data type -> what was received
    after_refusal: Mapping[str, Mapping[str, Carried]] = field(default_factory=nothing)
    # data type -> requests that carried it while saying tracking is off
    despite_opt_out: Mapping[str, Carried] = field(default_factory=nothing)
    # data type -> signal kind -> the first request that said so and still carried the type
    opt_out_signals: Mapping[str, Mapping[str, Evidence]] = field(default_factory=nothing)
    _advertising_ids: Carried | None = None
    # The TC string that first withheld consent from this recipient's TCF vendor ids
    # while the user consented to other vendors (the "vendor-refused" state), and those ids.
    withheld_by: Evidence | None = None
    withheld: tuple[int, ...] = ()

    @property
    def before(self) -> Carried:
        """Requests made before consent."""
        return Carried() if self._before is None else self._before

    @property
    def contacted_refused(self) -> Carried:
        """Every request made after a refusal."""
        return Carried() if self._contacted_refused is None else self._contacted_refused

    @property
    def advertising_ids(self) -> Carried:
        """Requests that carried an advertising id."""
        return Carried() if self._advertising_ids is None else self._advertising_ids

    def add(
        self,
        observed: ObservedConsent,
        asserted: Sequence[Detection] | None,
        cite: Cite,
        host: str,
        ref: str,
        vendors: Sequence[int] = (),
    ) -> None:
        """``asserted`` is None when payloads were not analysed; ``host`` and
        ``ref`` say which request this is (what a finding names and cites);
        ``vendors`` are the recipient's TCF vendor ids: a request made with
        consent given, but under a TC string that withholds it from these
        vendors, is judged as made after a refusal (state "vendor-refused")."""
        state = observed.state
        if state.consent not in self.states:
            self.states = (*self.states, state.consent)
        withheld = self._withheld(observed, vendors)
        if withheld and self.withheld_by is None:
            self.withheld_by, self.withheld = observed.tcf.evidence if observed.tcf else None, withheld
        if state.consent == "before":
            self._before = self._before or Carried()
            self._before.add(host, ref, lambda: (cite(None),), state.phase)
        if state.refused:
            self._contacted_refused = self._contacted_refused or Carried()
            self._contacted_refused.add(host, ref, lambda: (cite(None),), state.phase)
        if asserted:
            self._carry(observed, asserted, cite, host, ref, withheld, counted=False)

    def carry(
        self,
        observed: ObservedConsent,
        asserted: Sequence[Detection],
        cite: Cite,
        host: str,
        ref: str,
        vendors: Sequence[int] = (),
        counted: bool = False,
    ) -> None:
        """What one request carried, judged by its consent state, for data types found in it only
        once the whole capture was read (ids handed on between companies): ``counted`` says the
        request is already among those that carried something in its state (:meth:`add` saw other
        types in it), so only the new types are added, and the request is not counted twice."""
        self._carry(observed, asserted, cite, host, ref, self._withheld(observed, vendors), counted)

    def _carry(
        self,
        observed: ObservedConsent,
        asserted: Sequence[Detection],
        cite: Cite,
        host: str,
        ref: str,
        withheld: tuple[int, ...],
        counted: bool,
    ) -> None:
        state = observed.state
        tcf = observed.tcf
        refused = state.consent if state.refused else VENDOR_REFUSED if withheld else None

        def add(carried: Carried, detections: Sequence[Detection | None]) -> None:
            carried.add(host, ref, lambda: (cite(d) for d in detections), state.phase)

        carried = first_per_type(asserted)  # an all-zero advertising id is never among them: no id sent
        if refused is not None and carried:
            if not counted:
                self.refused = by_state = owned(self.refused)
                add(by_state.setdefault(refused, Carried()), carried)
            self.after_refusal = after_refusal = owned(self.after_refusal)
            after_refusal[refused] = received = owned(after_refusal.get(refused, NOTHING))
            for detection in carried:
                add(received.setdefault(detection.data_type, Carried()), [detection])
        tracking_off = {s.kind: s.evidence for s in observed.signals if s.tracking_off}
        if withheld and tcf is not None and tcf.own:
            # The request's own TC string tells this recipient it has no consent.
            tracking_off[VENDOR_REFUSED] = lambda: _vendor_evidence(tcf.evidence, withheld)
        if tracking_off and carried:
            self.despite_opt_out = despite_opt_out = owned(self.despite_opt_out)
            self.opt_out_signals = opt_out_signals = owned(self.opt_out_signals)
            for detection in carried:
                add(despite_opt_out.setdefault(detection.data_type, Carried()), [detection])
                opt_out_signals[detection.data_type] = said = owned(opt_out_signals.get(detection.data_type, NOTHING))
                for kind, evidence in tracking_off.items():
                    if kind not in said:
                        said[kind] = evidence()
        ids = [d for d in carried if d.data_type == ADVERTISING_ID]
        if ids:
            self._advertising_ids = self._advertising_ids or Carried()
            add(self._advertising_ids, ids[:1])

    @staticmethod
    def _withheld(observed: ObservedConsent, vendors: Sequence[int]) -> tuple[int, ...]:
        """The recipient's TCF vendor ids a TC string in force withholds consent from, with consent given."""
        tcf = observed.tcf
        if tcf is None or observed.state.consent not in ("granted", "partial"):
            return ()
        return tcf.withheld(vendors)


def _vendor_evidence(string: Evidence, withheld: Sequence[int]) -> Evidence:
    ids = ", ".join(map(str, withheld))
    noun = "vendor" if len(withheld) == 1 else "vendors"
    return replace(string, how=f"the TCF string gives TCF {noun} {ids} neither consent nor legitimate interest")


def first_per_type(detections: Sequence[Detection]) -> list[Detection]:
    """One detection per data type: a request counts once per type."""
    seen: dict[str, Detection] = {}
    for d in detections:
        seen.setdefault(d.data_type, d)
    return list(seen.values())
