"""A consent signal found in a request, and what it means for the audit.

Decoders (``consent.signals``) say what a string holds; this says what it
means: consent given, refused, given in part, an opt-out, tracking switched
off, or nothing decided. Two questions matter to the rules and are answered
here, once, per kind of signal:

- ``explicit``: is this a choice the user made in the app (a TCF string, a
  consent-mode update, a US Privacy opt-out)? Only such signals can start
  a consent phase. Device and browser settings (ATT, Limit Ad Tracking, GPC)
  and defaults are in force from the first request and mark no moment.
- ``tracking_off``: does the request itself tell its recipient not to track
  (the signals docs/contract.md lists for ``opt-out-signal-ignored``)?
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.consent.signals.flags import AttStatus, DataProcessingOptions, Switch
from flowaudit.consent.signals.google import DmaConsent, GoogleConsent
from flowaudit.consent.signals.gpp import GppString
from flowaudit.consent.signals.tcf import TcString
from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.consent.signals.usprivacy import UsPrivacy
from flowaudit.model import Evidence
from flowaudit.pickled import PickledByFields

MEANINGS: tuple[str, ...] = ("granted", "partial", "refused", "opt-out", "tracking-off", "not-set", "undecodable")

Decoded = (
    TcString
    | UsPrivacy
    | GppString
    | GoogleConsent
    | DmaConsent
    | Switch
    | AttStatus
    | DataProcessingOptions
    | Undecodable
    | None
)

_EXCERPT = 40


@dataclass(frozen=True, slots=True)
class ConsentSignal(PickledByFields):
    kind: str  # "tcf", "us-privacy", "gpp", "google-gcs", "gpc", ... (see detect.KINDS)
    meaning: str  # one of MEANINGS
    summary: str  # one line for a reader: what the value says
    flow: str  # Observation.ref
    location: str  # where in the request, e.g. "query:gdpr_consent"
    value: str  # as found on the wire
    explicit: bool = False
    tracking_off: bool = False
    decoded: Decoded = None

    def evidence(self) -> Evidence:
        """Consent strings hold no secrets, but they are long: shortened. A
        value read from a cookie is left out all the same (docs/contract.md: cookies
        never appear in outputs); the summary says what it meant."""
        if self.location.startswith("cookie:"):
            excerpt = ""
        elif len(self.value) <= _EXCERPT:
            excerpt = self.value
        else:
            excerpt = f"{self.value[:_EXCERPT]}… ({len(self.value)} chars)"
        return Evidence(flow=self.flow, location=self.location, how=self.summary, excerpt=excerpt)
