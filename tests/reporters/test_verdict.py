"""The verdict in plain words: what was found first, the gate apart."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.display.words import names
from flowaudit.model import AuditResult, Recipient
from flowaudit.reporters.verdict import verdict


def test_the_full_story_in_one_sentence(full: AuditResult) -> None:
    v = verdict(full)
    assert v.headline == "6 findings: 1 critical, 2 high, 1 medium, 1 low, 1 info (1 more suppressed, not counted)"
    assert v.story == (
        "4 third parties received requests from Acme Health, and 3 of them received personal data; "
        "2 were not declared: Mixpanel and metrics-cdn.example; health data reached Mixpanel."
    )
    assert v.gate == "Gate --fail-on high: FAIL, 3 findings at or above high."
    assert v.tone == "alarm"
    assert v.warnings == (
        "The capture captures/late.har is incomplete (truncated after entry 2): the 2 requests before the break "
        "were audited, anything after it was not.",
    )


def test_all_declared_and_passing(full: AuditResult) -> None:
    declared = tuple(replace(r, declared=True, data_types=()) for r in full.recipients if r.party == "third")
    v = verdict(replace(full, recipients=declared, findings=(), suppressed=(), inputs=full.inputs[:1]))
    assert (v.headline, v.story) == (
        "No findings",
        "3 third parties received requests from Acme Health; all of them were declared.",
    )
    assert (v.gate, v.tone, v.warnings) == ("Gate --fail-on high: pass, no finding at or above high.", "calm", ())


def test_without_declaration_or_third_parties(full: AuditResult) -> None:
    v = verdict(replace(full, declaration=None, app_name=None, recipients=full.recipients[:1]))
    assert v.story.startswith("1 third party received requests from the app, with personal data; no declaration")
    assert "No declaration (flowaudit.yml) was given" in v.warnings[-1]
    assert verdict(replace(full, recipients=full.recipients[4:])).story == (
        "No third party received requests from Acme Health; only its own servers did."
    )


def test_no_gate_is_no_pass(full: AuditResult) -> None:
    """--fail-on never: the findings lead, and nothing says pass."""
    v = verdict(replace(full, fail_on="never", redacted=False))
    assert v.headline.startswith("6 findings: 1 critical")
    assert v.gate == "No gate: run with --fail-on never, so findings do not change the exit status."
    assert "pass" not in f"{v.headline} {v.story} {v.gate}".lower()
    assert v.warnings[0].startswith("Redaction is OFF (--no-redact)")


def test_a_company_with_several_rows_is_one_company_named_once(full: AuditResult) -> None:
    mixpanel = full.recipients[0]
    again = replace(mixpanel, category="advertising", hosts=("ads.mixpanel.com",), data_types=())
    v = verdict(replace(full, recipients=(*full.recipients, again)))
    assert v.story.startswith("4 third parties received requests")
    assert "2 were not declared: Mixpanel and metrics-cdn.example" in v.story


def test_nothing_to_audit_never_passes_as_all_declared(full: AuditResult) -> None:
    empty = replace(full, recipients=(), findings=(), suppressed=(), flows=3)
    v = verdict(empty)
    assert v.headline == (
        "Nothing to audit: all 3 requests in the capture were the browser's or operating system's own"
    )
    assert "declared" not in v.story and v.tone == "empty"
    assert v.gate == "Gate --fail-on high: not failed, but there was nothing to audit."
    assert verdict(replace(empty, platform=(), flows=0)).headline == "Nothing to audit: the capture holds no requests"


def test_names() -> None:
    assert names(["A"]) == "A"
    assert names(["A", "B"]) == "A and B"
    assert names(["A", "B", "C"]) == "A, B and C"
    assert names(list("ABCDEFGH")) == "A, B, C, D, E and 3 more"


def test_a_name_ending_the_story_with_a_full_stop_gets_no_second_one() -> None:
    inc = Recipient("PubMatic, Inc.", "pubmatic", "advertising", "third", False, ("ads.pubmatic.com",), 1)
    story = verdict(AuditResult("0.1.0", "r", (), None, "flowaudit.yml", (inc,), (), (), 1)).story
    assert story.endswith("PubMatic, Inc.") and "Inc.." not in story
