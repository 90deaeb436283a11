"""Consent: what an app does before consent, after refusal, after withdrawal.

- :mod:`.signals`: decoders for the consent signals apps send (TCF v2, US
  Privacy, GPP, Google consent mode, SDK tracking switches, GPC).
- :mod:`.detect`: :func:`find_signals`, the signals in one request.
- :mod:`.phases`: :class:`PhaseResolver`, the consent phase of each request,
  from capture markers or, without them, from the signals.
- :mod:`.tally`: :class:`ConsentTally`, what each recipient got in each phase,
  read by the rules in :mod:`flowaudit.engine.rules.consent`.
"""

from flowaudit.consent.detect import find_signals
from flowaudit.consent.phases import ObservedConsent, PhaseResolver, PhaseState
from flowaudit.consent.signal import ConsentSignal

__all__ = ["ConsentSignal", "ObservedConsent", "PhaseResolver", "PhaseState", "find_signals"]
