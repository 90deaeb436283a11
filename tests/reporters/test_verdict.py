"""The verdict in plain words."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.model import AuditResult
from flowaudit.reporters.verdict import names, verdict


def test_the_full_story_in_one_sentence(full: AuditResult) -> None:
    v = verdict(full)
    assert v.sentences[0] == (
        "4 third parties received requests from Acme Health, and 3 of them received personal data; "
        "2 were not declared: Mixpanel and metrics-cdn.example; health data reached Mixpanel."
    )
    assert v.sentences[1] == "Findings: 1 critical, 2 high, 1 medium, 1 low, 1 info."
    assert v.headline == "FAIL: 3 findings at or above high (1 suppressed, not counted)"
    assert v.warnings == (
        "The capture captures/late.har is incomplete (truncated after entry 2): the 2 requests before the break "
        "were audited, anything after it was not.",
    )


def test_all_declared_and_passing(full: AuditResult) -> None:
    declared = tuple(replace(r, declared=True, data_types=()) for r in full.recipients if r.party == "third")
    v = verdict(replace(full, recipients=declared, findings=(), suppressed=(), inputs=full.inputs[:1]))
    assert v.sentences == (
        "3 third parties received requests from Acme Health; all of them were declared.",
        "No findings.",
    )
    assert (v.failed, v.headline, v.warnings) == (False, "PASS: no finding at or above high", ())


def test_without_declaration_or_third_parties(full: AuditResult) -> None:
    v = verdict(replace(full, declaration=None, app_name=None, recipients=full.recipients[:1]))
    assert v.sentences[0].startswith("1 third party received requests from the app, with personal data; no declaration")
    assert "No declaration (flowaudit.yml) was given" in v.warnings[-1]
    assert verdict(replace(full, recipients=full.recipients[4:])).sentences[0] == (
        "No third party received requests from Acme Health."
    )


def test_never_and_unredacted(full: AuditResult) -> None:
    v = verdict(replace(full, fail_on="never", redacted=False))
    assert v.headline.startswith("PASS: the audit was run with --fail-on never")
    assert v.warnings[0].startswith("Redaction is OFF (--no-redact)")


def test_names() -> None:
    assert names(["A"]) == "A"
    assert names(["A", "B"]) == "A and B"
    assert names(["A", "B", "C"]) == "A, B and C"
    assert names(list("ABCDEFGH")) == "A, B, C, D, E and 3 more"
