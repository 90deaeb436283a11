"""Which consent phase each request happened in, decided in one pass.

Two sources, in this order of authority:

1. Capture markers (``Observation.phase``, set by ``flowaudit mark``, a key
   press or the marker URL): what the tester did. A marker stays in force
   until the next one. ``consent-granted``, ``consent-refused`` and
   ``consent-withdrawn`` (and the synonyms below) set the consent state;
   any other name ("login", "checkout") only names the phase.
2. Consent signals in the traffic itself, used until the first consent
   marker of a capture: the first explicit choice (a TCF string, a consent
   mode update, a US Privacy opt-out) starts that phase; a refusal after a
   grant is a withdrawal. Device and browser settings (ATT, GPC) are in
   force from the start and start no phase, unless they change during the
   capture: an ATT prompt answered then is a choice like any other.

Before either: ``before-consent``. Each new capture file starts over.
Everything is decided from the requests seen so far, in file order, so the
resolver streams like the rest of the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from flowaudit.consent.detect import find_signals
from flowaudit.consent.record import tcf_record
from flowaudit.consent.signal import ConsentSignal
from flowaudit.consent.signals.gpp import GppString
from flowaudit.consent.signals.tcf import TcString
from flowaudit.model import ConsentSignalSeen, Evidence, Observation, PhaseChange
from flowaudit.payload.model import DecodedRequest

# The consent states a request can be in; rules read these, not phase names.
CONSENT_STATES: tuple[str, ...] = ("before", "granted", "partial", "refused", "withdrawn")
REFUSED_STATES = frozenset({"refused", "withdrawn"})
BEFORE_CONSENT = "before-consent"
# Phase names given to states inferred from signals (no marker in force).
INFERRED_PHASE = {
    "before": BEFORE_CONSENT,
    "granted": "consent-granted",
    "partial": "consent-partial",
    "refused": "consent-refused",
    "withdrawn": "consent-withdrawn",
}
# Marker names that set the consent state (lower-cased on reading).
MARKER_CONSENT = {
    BEFORE_CONSENT: "before",
    "consent-granted": "granted",
    "consent-accepted": "granted",
    "consent-given": "granted",
    "consent-partial": "partial",
    "consent-refused": "refused",
    "consent-rejected": "refused",
    "consent-denied": "refused",
    "consent-withdrawn": "withdrawn",
    "consent-revoked": "withdrawn",
}
# A capture whose signals flip on every request must not grow the timeline
# without bound; changes past this are counted, not kept.
MAX_CHANGES = 500


@dataclass(frozen=True, slots=True)
class PhaseState:
    """The phase a request happened in."""

    phase: str  # the name reports show: the marker in force, or an inferred name
    consent: str  # one of CONSENT_STATES
    source: str  # "marker", "signal" or "start"
    since: str | None  # flow ref where this consent state began (None: from the start)

    @property
    def refused(self) -> bool:
        return self.consent in REFUSED_STATES


@dataclass(frozen=True, slots=True)
class ObservedConsent:
    """What the engine needs to know about one request's consent context."""

    state: PhaseState
    signals: tuple[ConsentSignal, ...]
    # The TC string in force: the request's own, else the last one the capture
    # sent (the consent management platform's current record of the choice).
    tcf: TcfInForce | None = None


@dataclass(frozen=True, slots=True)
class TcfInForce:
    string: TcString
    evidence: Evidence  # where it was sent (the request's own signal, or an earlier one)
    own: bool  # carried by this request itself

    def withheld(self, vendors: Sequence[int]) -> tuple[int, ...]:
        """Those of ``vendors`` (one company's TCF ids) the string gives neither
        consent nor a legitimate interest: empty unless it withholds all of them,
        and unless the user consented to some purpose at all (a string that
        refuses everything is judged as a refusal already)."""
        s = self.string
        if not vendors or not s.purposes_consented:
            return ()
        allowed = s.vendors_consented | s.vendors_legitimate_interest
        return () if any(v in allowed for v in vendors) else tuple(vendors)


class PhaseResolver:
    """Feed every observation in file order to :meth:`observe`."""

    def __init__(self) -> None:
        self._source: str | None = None
        self._phases: dict[str, None] = {}  # insertion-ordered set
        self._changes: list[PhaseChange] = []
        self._dropped = 0
        # (kind, meaning) -> [requests, first signal]; bounded by kinds x meanings
        self._seen: dict[tuple[str, str], tuple[int, ConsentSignal]] = {}
        # The last state and signal-less context handed out, handed out again while they hold (frozen,
        # so shared): most requests are made in the state of the one before, and building a frozen
        # dataclass per request cost more than comparing its four fields. A cache of one, keyed by
        # every field (the state's four; the state object and the TC string in force for the context).
        self._last_state: PhaseState | None = None
        self._last_observed: ObservedConsent | None = None
        self._start()

    def _start(self) -> None:
        self._marker: str | None = None
        self._marker_decides = False  # a consent marker was seen in this capture
        self._consent = "before"
        self._consent_source = "start"
        self._since: str | None = None
        self._label: str | None = None
        self._tcf: TcfInForce | None = None
        self._device: dict[str, str] = {}  # device setting signal kind -> its last meaning

    @property
    def phases(self) -> tuple[str, ...]:
        """Phase names in the order they began (for ``AuditResult.phases``)."""
        return tuple(self._phases)

    @property
    def changes(self) -> tuple[PhaseChange, ...]:
        """When each phase began and why (for ``AuditResult.phase_changes``)."""
        return tuple(self._changes)

    @property
    def dropped_changes(self) -> int:
        """Phase changes past :data:`MAX_CHANGES`, counted but not kept."""
        return self._dropped

    def signals_seen(self, company_name: Callable[[str], str | None] = lambda _: None) -> tuple[ConsentSignalSeen, ...]:
        """Each kind of signal and meaning met, counted in requests (for
        ``AuditResult.consent_signals``), in the order first met; a TC string
        recorded field by field, its vendors named by ``company_name`` (a
        catalog company id's name)."""
        return tuple(
            ConsentSignalSeen(
                kind=s.kind,
                meaning=s.meaning,
                summary=s.summary,
                flows=n,
                first=s.evidence(),
                tcf=tcf_record(string, company_name) if (string := tc_string(s)) is not None else None,
            )
            for n, s in self._seen.values()
        )

    def observe(self, obs: Observation, decoded: DecodedRequest | None = None) -> ObservedConsent:
        """Find the request's consent signals and the phase it happened in."""
        return self.observe_signals(obs, tuple(find_signals(obs, decoded)))

    def observe_signals(self, obs: Observation, signals: tuple[ConsentSignal, ...]) -> ObservedConsent:
        """:meth:`observe` with the signals already found (possibly in another process)."""
        for key in dict.fromkeys((s.kind, s.meaning) for s in signals):
            count, first = self._seen.get(key, (0, next(s for s in signals if (s.kind, s.meaning) == key)))
            self._seen[key] = (count + 1, first)
        state = self.resolve(obs, signals)  # first: a new capture forgets the last one's string
        own = next(((s, t) for s in signals if (t := tc_string(s)) is not None), None)
        if own is not None:
            self._tcf = TcfInForce(own[1], own[0].evidence(), own=False)
            return ObservedConsent(state, signals, TcfInForce(own[1], own[0].evidence(), own=True))
        if signals:
            return ObservedConsent(state, signals, self._tcf)
        last = self._last_observed
        if last is None or last.state is not state or last.tcf is not self._tcf:
            last = self._last_observed = ObservedConsent(state, (), self._tcf)
        return last

    def resolve(self, obs: Observation, signals: Sequence[ConsentSignal] = ()) -> PhaseState:
        if obs.source != self._source:
            self._source = obs.source
            self._start()
        evidence: Evidence | None = None
        source = self._consent_source
        marker = obs.phase.strip() if obs.phase else None
        if marker != self._marker:
            self._marker = marker
            evidence = Evidence(flow=obs.phase_ref or obs.ref, how=f"capture marker {marker!r}") if marker else None
            consent = MARKER_CONSENT.get(marker.lower()) if marker else None
            if consent is not None:
                self._set(consent, "marker", obs.ref)
                self._marker_decides = True
            source = "marker"
        if not self._marker_decides:
            choice = _choice([*signals, *self._device_changes(signals)])
            if choice is not None:
                consent = _after(self._consent, choice.meaning)
                if consent != self._consent:
                    self._set(consent, "signal", obs.ref)
                    evidence = choice.evidence()
                    source = "signal"
        label = self._marker or INFERRED_PHASE[self._consent]
        if label != self._label or evidence is not None:
            self._record(label, source, evidence)
        last = self._last_state
        if last is None or (last.phase, last.consent, last.source, last.since) != (
            label,
            self._consent,
            self._consent_source,
            self._since,
        ):
            last = self._last_state = PhaseState(label, self._consent, self._consent_source, self._since)
        return last

    def _device_changes(self, signals: Sequence[ConsentSignal]) -> list[ConsentSignal]:
        """A device's tracking setting that changes during a capture: the user
        answered the App Tracking Transparency prompt (status 0, not
        determined, then 2 or 3) or changed the setting (Meta's
        advertiser_tracking_enabled flipping). That moment is a choice, like a
        consent string's; a setting in force from the first request is not."""
        out = []
        for s in signals:
            choices = _DEVICE_CHOICE.get(s.kind)
            if choices is None or s.meaning == "undecodable":
                continue
            before, self._device[s.kind] = self._device.get(s.kind), s.meaning
            now = choices.get(s.meaning)
            if before is None or before == s.meaning or now is None:
                continue
            was = "not determined" if choices.get(before) is None else before
            out.append(
                replace(
                    s,
                    meaning=now,
                    explicit=True,
                    summary=f"{s.summary}; changed during the capture (was {was}): the user chose",
                )
            )
        return out

    def _set(self, consent: str, source: str, ref: str) -> None:
        if consent != self._consent:
            self._since = ref
        self._consent = consent
        self._consent_source = source

    def _record(self, label: str, source: str, evidence: Evidence | None) -> None:
        first_of_capture = self._label is None
        self._label = label
        self._phases.setdefault(label, None)
        if first_of_capture and evidence is None and label == BEFORE_CONSENT:
            source = "start"
        change = PhaseChange(phase=label, consent=self._consent, source=source, evidence=evidence)
        if self._changes and self._changes[-1] == change:
            return
        if len(self._changes) < MAX_CHANGES:
            self._changes.append(change)
        else:
            self._dropped += 1


# Device tracking settings whose change during a capture is a choice: signal
# meaning -> the choice it then makes (None: nothing decided yet, ATT status 0).
_ATT = {"granted": "granted", "tracking-off": "refused"}
_SWITCH = {"not-set": "granted", "tracking-off": "refused"}
_DEVICE_CHOICE: dict[str, dict[str, str]] = {
    "adjust-att": _ATT,
    "appsflyer-att": _ATT,
    "meta-advertiser-tracking": _SWITCH,
}


def tc_string(signal: ConsentSignal) -> TcString | None:
    """The TC string a signal carries: a TCF signal's, or a GPP string's EU TCF section."""
    decoded = signal.decoded
    if isinstance(decoded, TcString):
        return decoded
    if isinstance(decoded, GppString):
        return next((s.value for s in decoded.sections if isinstance(s.value, TcString)), None)
    return None


def _choice(signals: Sequence[ConsentSignal]) -> ConsentSignal | None:
    """The explicit choice a request carries; a refusal outweighs a grant
    when one request carries both (the stricter reading)."""
    decisive = [s for s in signals if s.explicit and s.meaning in ("granted", "partial", "refused", "opt-out")]
    if not decisive:
        return None
    refusals = [s for s in decisive if s.meaning in ("refused", "opt-out")]
    return (refusals or decisive)[0]


def _after(current: str, meaning: str) -> str:
    if meaning in ("refused", "opt-out"):
        return "withdrawn" if current in ("granted", "partial", "withdrawn") else "refused"
    return "granted" if meaning == "granted" else "partial"
