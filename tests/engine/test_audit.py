from flowaudit.engine import Auditor
from flowaudit.model import InputInfo
from flowaudit.redact import Redactor, redact_result

from .conftest import obs

CONSENT_RULES = {"tracking-before-consent", "sharing-after-opt-out", "opt-out-signal-ignored"}
INPUT = (InputInfo(path="cap.mitm", sha256="0" * 64, format="mitm", flows=0, complete=True),)


def run(catalog, declaration, *observations, fail_on="high"):
    auditor = Auditor(catalog, declaration, fail_on=fail_on)
    for o in observations:
        auditor.add(o)
    return auditor.result(INPUT)


def rules_of(result, *, consent: bool = False):
    """(rule, entity) pairs; the consent rules (tested in test_consent_rules.py) left out unless asked."""
    return sorted((f.rule, f.entity) for f in result.findings if consent or f.rule not in CONSENT_RULES)


def only(result, rule):
    return [f for f in result.findings if f.rule == rule]


def test_no_declaration_makes_every_third_party_undeclared(catalog) -> None:
    result = run(catalog, None, obs("https://api.mixpanel.com/track", 1), obs("https://api.segment.io/v1/batch", 2))
    assert rules_of(result) == [("undeclared-recipient", "Mixpanel"), ("undeclared-recipient", "Segment")]
    assert result.failed()


def test_declared_company_is_not_a_finding(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n    data: [usage]\nconsent: {required_for: []}\n")
    result = run(catalog, decl, obs("https://api-js.mixpanel.com/track/", 1))
    assert result.findings == ()
    assert not result.failed()
    [row] = result.recipients
    assert (row.entity, row.declared, row.party, row.category) == ("Mixpanel", True, "third", "analytics")


def test_declaring_a_parent_covers_its_subsidiaries(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Alphabet\n")
    result = run(catalog, decl, obs("https://app-measurement.com/a", 1))
    assert [r.declared for r in result.recipients] == [True]
    assert result.recipients[0].parent == "Alphabet"


def test_declaring_one_service_does_not_cover_its_sister_services(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Firebase\n")
    result = run(
        catalog, decl, obs("https://app-measurement.com/a", 1), obs("https://www.google-analytics.com/g/collect", 2)
    )
    # One row for Google, not declared as a whole; the undeclared service is the finding.
    [row] = result.recipients
    assert (row.entity, row.declared, row.services) == ("Google", False, ("Firebase", "Google Analytics"))
    [finding] = only(result, "undeclared-recipient")
    assert "Google Analytics" in finding.message


def test_first_party_subdomains_are_first_party(catalog, declare) -> None:
    decl = declare("app: Acme\nfirst_party: [acmehealth.example]\nrecipients: []\n")
    result = run(catalog, decl, obs("https://api.acmehealth.example/v1/me", 1), obs("https://acmehealth.example/", 2))
    [row] = result.recipients
    assert (row.party, row.entity, row.flows) == ("first", "Acme", 2)
    assert result.findings == ()


def test_platform_traffic_is_apart_and_never_undeclared(catalog, declare) -> None:
    decl = declare("recipients: []\n")
    result = run(
        catalog,
        decl,
        obs("http://clients2.google.com/time/1/current?cup2key=x", 1, method="GET"),
        obs("https://update.googleapis.com/service/update2/json", 2),
    )
    assert result.recipients == ()
    assert [r.category for r in result.platform] == ["platform"]
    assert result.findings == ()  # not undeclared, and its plain-HTTP time check is not the app's


def test_one_host_split_by_path_into_platform_security_and_ads(catalog) -> None:
    # www.google.com in one capture: Chromium's own request, a page's reCAPTCHA
    # and a page's remarketing pixel (the last two from the oraquick and
    # personalabs captures of the external corpus).
    result = run(
        catalog,
        None,
        obs("https://www.google.com/async/folae?async=_fmt:pb", 1, method="GET"),
        obs("https://www.google.com/recaptcha/api2/anchor?ar=1&k=x", 2, method="GET"),
        obs("https://www.google.com/pagead/1p-user-list/989842629/?random=1", 3, method="GET"),
        obs("https://www.google.com/async/newtab_ogb", 4, method="GET"),
    )
    assert [(r.category, r.flows) for r in result.platform] == [("platform", 2)]
    [google] = result.recipients  # one company, one row, its services listed
    assert (google.entity, google.flows, set(google.categories)) == ("Google", 2, {"security", "advertising"})
    assert "reCAPTCHA" in google.services
    assert rules_of(result) == [("undeclared-recipient", "Google"), ("undeclared-recipient", "Google")]


def test_declaring_a_hosting_provider_covers_its_customers_hosts(catalog, declare) -> None:
    # A bucket under s3.amazonaws.com (a public suffix: each bucket is its own
    # registrable name) is served by Amazon, whom the app maker declared.
    decl = declare("recipients:\n  - entity: Amazon Web Services\n")
    result = run(catalog, decl, obs("https://biowebb-data.s3.amazonaws.com/pages/expressen.se", 1, method="GET"))
    [row] = result.recipients
    assert (row.entity, row.category, row.declared, row.hosts) == (
        "Amazon",
        "hosting",
        True,
        ("biowebb-data.s3.amazonaws.com",),
    )
    assert result.findings == ()


def test_unknown_hosts_are_grouped_by_registrable_domain(catalog) -> None:
    result = run(catalog, None, obs("https://a.metrics.example.net/x", 1), obs("https://b.metrics.example.net/y", 2))
    [row] = result.recipients
    assert (row.party, row.entity, row.flows) == ("unknown", "example.net", 2)
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("unknown-third-party", "low")
    assert not result.failed()  # low is below the default --fail-on high


def test_custom_entity_declared_by_domains(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Example Metrics\n    domains: [metrics.example.net]\n")
    result = run(catalog, decl, obs("https://eu.metrics.example.net/collect", 1))
    [row] = result.recipients
    assert (row.entity, row.declared, row.party) == ("Example Metrics", True, "third")
    assert result.findings == ()


def test_declared_not_observed_points_at_the_declaration_line(catalog, declare) -> None:
    decl = declare("recipients:\n  - entity: Mixpanel\n  - entity: Stripe\n")
    result = run(catalog, decl, obs("https://api.mixpanel.com/track", 1))
    [finding] = only(result, "declared-not-observed")
    assert (finding.rule, finding.entity, finding.severity) == ("declared-not-observed", "Stripe", "info")
    assert "flowaudit.yml:3" in finding.message


def test_finding_ids_survive_new_hosts_of_the_same_company(catalog) -> None:
    one = run(catalog, None, obs("https://api.mixpanel.com/track", 1))
    two = run(catalog, None, obs("https://api-js.mixpanel.com/track/", 1), obs("https://api.mixpanel.com/engage", 2))
    assert [f.id for f in one.findings] == [f.id for f in two.findings]


def test_evidence_is_bounded_and_redactable(catalog) -> None:
    many = [obs(f"https://graph.facebook.com/v17.0/act?access_token=EAAsecret{n}", n) for n in range(1, 40)]
    result = run(catalog, None, *many)
    [finding] = only(result, "undeclared-recipient")
    assert len(finding.evidence) == 5
    # the engine keeps what was sent (so --no-redact can show it); masking is redact_result's job
    assert "EAAsecret1" in finding.evidence[0].request
    masked = redact_result(result, Redactor())
    assert all("EAAsecret" not in e.request for f in masked.findings for e in f.evidence)
    assert finding.entity == "Meta"
    assert result.recipients[0].flows == 39


def test_fail_on_levels(catalog) -> None:
    unknown_only = [obs("https://x.example.net/", 1)]
    assert not run(catalog, None, *unknown_only, fail_on="high").failed()
    assert run(catalog, None, *unknown_only, fail_on="low").failed()
    assert not run(catalog, None, obs("https://api.mixpanel.com/t", 1), fail_on="never").failed()


def test_phases_are_collected_per_recipient(catalog) -> None:
    result = run(
        catalog,
        None,
        obs("https://api.mixpanel.com/t", 1, phase="consent-refused"),
        obs("https://api.mixpanel.com/t", 2, phase="consent-granted"),
    )
    assert result.recipients[0].phases == ("consent-refused", "consent-granted")  # in the order they began
    assert result.recipients[0].phase_flows == (("consent-refused", 1), ("consent-granted", 1))
    assert result.phases == ("consent-refused", "consent-granted")


def test_one_company_in_two_categories_gets_two_distinct_findings(catalog) -> None:
    result = run(
        catalog, None, obs("https://app-measurement.com/a", 1), obs("https://googleads.g.doubleclick.net/pagead/id", 2)
    )
    undeclared = [f for f in result.findings if f.rule == "undeclared-recipient"]
    assert [f.entity for f in undeclared] == ["Google", "Google"]
    assert len({f.id for f in undeclared}) == 2


def test_one_row_per_company_while_rules_keep_each_category(catalog) -> None:
    from .test_data_type_rules import audit, detection

    ads, analytics = (
        "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/",
        "https://www.google-analytics.com/g/collect",
    )
    plan = {ads: [detection("health.health")], analytics: [detection("usage.interactions")]}
    result = audit(catalog, None, plan, obs(analytics, 1), obs(analytics, 2), obs(ads, 3))
    [row] = result.recipients
    assert (row.entity, row.flows, row.categories) == ("Google", 3, ("analytics", "advertising"))
    assert row.category_label == "analytics, advertising"
    assert row.data_types == ("health.health", "usage.interactions")
    [sensitive] = only(result, "sensitive-data-to-third-party")
    assert "an advertising company" in sensitive.message and sensitive.hosts == ("googleads.g.doubleclick.net",)
