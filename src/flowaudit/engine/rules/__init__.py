"""The rules: each module turns the tallies of one audit into findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flowaudit.declaration import Declaration
from flowaudit.engine.rules import cleartext, data_types, recipients
from flowaudit.engine.tally import RecipientTally
from flowaudit.model import Finding

RuleCheck = Callable[[list[RecipientTally], Declaration | None], Iterable[Finding]]

CHECKS: tuple[RuleCheck, ...] = (
    recipients.undeclared_recipients,
    recipients.unknown_third_parties,
    data_types.undeclared_data_types,
    data_types.sensitive_data,
    data_types.shared_identifiers,
    cleartext.cleartext_transmissions,
    recipients.declared_not_observed,
)
