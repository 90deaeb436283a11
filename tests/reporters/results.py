"""Audit results built by hand, with every field a reporter can show filled:
data types and payload evidence (location, decoding steps, excerpt), capture
phases, suppressed findings, incomplete inputs. The engine fills these as
the payload and consent work lands; the reporters must already show them.

Facts follow tests/data/realworld/README.md: the test user is ``user-4242``,
``jane.doe@example.com``, condition "type 2 diabetes"; Mixpanel's form body
holds a JSON array, Sentry's envelope is Brotli-compressed NDJSON.
"""

from __future__ import annotations

from flowaudit.model import (
    AuditResult,
    ConsentSignalSeen,
    Evidence,
    Finding,
    InputInfo,
    PhaseChange,
    Recipient,
    SuppressedFinding,
    TcfRecord,
    TcfVendorName,
)

SHA = "baa2025a823cfc1058e5c31e0b4fe401315ce1c055b374aa2248d5af36584e86"
DECLARATION_SHA = "4f0c7c1a9e6b5d3f2a1908e7d6c5b4a39281706f5e4d3c2b1a0918f7e6d5c4b3"

MIXPANEL_EMAIL = Evidence(
    flow="captures/acme.mitm#1",
    request="POST https://api.mixpanel.com/track",
    location="body > form:data > json:[0].properties.$email",
    decoding=("form", "json"),
    data_type="contact.email",
    how="the email canary, as sent",
    excerpt="jane.doe@example.com",
)
MIXPANEL_HEALTH = Evidence(
    flow="captures/acme.mitm#2",
    request="POST https://api.mixpanel.com/track",
    location="body > form:data > json:[0].properties.condition",
    decoding=("form", "json"),
    data_type="health.health",
    how="the custom canary 'condition'",
    excerpt="type 2 diabetes",
)
SENTRY_EMAIL = Evidence(
    flow="captures/acme.mitm#5",
    request="POST https://o123456.ingest.us.sentry.io/api/4504/envelope/",
    location="body > br > ndjson:[2] > json:user.email",
    decoding=("br", "ndjson", "json"),
    data_type="contact.email",
    how="the email canary, as sent",
    excerpt="jane.doe@example.com",
)

MIXPANEL_USER = Evidence(
    flow="captures/acme.mitm#1",
    request="POST https://api.mixpanel.com/track",
    location="body > form:data > json:[0].properties.distinct_id",
    decoding=("form", "json"),
    data_type="identifiers.user_id",
    how="Mixpanel distinct_id (documented field)",
    excerpt="us… (9 chars)",
    detector="adapter:mixpanel",
    source="https://docs.mixpanel.com/docs/tracking-methods/id-management",
    property="the app's user id",
)

CONSENT_GRANTED = Evidence(
    flow="captures/acme.mitm#12",
    location="query > gcs",
    how="Google consent mode: gcs=G111 (granted)",
    excerpt="G111",
)


def full_result(**changes: object) -> AuditResult:
    """A result with one of everything: an undeclared analytics company that
    got health data before consent, a declared one, an unknown host, the first
    party, platform noise, suppressed and incomplete bits."""
    recipients = (
        Recipient(
            entity="Mixpanel",
            entity_id="mixpanel",
            category="analytics",
            party="third",
            declared=False,
            hosts=("api-js.mixpanel.com", "api.mixpanel.com"),
            flows=4,
            data_types=("contact.email", "health.health", "identifiers.user_id"),
            services=("Mixpanel",),
            phases=("before-consent", "after-consent"),
            phase_flows=(("before-consent", 3), ("after-consent", 1)),
            evidence=(MIXPANEL_EMAIL, MIXPANEL_HEALTH, MIXPANEL_USER),
        ),
        Recipient(
            entity="Segment",
            entity_id="segment",
            category="analytics",
            party="third",
            declared=True,
            hosts=("api.segment.io",),
            flows=2,
            data_types=("contact.email", "identifiers.user_id"),
            parent="Twilio",
            services=("Segment",),
            phases=("after-consent",),
            phase_flows=(("after-consent", 2),),
        ),
        Recipient(
            entity="Sentry",
            entity_id="sentry",
            category="crash_reporting",
            party="third",
            declared=True,
            hosts=("o123456.ingest.us.sentry.io",),
            flows=1,
            data_types=("contact.email", "diagnostics.crash"),
            phases=("after-consent",),
            phase_flows=(("after-consent", 1),),
            evidence=(SENTRY_EMAIL,),
        ),
        Recipient(
            entity="metrics-cdn.example",
            entity_id="unknown:metrics-cdn.example",
            category="other",
            party="unknown",
            declared=False,
            hosts=("t.metrics-cdn.example",),
            flows=6,
            phases=("before-consent",),
            phase_flows=(("before-consent", 6),),
        ),
        Recipient(
            entity="Acme Health",
            entity_id="first:acmehealth.example",
            category="first_party",
            party="first",
            declared=False,
            hosts=("api.acmehealth.example",),
            flows=12,
            phases=("before-consent", "after-consent"),
            phase_flows=(("before-consent", 5), ("after-consent", 7)),
        ),
    )
    findings = (
        Finding(
            id="a1b2c3d4e5f60718293a",
            rule="sensitive-data-to-third-party",
            severity="critical",
            title="Sensitive data to a third party: Mixpanel",
            message="health.health reached Mixpanel, a analytics company (not declared), in 1 request.",
            entity="Mixpanel",
            host="api.mixpanel.com",
            data_types=("health.health",),
            phase="before-consent",
            evidence=(MIXPANEL_HEALTH,),
            declaration_line=7,
        ),
        Finding(
            id="0f1e2d3c4b5a69788796",
            rule="undeclared-recipient",
            severity="high",
            title="Undeclared recipient: Mixpanel",
            message="Mixpanel (analytics) received 4 requests to api-js.mixpanel.com, api.mixpanel.com, carrying "
            "contact.email, health.health, identifiers.user_id; it is not among the recipients declared in "
            "flowaudit.yml.",
            entity="Mixpanel",
            host="api.mixpanel.com",
            data_types=("contact.email", "health.health", "identifiers.user_id"),
            evidence=(MIXPANEL_EMAIL, MIXPANEL_HEALTH),
            declaration_line=7,
        ),
        Finding(
            id="99aa88bb77cc66dd55ee",
            rule="undeclared-data-type",
            severity="high",
            title="Undeclared data type: Sentry",
            message="Sentry received contact.email in 1 request, but Sentry is declared (flowaudit.yml:12) for "
            "diagnostics.",
            entity="Sentry",
            host="o123456.ingest.us.sentry.io",
            data_types=("contact.email",),
            evidence=(SENTRY_EMAIL,),
            declaration_line=12,
        ),
        Finding(
            id="1234567890abcdef1234",
            rule="identifier-shared-across-companies",
            severity="medium",
            title="Identifier shared across companies",
            message="The same identifiers.user_id value reached 2 companies: Mixpanel, Segment.",
            entity="Mixpanel, Segment",
            host=None,
            data_types=("identifiers.user_id",),
            evidence=(
                Evidence(
                    flow="captures/acme.mitm#1",
                    request="POST https://api.mixpanel.com/track",
                    location="body > form:data > json:[0].properties.distinct_id",
                    decoding=("form", "json"),
                    data_type="identifiers.user_id",
                    how="key 'distinct_id'",
                    excerpt="user-4242",
                ),
                Evidence(
                    flow="captures/acme.mitm#3",
                    request="POST https://api.segment.io/v1/batch",
                    location="body > json:batch[0].userId",
                    decoding=("json",),
                    data_type="identifiers.user_id",
                    how="key 'userId'",
                    excerpt="user-4242",
                ),
            ),
        ),
        Finding(
            id="feedfacecafebeef0001",
            rule="unknown-third-party",
            severity="low",
            title="Unknown third party: metrics-cdn.example",
            message="6 requests to t.metrics-cdn.example: not a first-party domain and not in the catalog.",
            entity="metrics-cdn.example",
            host="t.metrics-cdn.example",
            evidence=(
                Evidence(
                    flow="captures/acme.mitm#7",
                    request="GET https://t.metrics-cdn.example/p.gif?e=open",
                    how="no catalog entry and not first party",
                ),
            ),
            declaration_line=3,
        ),
        Finding(
            id="00000000000000000001",
            rule="declared-not-observed",
            severity="info",
            title="Declared but not observed: Stripe",
            message="Stripe is declared (flowaudit.yml:16) but received no request in this capture.",
            entity="Stripe",
            host=None,
            declaration_line=16,
        ),
    )
    suppressed = (
        SuppressedFinding(
            finding=Finding(
                id="5555555555aaaaaaaaaa",
                rule="unknown-third-party",
                severity="low",
                title="Unknown third party: status.example",
                message="1 request to status.example.",
                entity="status.example",
                host="status.example",
            ),
            reason="ignore-file",
            statement="Our status page provider, reviewed by legal.",
            source=".flowaudit-ignore.yml:4",
            expires="2027-01-31",
        ),
    )
    result = AuditResult(
        tool_version="0.1.0",
        rules_version="2026.11.22+adguard.94ac177",
        inputs=(
            InputInfo(path="captures/acme.mitm", sha256=SHA, format="mitm", flows=30, complete=True),
            InputInfo(
                path="captures/late.har",
                sha256="0" * 64,
                format="har",
                flows=2,
                complete=False,
                problem="truncated after entry 2",
            ),
        ),
        app_name="Acme Health",
        declaration="flowaudit.yml",
        recipients=recipients,
        platform=(
            Recipient(
                entity="Google",
                entity_id="google",
                category="platform",
                party="third",
                declared=False,
                hosts=("clients2.google.com", "update.googleapis.com"),
                flows=3,
                parent="Alphabet",
            ),
        ),
        findings=findings,
        flows=32,
        fail_on="high",
        suppressed=suppressed,
        phases=("before-consent", "after-consent"),
        phase_changes=(
            PhaseChange("before-consent", "before", "start"),
            PhaseChange("after-consent", "granted", "signal", CONSENT_GRANTED),
        ),
        consent_signals=(
            ConsentSignalSeen(
                kind="google-gcs",
                meaning="granted",
                summary="gcs=G111: ad and analytics storage granted",
                flows=3,
                first=CONSENT_GRANTED,
            ),
            ConsentSignalSeen(
                kind="tcf",
                meaning="granted",
                summary="TCF v2 string from CMP 10 (vendor list version 150, policy version 5)",
                flows=2,
                first=CONSENT_GRANTED,
                tcf=TcfRecord(
                    cmp_id=10,
                    cmp_version=2,
                    vendor_list_version=150,
                    policy_version=5,
                    publisher_country="DE",
                    purposes_consented=tuple(range(1, 11)),
                    purposes_legitimate_interest=(2, 7),
                    special_features=(1,),
                    vendors_consented=(91, 755, 4242),
                    vendors_legitimate_interest=(755,),
                    vendor_names=(TcfVendorName(91, "Criteo"), TcfVendorName(755, "Google")),
                ),
            ),
        ),
        created="2026-11-22T19:57:03Z",
        declaration_sha256=DECLARATION_SHA,
    )
    return _replace(result, changes)


def _replace(result: AuditResult, changes: dict[str, object]) -> AuditResult:
    from dataclasses import replace

    return replace(result, **changes)  # type: ignore[arg-type]


# Strings a crafted capture can put anywhere a report shows captured text.
# Each would change document.title if it ever ran.
HOSTILE = (
    "<script>document.title='PWNED-script'</script>",
    '"><img src=x onerror="document.title=\'PWNED-img\'">',
    "javascript:document.title='PWNED-href'",
    "'><svg onload=document.title='PWNED-svg'>",
    "</style><script>document.title='PWNED-style'</script>",
    "]]><script>document.title='PWNED-cdata'</script>",
    "{{ 7*7 }}{% raw %}",
    "moc.elgoog\u202e.evil\u200b\u2066",
    '=HYPERLINK("http://evil.example","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "![x](https://evil.example/leak.png)[click](javascript:alert(1))",
    "line1\r\n::error::injected%0A",
)


def hostile_result() -> AuditResult:
    """Every captured-text field filled with every hostile string."""
    evil = " ".join(HOSTILE)
    evidence = Evidence(
        flow=f"{evil}#1",
        request=f"POST https://{HOSTILE[0]}.example/{HOSTILE[1]}?q={HOSTILE[2]}",
        location=f"body > json:{HOSTILE[3]}",
        decoding=(HOSTILE[4], HOSTILE[5]),
        data_type="contact.email",
        how=evil,
        excerpt=evil,
    )
    recipient = Recipient(
        entity=evil,
        entity_id="evil",
        category=HOSTILE[1],
        party="unknown",
        declared=False,
        hosts=tuple(HOSTILE),
        flows=3,
        data_types=(HOSTILE[0], "health.health"),
        parent=HOSTILE[2],
        services=(HOSTILE[3],),
        phases=(HOSTILE[6], HOSTILE[0]),
        phase_flows=((HOSTILE[6], 1), (HOSTILE[0], 2)),
    )
    finding = Finding(
        id=HOSTILE[1],
        rule="undeclared-recipient",
        severity="high",
        title=evil,
        message=evil,
        entity=evil,
        host=HOSTILE[0],
        data_types=(HOSTILE[0],),
        phase=HOSTILE[6],
        evidence=(evidence,),
    )
    return AuditResult(
        tool_version="0.1.0",
        rules_version=HOSTILE[4],
        inputs=(InputInfo(path=evil, sha256=HOSTILE[1], format="har", flows=3, complete=False, problem=evil),),
        app_name=evil,
        declaration=evil,
        recipients=(recipient,),
        platform=(recipient,),
        findings=(finding,),
        flows=3,
        phases=(HOSTILE[6], HOSTILE[0]),
        created="2026-11-22T19:57:03Z",
    )
