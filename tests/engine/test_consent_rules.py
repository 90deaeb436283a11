"""The consent rules through the Auditor: phases from markers and from the
traffic's own consent signals, with the real catalog, real declarations and
the real payload analyzer. Requests are shaped like each SDK's (see
tests/consent/test_detect.py for where each field is documented)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import yaml

from flowaudit.catalog import Catalog
from flowaudit.declaration import Declaration
from flowaudit.engine import Auditor
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.inputs import open_inputs
from flowaudit.model import AuditResult, Finding, Observation

from .conftest import obs

ZERO = "00000000-0000-0000-0000-000000000000"
IDFV = "B5372DB0-C21E-11E4-8DFC-AA07A5B093DB"
AAID = "38400000-8cf0-11bd-b23e-10b96e40000d"  # Google's documented example advertising id
JSON = (("Content-Type", "application/json"),)
FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
# IAB TCF v2 spec, global-scope example: no purpose consented.
TC_REFUSED = "COw4XqLOw4XqLAAAAAENAXCAAAAAAAAAAAAAAAAAAAAA"
FIXTURES = Path(__file__).parents[2] / "rules" / "adapters" / "fixtures"
EXTERNAL = Path(__file__).parents[1] / "corpus" / "external"


def segment(n: int, phase: str | None = None, query: str = "") -> Observation:
    body = {
        "batch": [
            {
                "type": "track",
                "userId": "user-4242",
                "event": "Symptom Logged",
                "properties": {"email": "jane.doe@example.com"},
            }
        ]
    }
    return obs(f"https://api.segment.io/v1/batch{query}", n, body=json.dumps(body).encode(), headers=JSON, phase=phase)


def meta(n: int, ate: str, advertiser_id: str = AAID) -> Observation:
    form = f"event=CUSTOM_APP_EVENTS&advertiser_id={advertiser_id}&advertiser_tracking_enabled={ate}&anon_id=XZ1234"
    return obs("https://graph.facebook.com/v17.0/1234567890/activities", n, body=form.encode(), headers=FORM)


def audit(catalog: Catalog, declaration: Declaration | None, *requests: Observation) -> AuditResult:
    auditor = Auditor(catalog, declaration, analyzer=PayloadAnalyzer(declaration, catalog))
    for request in requests:
        auditor.add(request)
    return auditor.result(())


def only(result: AuditResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


Declare = Callable[[str], Declaration]


def test_tracking_before_a_consent_marker(catalog: Catalog, declare: Declare) -> None:
    declaration = declare("app: Acme\nrecipients:\n  - entity: Segment\n    data: [identifiers, contact, usage]\n")
    result = audit(catalog, declaration, segment(1), segment(2), segment(3, "consent-granted"))
    [finding] = only(result, "tracking-before-consent")
    assert (finding.severity, finding.entity, finding.phase) == ("high", "Segment", "before-consent")
    assert finding.message.startswith("Segment, an analytics company whose category needs consent, received 2 requests")
    assert "received 2 requests before the user gave consent" in finding.message
    assert [e.flow for e in finding.evidence] == ["cap.mitm#1", "cap.mitm#2"]
    assert all(e.request.startswith("POST https://api.segment.io/v1/batch") for e in finding.evidence)
    assert result.phases == ("before-consent", "consent-granted")
    assert [(c.phase, c.source) for c in result.phase_changes] == [
        ("before-consent", "start"),
        ("consent-granted", "marker"),
    ]
    [row] = result.recipients
    assert row.phase_flows == (("before-consent", 2), ("consent-granted", 1))
    assert not only(result, "sharing-after-opt-out")


def test_a_capture_without_any_consent_says_so(catalog: Catalog) -> None:
    result = audit(catalog, None, segment(1))
    [finding] = only(result, "tracking-before-consent")
    assert "never gave consent in this capture" in finding.message


def test_only_the_declared_consent_categories_must_wait(catalog: Catalog, declare: Declare) -> None:
    declaration = declare("app: Acme\nconsent:\n  required_for: [advertising]\n")
    result = audit(catalog, declaration, segment(1), meta(2, "1"))
    assert [f.entity for f in only(result, "tracking-before-consent")] == ["Meta"]
    none = declare("app: Acme\nconsent:\n  required_for: []\n")
    assert not only(audit(catalog, none, segment(1), meta(2, "1")), "tracking-before-consent")


def test_sharing_after_a_refusal_marker_is_critical(catalog: Catalog) -> None:
    result = audit(catalog, None, segment(1), segment(2, "consent-refused"), segment(3, "consent-refused"))
    [finding] = only(result, "sharing-after-opt-out")
    assert (finding.severity, finding.entity, finding.phase) == ("critical", "Segment", "consent-refused")
    assert set(finding.data_types) >= {"contact.email", "identifiers.user_id"}
    assert "in 2 requests after the user refused consent" in finding.message
    assert {e.flow for e in finding.evidence} <= {"cap.mitm#2", "cap.mitm#3"}
    assert {e.data_type for e in finding.evidence} >= {"contact.email", "identifiers.user_id"}


def test_withdrawal_inferred_from_the_traffic(catalog: Catalog) -> None:
    # No markers: a TCF string with consent, then a US Privacy opt-out in later requests.
    granted = "gdpr_consent=COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA"  # TCF spec: purposes 1-3
    result = audit(catalog, None, segment(1, query=f"?{granted}"), segment(2, query="?us_privacy=1YYN"), segment(3))
    [finding] = only(result, "sharing-after-opt-out")
    assert finding.phase == "consent-withdrawn"
    assert "after the user withdrew consent" in finding.message
    assert result.phases == ("consent-partial", "consent-withdrawn")
    withdrawn = result.phase_changes[-1]
    assert withdrawn.evidence is not None and withdrawn.evidence.location == "query:us_privacy"
    assert not only(result, "tracking-before-consent")  # the first request already carried a choice


def test_identifiers_sent_with_att_not_authorised(catalog: Catalog) -> None:
    result = audit(catalog, None, meta(1, "0"), meta(2, "0"))
    [finding] = only(result, "opt-out-signal-ignored")
    assert (finding.severity, finding.entity) == ("high", "Meta")
    assert set(finding.data_types) == {"identifiers.advertising_id", "identifiers.device_id"}
    assert "advertiser_tracking_enabled=0" in finding.message
    signal, *rest = finding.evidence
    assert signal.location == "body > form:advertiser_tracking_enabled" and signal.flow == "cap.mitm#1"
    assert {e.data_type for e in rest} == {"identifiers.advertising_id", "identifiers.device_id"}


def test_a_zeroed_advertising_id_alone_is_not_an_identifier(catalog: Catalog) -> None:
    zero_only = obs(f"https://app.adjust.com/session?att_status=2&idfa={ZERO}&app_token=abc", 1)
    assert not only(audit(catalog, None, zero_only), "opt-out-signal-ignored")
    with_idfv = obs(f"https://app.adjust.com/session?att_status=2&idfa={ZERO}&idfv={IDFV}&app_token=abc", 2)
    [finding] = only(audit(catalog, None, with_idfv), "opt-out-signal-ignored")
    assert (finding.entity, finding.data_types) == ("Adjust", ("identifiers.device_id",))
    assert "App Tracking Transparency status 2 (denied)" in finding.message


def test_consent_mode_denied_with_a_user_id(catalog: Catalog) -> None:
    hit = obs("https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&gcs=G100&uid=user-4242&en=x", 1, "GET")
    [finding] = only(audit(catalog, None, hit), "opt-out-signal-ignored")
    assert finding.entity == "Google" and "identifiers.user_id" in finding.data_types
    allowed = obs(
        "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&gcs=G111&uid=user-4242&en=x", 2, "GET"
    )
    assert not only(audit(catalog, None, allowed), "opt-out-signal-ignored")


def test_gpc_header_with_identifiers(catalog: Catalog) -> None:
    gpc = replace(segment(1), request_headers=(*JSON, ("Sec-GPC", "1")))
    [finding] = only(audit(catalog, None, gpc), "opt-out-signal-ignored")
    assert "Global Privacy Control" in finding.message


def test_advertising_id_in_a_childrens_app(catalog: Catalog, declare: Declare) -> None:
    kids = declare("app: Kids Maths\naudience: children\n")
    [finding] = only(audit(catalog, kids, meta(1, "1")), "advertising-id-in-childrens-app")
    assert (finding.severity, finding.entity, finding.data_types) == (
        "critical",
        "Meta",
        ("identifiers.advertising_id",),
    )
    assert finding.evidence[0].location == "body > form:advertiser_id"
    assert not only(audit(catalog, kids, meta(1, "0", ZERO)), "advertising-id-in-childrens-app")
    general = declare("app: Maths\n")
    assert not only(audit(catalog, general, meta(1, "1")), "advertising-id-in-childrens-app")


def test_signals_in_the_result(catalog: Catalog) -> None:
    result = audit(catalog, None, meta(1, "0"), segment(2, query=f"?gdpr_consent={TC_REFUSED}"))
    kinds = {(s.kind, s.meaning): s.flows for s in result.consent_signals}
    assert kinds == {("meta-advertiser-tracking", "tracking-off"): 1, ("tcf", "refused"): 1}
    assert result.phases == ("before-consent", "consent-refused")


def test_only_the_signals_that_travelled_with_the_identifiers_are_cited(catalog: Catalog) -> None:
    ga = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123"
    usage_only = obs(f"{ga}&gcs=G100&en=page_view", 1, "GET")
    with_id = obs(f"{ga}&uid=user-4242&en=page_view", 2, "GET", headers=[("Sec-GPC", "1")])
    [finding] = only(audit(catalog, None, usage_only, with_id), "opt-out-signal-ignored")
    assert "Global Privacy Control" in finding.message and "gcs=G100" not in finding.message
    assert finding.evidence[0].location == "header:Sec-GPC"


def _branch_close(lat_val: int) -> Observation:
    """Branch's Android SDK v1/close as captured (rules/adapters/fixtures/branch.yml, from
    tests/corpus/external/reporthar-android-run1, entry 12), with lat_val as given."""
    fixture = yaml.safe_load(FIXTURES.joinpath("branch.yml").read_text(encoding="utf-8"))
    captured = next(r for r in fixture["requests"] if "edited" not in r and r["url"].endswith("/v1/close"))
    body = captured["body"].replace('"lat_val":0', f'"lat_val":{lat_val}')
    return obs(captured["url"], 1, body=body.encode(), headers=JSON)


def test_branch_limit_ad_tracking_with_an_advertising_id(catalog: Catalog) -> None:
    assert not only(audit(catalog, None, _branch_close(0)), "opt-out-signal-ignored")
    [finding] = only(audit(catalog, None, _branch_close(1)), "opt-out-signal-ignored")
    assert (finding.entity, finding.hosts) == ("Branch", ("api2.branch.io",))
    assert "identifiers.advertising_id" in finding.data_types
    assert "lat_val=1: Limit Ad Tracking is on" in finding.message
    assert finding.evidence[0].location == "body > json:lat_val"


def test_every_opt_out_signal_of_a_request_is_honoured(catalog: Catalog) -> None:
    """TCF refusal, US Privacy opt-out, GAM is_lat: each makes an identifier in the same request a finding."""
    # An app's ad request to Google Ad Manager with the device's advertising id (rdid).
    gam = f"https://securepubads.g.doubleclick.net/gampad/ads?iu=/1234/app&sz=320x50&rdid={AAID}&idtype=adid"
    cases = {
        "TCF v2 string from CMP 0": f"{gam}&gdpr=1&gdpr_consent={TC_REFUSED}",
        "US Privacy string 1YYN": f"{gam}&us_privacy=1YYN",
        "is_lat=1: Limit Ad Tracking is on": f"{gam}&is_lat=1",
    }
    assert not only(audit(catalog, None, obs(gam, 1, "GET")), "opt-out-signal-ignored")
    for n, (said, url) in enumerate(cases.items(), 2):
        [finding] = only(audit(catalog, None, obs(url, n, "GET")), "opt-out-signal-ignored")
        assert finding.entity == "Google" and finding.hosts == ("securepubads.g.doubleclick.net",), said
        assert said in finding.message
        assert finding.data_types == ("identifiers.advertising_id",)
        assert any(e.location == "query:rdid" for e in finding.evidence)


# TC strings encoded by IAB's @iabtcf/core 1.5.6 (tests/e2e/data/consent/strings.mjs): purposes
# 1-10 consented, vendor list 150, policy version 5; vendors 755 (Google) and 91 (Criteo)
# consented, or Criteo alone.
TC_GRANTED = "CQKjTcAQKjTcAAKACAENCWFIAP_AAAAAAAYgF5wAgAtgLzAAAAAA.IF5wAgAtgLzA"
TC_WITHOUT_GOOGLE = "CQKjTcAQKjTcAAKACAENCWFAAP_AAAAAAAYgAtwAQAtgAAAA.IF5wAgAtgLzA"


def _ad_requests(tc: str, start: int) -> list[Observation]:
    """An ad request to Google Ad Manager and a Criteo bid, each with the device's
    advertising id and the page's TC string (gdpr_consent, as both document)."""
    return [
        obs(
            f"https://securepubads.g.doubleclick.net/gampad/ads?iu=/1234/app&gdpr=1&gdpr_consent={tc}"
            f"&rdid={AAID}&idtype=adid",
            start,
            "GET",
        ),
        obs(
            "https://bidder.criteo.com/cdb?profileId=207",
            start + 1,
            body=json.dumps({"user": {"ext": {"consent": tc}}, "device": {"ifa": AAID}}).encode(),
            headers=JSON,
        ),
    ]


def test_consent_withheld_from_one_vendor_is_a_finding_for_that_company_only(catalog: Catalog) -> None:
    granted = audit(catalog, None, *_ad_requests(TC_GRANTED, 1))
    assert granted.phases == ("consent-granted",)
    assert not [f for f in granted.findings if f.rule in ("sharing-after-opt-out", "opt-out-signal-ignored")]

    result = audit(catalog, None, *_ad_requests(TC_WITHOUT_GOOGLE, 1))
    assert result.phases == ("consent-granted",)  # purposes 1-10: consent given, but not to Google
    [sharing] = only(result, "sharing-after-opt-out")
    assert (sharing.entity, sharing.severity, sharing.phase) == ("Google", "critical", "consent-granted")
    assert sharing.hosts == ("securepubads.g.doubleclick.net",)
    assert "withheld consent from it" in sharing.message and "(755)" in sharing.message
    string, *requests = sharing.evidence
    assert string.location == "query:gdpr_consent" and "no consent" in string.how
    assert {e.flow for e in requests} == {"cap.mitm#1"}
    [ignored] = only(result, "opt-out-signal-ignored")
    assert (ignored.entity, ignored.hosts) == ("Google", ("securepubads.g.doubleclick.net",))
    assert "TCF vendor 755 neither consent nor legitimate interest" in ignored.message


def test_a_later_string_judges_requests_that_carry_none(catalog: Catalog) -> None:
    """A request without a TC string of its own is judged by the last one the capture sent."""
    ga_with_id = obs(f"https://securepubads.g.doubleclick.net/gampad/ads?iu=/1&rdid={AAID}&idtype=adid", 3, "GET")
    result = audit(catalog, None, *_ad_requests(TC_WITHOUT_GOOGLE, 1), ga_with_id)
    [sharing] = only(result, "sharing-after-opt-out")
    assert "in 2 requests while the TC string in force (cap.mitm#1) withheld consent" in sharing.message
    [ignored] = only(result, "opt-out-signal-ignored")
    assert "1 request" in ignored.message  # only the request that carried the string said so itself


def test_a_tc_string_is_recorded_with_its_vendors_named(catalog: Catalog) -> None:
    result = audit(catalog, None, *_ad_requests(TC_GRANTED, 1))
    [signal] = [s for s in result.consent_signals if s.kind == "tcf"]
    record = signal.tcf
    assert record is not None and signal.flows == 2
    assert (record.cmp_id, record.vendor_list_version, record.policy_version) == (10, 150, 5)
    assert record.purposes_consented == tuple(range(1, 11)) and record.special_features == (1,)
    assert record.vendors_consented == (91, 755) and record.vendors_legitimate_interest == ()
    assert [(v.id, v.name) for v in record.vendor_names] == [(91, "Criteo"), (755, "Google")]
    assert "vendor list version 150, policy version 5" in signal.summary
    assert "special features opted in 1; vendors consented 91,755" in signal.summary


def test_rows_of_one_company_are_told_apart_and_findings_placed_in_their_phases(catalog: Catalog) -> None:
    ga = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&uid=user-4242&en=page_view"
    gam = f"https://securepubads.g.doubleclick.net/gampad/ads?iu=/1234/app&rdid={AAID}&idtype=adid"
    result = audit(
        catalog,
        None,
        obs(ga, 1, "GET"),
        obs(gam, 2, "GET", phase="login"),  # a marker that names a phase but decides no consent
        obs(gam, 3, "GET", phase="consent-granted"),
    )
    [google] = result.recipients
    assert [(w.category, w.phase_flows) for w in google.rows] == [
        ("advertising", (("login", 1), ("consent-granted", 1))),
        ("analytics", (("before-consent", 1),)),
    ]
    before = {f.services: f for f in only(result, "tracking-before-consent")}
    analytics, ads = before[("Google Analytics",)], before[("Google Marketing",)]
    assert analytics.title == "Tracking before consent: Google (Google Analytics)"
    assert analytics.phases == ("before-consent",) and analytics.hosts == ("region1.google-analytics.com",)
    assert ads.title == "Tracking before consent: Google (Google Marketing)"
    assert (ads.phase, ads.phases) == ("login", ("login",))  # the request after consent is not cited
    assert [e.flow for e in ads.evidence] == ["cap.mitm#2"]


def _meta_app_events(*edits: dict[str, str]) -> list[Observation]:
    """The Facebook Android SDK's three activities requests in
    tests/corpus/external/reporthar-android-run1 (entries 8, 9 and 15: advertiser_id
    and advertiser_tracking_enabled=true), each with the given form fields replaced."""
    har = EXTERNAL / "reporthar-android-run1" / "capture.har"
    captured = [o for o in open_inputs([str(har)]) if o.index in (8, 9, 15)]
    out = []
    for n, (request, edit) in enumerate(zip(captured, edits, strict=True), 1):
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True)) | edit
        out.append(replace(request, ref=f"cap.mitm#{n}", source="cap.mitm", index=n, body=urlencode(form).encode()))
    return out


ATT_DENIED = {"advertiser_tracking_enabled": "false", "advertiser_id": ZERO}


def test_an_att_answer_during_the_capture_starts_a_phase(catalog: Catalog) -> None:
    # As captured: tracking allowed throughout, a device setting in force from the start.
    assert audit(catalog, None, *_meta_app_events({}, {}, {})).phases == ("before-consent",)
    # Not authorised at first (the SDK zeroes the advertising id), then authorised: consent given.
    result = audit(catalog, None, *_meta_app_events(ATT_DENIED, {}, {}))
    assert result.phases == ("before-consent", "consent-granted")
    granted = result.phase_changes[-1]
    assert (granted.source, granted.evidence and granted.evidence.flow) == ("signal", "cap.mitm#2")
    assert granted.evidence is not None and "changed during the capture" in granted.evidence.how
    # Allowed, then turned off in the settings while the SDK keeps the id: what Meta got after it.
    off = ATT_DENIED | {"advertiser_id": AAID}
    result = audit(catalog, None, *_meta_app_events({}, off, off))
    assert result.phases == ("before-consent", "consent-refused")
    [sharing] = only(result, "sharing-after-opt-out")
    assert (sharing.entity, sharing.phase) == ("Meta", "consent-refused")
    assert {e.flow for e in sharing.evidence} == {"cap.mitm#2", "cap.mitm#3"}
    [ignored] = only(result, "opt-out-signal-ignored")
    assert "advertiser_tracking_enabled=false" in ignored.message and ignored.phases == ("consent-refused",)


def test_an_att_status_decided_during_the_capture_starts_a_phase(catalog: Catalog) -> None:
    """Adjust's documented att_status: 0 (not determined), then 3 (authorised) or 2 (denied)."""
    adjust = "https://app.adjust.com/session?app_token=4w565xzmb54d&idfv=" + IDFV
    start = obs(f"{adjust}&att_status=0", 1, "GET")
    assert audit(catalog, None, start, obs(f"{adjust}&att_status=3", 2, "GET")).phases == (
        "before-consent",
        "consent-granted",
    )
    refused = audit(catalog, None, start, obs(f"{adjust}&att_status=2", 2, "GET"))
    assert refused.phases == ("before-consent", "consent-refused")
    assert [f.phase for f in only(refused, "sharing-after-opt-out")] == ["consent-refused"]
    # Denied from the first request on: a setting in force, no phase (the request itself still says so).
    assert audit(catalog, None, obs(f"{adjust}&att_status=2", 1, "GET")).phases == ("before-consent",)
