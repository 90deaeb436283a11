"""The rules about what recipients received, driven by a stub analyzer that
reports fixed detections per URL (the real analyzers are tested in
tests/payload)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flowaudit.engine import Auditor
from flowaudit.model import InputInfo, Observation
from flowaudit.payload.model import DecodedRequest, Detection
from flowaudit.redact import Redactor, redact_result

from .conftest import obs

INPUT = (InputInfo(path="cap.mitm", sha256="0" * 64, format="mitm", flows=0, complete=True),)


def detection(data_type: str, value: str | None = None, confidence: str = "certain") -> Detection:
    return Detection(
        data_type=data_type,
        confidence=confidence,
        part="body",
        location="body > json:user.email",
        decoding=("json",),
        how="test",
        excerpt=value or "x",
        value=value,
    )


def audit(catalog, declaration, plan: dict[str, list[Detection]], *observations: Observation):
    def analyzer(o: Observation, decoded: DecodedRequest) -> Sequence[Detection]:
        return plan.get(f"{o.scheme}://{o.host}{o.path}", [])

    auditor = Auditor(catalog, declaration, analyzer=analyzer)
    for o in observations:
        auditor.add(o)
    return auditor.result(INPUT)


def by_rule(result, rule):
    return [f for f in result.findings if f.rule == rule]


def test_undeclared_data_type_for_a_declared_recipient(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n    data: [usage]\n")
    url = "https://api.mixpanel.com/track"
    plan = {url: [detection("contact.email", "jane.doe@example.com"), detection("usage.interactions")]}
    result = audit(catalog, decl, plan, obs(url, 1))
    [finding] = by_rule(result, "undeclared-data-type")
    assert (finding.entity, finding.data_types, finding.severity) == ("Mixpanel", ("contact.email",), "high")
    assert finding.evidence[0].location == "body > json:user.email"
    assert finding.evidence[0].flow == "cap.mitm#1"
    assert "flowaudit.yml:2" in finding.message
    assert result.recipients[0].data_types == ("contact.email", "usage.interactions")


def test_possible_detections_do_not_count(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n    data: [usage]\n")
    url = "https://api.mixpanel.com/track"
    result = audit(catalog, decl, {url: [detection("contact.email", confidence="possible")]}, obs(url, 1))
    assert [(f.rule, f.data_types) for f in result.findings if f.rule != "tracking-before-consent"] == [
        ("declared-not-observed", ("usage",))
    ]
    assert result.recipients[0].data_types == ()


def test_health_data_to_analytics_is_critical_even_when_declared(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n    data: [usage, health]\n")
    url = "https://api.mixpanel.com/track"
    result = audit(catalog, decl, {url: [detection("health.health")]}, obs(url, 1))
    [finding] = by_rule(result, "sensitive-data-to-third-party")
    assert (finding.severity, finding.data_types) == ("critical", ("health.health",))
    assert by_rule(result, "undeclared-data-type") == []


def test_health_data_to_a_crash_reporter_is_not_the_sensitive_rule(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Sentry\n    data: [diagnostics]\n")
    url = "https://o1.ingest.us.sentry.io/api/1/envelope/"
    result = audit(catalog, decl, {url: [detection("health.health")]}, obs(url, 1))
    assert by_rule(result, "sensitive-data-to-third-party") == []
    assert [f.data_types for f in by_rule(result, "undeclared-data-type")] == [("health.health",)]


def test_same_identifier_at_two_companies(catalog) -> None:
    a, b = "https://api.mixpanel.com/track", "https://api.segment.io/v1/batch"
    plan = {a: [detection("identifiers.user_id", "user-4242")], b: [detection("identifiers.user_id", "user-4242")]}
    result = audit(catalog, None, plan, obs(a, 1), obs(b, 2))
    [finding] = by_rule(result, "identifier-shared-across-companies")
    assert (finding.severity, finding.entity) == ("medium", "Mixpanel, Segment")
    assert sorted(e.flow for e in finding.evidence) == ["cap.mitm#1", "cap.mitm#2"]
    assert finding.hosts == ("api.mixpanel.com", "api.segment.io")


def test_shared_identifier_proof_is_the_same_masked_value_in_each_request(catalog) -> None:
    a, b = "https://api.mixpanel.com/track", "https://api.segment.io/v1/batch"
    value = "3f2a9c1e-77b0-4d1c-9e8a-5b6c7d8e9f01"
    plan = {a: [detection("identifiers.device_id", value)], b: [detection("identifiers.device_id", value)]}
    result = audit(catalog, None, plan, obs(a, 1), obs(b, 2))
    [finding] = by_rule(result, "identifier-shared-across-companies")
    shown = "3f2…f01 (36 chars) sha256:" + hashlib.sha256(value.encode()).hexdigest()[:8]
    assert [e.excerpt for e in finding.evidence] == [shown, shown]
    assert shown in finding.message and value not in finding.message
    redacted = redact_result(result, Redactor())
    [f] = by_rule(redacted, "identifier-shared-across-companies")
    assert value not in repr(f) and [e.value for e in f.evidence] == [None, None]
    [full] = by_rule(redact_result(result, Redactor(enabled=False)), "identifier-shared-across-companies")
    assert f"{value} sha256:" in full.message
    assert all(e.value == value and e.excerpt.startswith(value) for e in full.evidence)


def test_a_finding_names_the_hosts_that_carried_the_type_not_the_busiest(catalog) -> None:
    busy, carrier = "https://api-js.mixpanel.com/decide", "https://api.mixpanel.com/track"
    plan = {carrier: [detection("health.health")]}
    result = audit(catalog, None, plan, *(obs(busy, n) for n in range(1, 4)), obs(carrier, 4))
    [finding] = by_rule(result, "sensitive-data-to-third-party")
    assert (finding.host, finding.hosts) == ("api.mixpanel.com", ("api.mixpanel.com",))
    assert [e.flow for e in finding.evidence] == ["cap.mitm#4"]
    assert "in 1 request." in finding.message


def test_a_bounded_citation_says_how_many_are_shown(catalog) -> None:
    url = "https://api.mixpanel.com/track"
    plan = {url: [detection("health.health"), detection("health.health")]}
    result = audit(catalog, None, plan, *(obs(url, n) for n in range(1, 9)))
    [finding] = by_rule(result, "sensitive-data-to-third-party")
    assert "in 8 requests, 5 shown." in finding.message
    assert len({e.flow for e in finding.evidence}) == 5


def test_cleartext_fires_on_personal_data_over_http_only(catalog) -> None:
    with_data, bare = "http://tracker.example.org/p?uid=42", "http://static.example.com/logo.png"
    result = audit(
        catalog, None, {with_data: [detection("identifiers.user_id", "42")]}, obs(with_data, 1), obs(bare, 2)
    )
    [finding] = by_rule(result, "cleartext-transmission")
    assert (finding.host, finding.data_types, finding.severity) == (
        "tracker.example.org",
        ("identifiers.user_id",),
        "high",
    )
    assert finding.evidence[0].flow == "cap.mitm#1"


def test_undeclared_recipient_id_does_not_depend_on_data_types(catalog) -> None:
    url = "https://api.mixpanel.com/track"
    plain = audit(catalog, None, {}, obs(url, 1))
    with_data = audit(catalog, None, {url: [detection("contact.email", "a@b.example")]}, obs(url, 1))
    [a] = by_rule(plain, "undeclared-recipient")
    [b] = by_rule(with_data, "undeclared-recipient")
    assert a.id == b.id
    assert b.data_types == ("contact.email",)


def test_declared_data_type_never_seen_is_info(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n    data: [usage, contact.email]\n")
    url = "https://api.mixpanel.com/track"
    result = audit(catalog, decl, {url: [detection("usage.interactions")]}, obs(url, 1))
    [finding] = by_rule(result, "declared-not-observed")
    assert (finding.severity, finding.data_types) == ("info", ("contact.email",))


def test_findings_point_at_the_declaration_line_to_fix(catalog, declare) -> None:
    decl = declare("app: X\nrecipients:\n  - entity: Mixpanel\n    data: [usage]\n")
    mixpanel, segment = "https://api.mixpanel.com/track", "https://api.segment.io/v1/batch"
    result = audit(
        catalog, decl, {mixpanel: [detection("contact.email", "a@b.example")]}, obs(mixpanel, 1), obs(segment, 2)
    )
    lines = {f.rule: f.declaration_line for f in result.findings}
    assert lines["undeclared-data-type"] == 3  # the Mixpanel entry
    assert lines["undeclared-recipient"] == 2  # where Segment would be declared


def test_an_identifier_shared_by_many_companies_names_some_and_cites_all(catalog) -> None:
    """A value sent to 30 domains: the title and message name 20 of them and say how many more;
    the evidence keeps one request per company (issue 15, item 10)."""
    value = "a3f9c2e1-5b7d-4e8a-9c0f-1d2e3f4a5b6c"
    plan = {f"https://t{n}.example/c": [detection("identifiers.user_id", value)] for n in range(30)}
    result = audit(catalog, None, plan, *(obs(url, n=n) for n, url in enumerate(plan, 1)))
    [f] = by_rule(result, "identifier-shared-across-companies")
    assert f.entity.endswith(", and 10 more") and f.entity.count(".example") == 20
    assert "and 10 more" in f.message
    assert len(f.evidence) == 30
