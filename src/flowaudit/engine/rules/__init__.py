"""The rules: each module turns the tallies of one audit into findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flowaudit.declaration import Declaration
from flowaudit.engine.rules import cleartext, consent, data_types, recipients, stores, uninspectable
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
    consent.tracking_before_consent,
    consent.sharing_after_opt_out,
    consent.opt_out_signal_ignored,
    consent.advertising_id_in_childrens_app,
    uninspectable.uninspectable_connections,
    uninspectable.attempted_contacts,
    recipients.declared_not_observed,
    stores.undeclared_in_store,
    stores.shared_not_declared,
    stores.tracking_not_declared,
    stores.tracking_domain_not_declared,
    stores.tracking_domain_after_refusal,
    stores.declared_not_observed,
    stores.not_understood,
)
