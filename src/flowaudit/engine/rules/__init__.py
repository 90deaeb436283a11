"""The rules: each module turns the tallies of one audit into findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flowaudit.declaration import Declaration
from flowaudit.engine.rules import cleartext, recipients
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding

RuleCheck = Callable[[list[RecipientTally], Declaration | None], Iterable[Finding]]

CHECKS: tuple[RuleCheck, ...] = (
    recipients.undeclared_recipients,
    recipients.unknown_third_parties,
    cleartext.cleartext_transmissions,
    recipients.declared_not_observed,
)
