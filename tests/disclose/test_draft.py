"""Drafting a disclosure from an audit result: what to declare, the store
answers, and the evidence behind each line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from flowaudit.catalog import load_catalog
from flowaudit.declaration import load_declaration
from flowaudit.disclose.draft import draft_disclosure
from flowaudit.disclose.markdown import render_markdown
from flowaudit.disclose.yaml_draft import render_yaml
from flowaudit.model import AuditResult, Evidence, Finding, InputInfo, Recipient


def ev(flow: str, data_type: str | None = None, location: str = "") -> Evidence:
    return Evidence(flow=flow, data_type=data_type, location=location)


EVIL_HOST = "x.evil.example\nrecipients: []\n#"

RESULT = AuditResult(
    tool_version="0.1.0",
    rules_version="r",
    inputs=(InputInfo("app.mitm", "ab" * 32, "mitm", 9, True),),
    app_name=None,
    declaration=None,
    recipients=(
        Recipient(
            "Meta",
            "meta",
            "advertising",
            "third",
            False,
            ("graph.facebook.com",),
            3,
            ("contact.email", "identifiers.advertising_id"),
            evidence=(
                ev("app.mitm#1"),
                ev("app.mitm#1", "contact.email", "body > json:em"),
                ev("app.mitm#2", "identifiers.advertising_id", "query:advertiser_id"),
            ),
        ),  # fmt: skip
        Recipient(
            "Meta",
            "meta",
            "social",
            "third",
            False,
            ("connect.facebook.net",),
            1,
            ("identifiers.device_id",),
            evidence=(ev("app.mitm#3"), ev("app.mitm#3", "identifiers.device_id")),
        ),  # fmt: skip
        Recipient(
            "Sentry",
            "sentry",
            "crash_reporting",
            "third",
            False,
            ("o1.ingest.sentry.io",),
            2,
            ("diagnostics.crash", "contact.email"),
            evidence=(ev("app.mitm#4"), ev("app.mitm#4", "diagnostics.crash"), ev("app.mitm#5", "contact.email")),
        ),  # fmt: skip
        Recipient(
            "evil.example",
            "domain:evil.example",
            "unknown",
            "unknown",
            False,
            (EVIL_HOST,),
            1,
            ("health.health",),
            evidence=(ev("app.mitm#6"), ev("app.mitm#6", "health.health")),
        ),  # fmt: skip
    ),
    platform=(),
    findings=(
        Finding(
            "c1",
            "cleartext-transmission",
            "high",
            "t",
            "email over http",
            "Sentry",
            "o1.ingest.sentry.io",
            ("contact.email",),
            evidence=(ev("app.mitm#5", "contact.email"),),
        ),  # fmt: skip
        Finding("u1", "undeclared-recipient", "high", "t", "m", "Meta", "graph.facebook.com"),
    ),
    flows=9,
)


def test_companies_are_drafted_once_with_their_evidence() -> None:
    d = draft_disclosure(RESULT, load_catalog(), None)
    assert [r.entity for r in d.recipients] == ["Meta", "Sentry"]
    meta = d.recipients[0]
    assert meta.categories == ("advertising", "social") and meta.flows == 4
    assert meta.purposes == ("advertising", "social") and meta.role is None
    assert [(t.data_type, t.flows, t.where) for t in meta.data_types] == [
        ("contact.email", ("app.mitm#1",), "body > json:em"),
        ("identifiers.advertising_id", ("app.mitm#2",), "query:advertiser_id"),
        ("identifiers.device_id", ("app.mitm#3",), ""),
    ]
    assert meta.sample_flows == ("app.mitm#1", "app.mitm#3")
    # an unknown host is not assumed to be first party
    [unknown] = d.unknown
    assert unknown.domain == "evil.example" and d.first_party == ()
    assert [f.rule for f in d.undeclarable] == ["cleartext-transmission"]


def test_store_answers_follow_data_types_yml() -> None:
    d = draft_disclosure(RESULT, load_catalog(), None)
    apple = {row.label: row for row in d.apple}
    # Apple has one "Device ID" for advertising and vendor ids alike
    device = apple["Identifiers / Device ID"]
    assert device.data_types == ("identifiers.advertising_id", "identifiers.device_id")
    assert device.flows == ("app.mitm#2", "app.mitm#3") and device.tracking_hint == ("Meta",)
    email = apple["Contact Info / Email Address"]
    assert email.recipients == ("Meta", "Sentry") and email.flows == ("app.mitm#1", "app.mitm#5")
    google = {row.label: row for row in d.google}
    assert google["Personal info / Email address"].cleartext_flows == ("app.mitm#5",)
    assert google["Health and fitness / Health info"].third_parties == ("evil.example",)
    assert google["App info and performance / Crash logs"].cleartext_flows == ()


def test_the_yaml_draft_is_a_valid_declaration_and_captured_text_stays_in_comments(tmp_path: Path) -> None:
    d = draft_disclosure(RESULT, load_catalog(), None)
    text = render_yaml(d)
    assert "recipients: []\n#" not in text  # the crafted host name did not break out of its comment
    path = tmp_path / "flowaudit.yml"
    path.write_text(text)
    declaration = load_declaration(path, load_catalog())
    assert [(r.name, r.data) for r in declaration.recipients] == [
        ("Meta", ("contact.email", "identifiers.advertising_id", "identifiers.device_id")),
        ("Sentry", ("contact.email", "diagnostics.crash")),
    ]
    assert yaml.safe_load(text)["app"] == "TODO app name"
    for line in text.splitlines():  # each data type line cites its flows
        if line.strip().startswith("- ") and "." in line.split("#")[0]:
            assert "app.mitm#" in line, line
    assert "#   domains: [evil.example]" in text and "TODO unknown host: evil.example" in text
    assert "NOT FIXED BY DECLARING: high cleartext-transmission" in text


def test_a_given_declaration_keeps_its_settings_roles_and_canaries(tmp_path: Path) -> None:
    given = tmp_path / "given.yml"
    given.write_text(
        "app: Acme Health\nfirst_party: [acmehealth.example]\nrecipients:\n"
        "  - entity: Sentry\n    role: processor\n    purposes: [crash reports]\n    data: [diagnostics]\n"
        "  - entity: Stripe\n    data: [financial.payment]\n"
        "canaries:\n  email: jane.doe@example.com\n"
    )
    declaration = load_declaration(given, load_catalog())
    d = draft_disclosure(RESULT, load_catalog(), declaration)
    sentry = next(r for r in d.recipients if r.entity == "Sentry")
    assert (sentry.role, sentry.purposes) == ("processor", ("crash reports",))
    assert d.not_seen == ("Stripe",) and d.app == "Acme Health" and d.first_party == ("acmehealth.example",)
    google = {row.label: row for row in d.google}
    assert google["App info and performance / Crash logs"].third_parties == ()  # a processor's is not "shared"
    text = render_yaml(d, declaration.source.value)
    parsed = yaml.safe_load(text)
    assert parsed["canaries"] == {"email": "jane.doe@example.com"} and parsed["first_party"] == ["acmehealth.example"]
    assert "declared before but not seen in these captures: Stripe" in text
    md = render_markdown(d, text)
    assert "## App Store privacy label (Apple)" in md and "## Data safety (Google Play)" in md
    assert "`app.mitm#5`" in md and "**no**: plain HTTP" in md


def test_a_company_only_tried_is_drafted_as_never_reached() -> None:
    """AppsFlyer was looked up (DNS) but never reached: the draft lists it to declare, but says it
    was only tried and that what it receives is unknown, never "0 requests" or "none detected",
    which would say its requests were inspected; FILE#N names a flow, which an attempt is."""
    tried = Recipient(
        "AppsFlyer", "appsflyer", "attribution", "third", False, ("inapps.appsflyer.com",), 0, (),
        evidence=(ev("app.mitm#7"),), attempts=2,
    )  # fmt: skip
    unknown = Recipient(
        "tried.example", "domain:tried.example", "unknown", "unknown", False, ("x.tried.example",), 0, (),
        evidence=(ev("app.mitm#8"),), attempts=1,
    )  # fmt: skip
    result = replace(RESULT, recipients=(*RESULT.recipients, tried, unknown))
    d = draft_disclosure(result, load_catalog(), None)
    (drafted,) = [r for r in d.recipients if r.entity_id == "appsflyer"]
    assert (drafted.flows, drafted.attempts, drafted.reached) == (0, 2, False)
    text = render_yaml(d)
    markdown = render_markdown(d, text)
    row = "| `inapps.appsflyer.com` | 0 (tried to contact: 2 attempts, never reached) | none: never reached |"
    assert row in markdown
    assert "`x.tried.example`, 0 (tried to contact: 1 attempt, never reached)" in markdown
    assert "the N-th flow of FILE" in markdown
    assert "# AppsFlyer (attribution): tried to contact inapps.appsflyer.com (2 attempts), never reached" in text
    assert "data: []    # never reached, so what it receives is unknown" in text
    assert "tried to contact x.tried.example (1 attempt), never reached" in text
    assert "0 requests" not in text and "(mitm, 9 flows," in text
    reached = render_yaml(draft_disclosure(RESULT, load_catalog(), None))
    assert "never reached" not in reached and "# Sentry (crash_reporting): 2 requests to o1.ingest.sentry.io" in reached
