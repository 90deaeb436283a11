"""Consent signals found in whole requests, read both ways: over the payload
decoder's leaves and over find_signals' own shallow reading. Requests are
shaped like the real ones of each SDK (parameter names from its docs)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from flowaudit.consent.detect import _KNOWN_NAMES, find_signals
from flowaudit.consent.signal import ConsentSignal
from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request

# TC string from IAB's TCF v2 spec (OOB example 1, core segment only).
TC = "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA"
ZERO = "00000000-0000-0000-0000-000000000000"
READINGS = ["decoder", "shallow"]


def request(
    url: str, body: bytes = b"", headers: tuple[tuple[str, str], ...] = (), method: str = "POST"
) -> Observation:
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return Observation(
        ref="cap.mitm#7",
        source="cap.mitm",
        index=7,
        kind="http",
        method=method,
        scheme=scheme,
        host=host,
        port=443,
        path=slash + path,
        request_headers=headers,
        body=body,
        body_decoded=True,
    )


def signals(obs: Observation, reading: str) -> dict[str, ConsentSignal]:
    found = find_signals(obs, decode_request(obs) if reading == "decoder" else None)
    return {s.kind: s for s in found}


@pytest.mark.parametrize("reading", READINGS)
def test_ga4_hit_with_consent_mode_denied(reading: str) -> None:
    obs = request(
        "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&gcs=G100&gcd=13q3q3q2q5l1&npa=1&dma=1"
        "&dma_cps=-&cid=1234567890.1700000000&en=page_view",
        method="GET",
    )
    found = signals(obs, reading)
    assert set(found) == {"google-gcs", "google-gcd", "google-npa", "google-dma"}
    gcs, gcd = found["google-gcs"], found["google-gcd"]
    assert (gcs.meaning, gcs.explicit, gcs.tracking_off) == ("refused", False, True)
    assert (gcd.meaning, gcd.explicit, gcd.tracking_off) == ("refused", True, True)  # an update: the user chose
    assert gcs.location == "query:gcs" and gcs.flow == "cap.mitm#7"
    assert found["google-npa"].meaning == "opt-out" and not found["google-npa"].tracking_off
    assert found["google-dma"].meaning == "not-set"


@pytest.mark.parametrize("reading", READINGS)
def test_meta_app_events_with_att_denied_and_limited_data_use(reading: str) -> None:
    form = (
        "event=CUSTOM_APP_EVENTS&advertiser_id=38400000-8cf0-11bd-b23e-10b96e40000d&advertiser_tracking_enabled=0"
        "&application_tracking_enabled=1&data_processing_options=%5B%22LDU%22%5D&data_processing_options_country=1"
    )
    obs = request(
        "https://graph.facebook.com/v17.0/1234567890/activities",
        form.encode(),
        (("Content-Type", "application/x-www-form-urlencoded"),),
    )
    found = signals(obs, reading)
    ate = found["meta-advertiser-tracking"]
    assert (ate.meaning, ate.tracking_off, ate.value) == ("tracking-off", True, "0")
    assert found["meta-application-tracking"].meaning == "not-set"
    assert found["meta-limited-data-use"].meaning == "opt-out"
    assert "zero-advertising-id" not in found  # a real advertising id


@pytest.mark.parametrize("reading", READINGS)
def test_openrtb_bid_request(reading: str) -> None:
    body = {
        "user": {"consent": TC},
        "regs": {"ext": {"gdpr": 1, "us_privacy": "1YYN"}, "gpp": "DBABLA~BVQVAAAAAUA.YA"},
        "device": {"ifa": ZERO, "lmt": 1},
    }
    obs = request(
        "https://ssp.example/openrtb2/auction", json.dumps(body).encode(), (("Content-Type", "application/json"),)
    )
    found = signals(obs, reading)
    assert set(found) == {"tcf", "gdpr-applies", "us-privacy", "gpp", "zero-advertising-id", "openrtb-lmt"}
    tcf = found["tcf"]
    assert (tcf.meaning, tcf.explicit, tcf.tracking_off) == ("partial", True, False)
    assert tcf.location == "body > json:user.consent"
    assert "purposes consented 1,2,3" in tcf.summary
    usp = found["us-privacy"]
    assert (usp.meaning, usp.explicit, usp.tracking_off) == ("opt-out", True, True)  # 1YYN: opted out of sale
    lmt = found["openrtb-lmt"]
    assert (lmt.meaning, lmt.tracking_off, lmt.location) == ("tracking-off", True, "body > json:device.lmt")
    assert lmt.summary == "lmt=1: Limit Ad Tracking is on"
    gpp = found["gpp"]
    assert (gpp.meaning, gpp.explicit, gpp.tracking_off) == ("opt-out", True, True)  # usnat opt-outs, GPC set
    assert found["zero-advertising-id"].tracking_off
    assert found["gdpr-applies"].summary.startswith("GDPR applies")


# A TC string that consents to no purpose at all, as IAB's @iabtcf/core 1.5.6 encodes it
# (every purpose and vendor left unset; CMP 10, vendor list 150, policy 5).
TC_REFUSED = "CQKjTcAQKjTcAAKACAENCWFAAAAAAAAAAAYgAAAAAAAA.IF5wAQF5gAAA"


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("where", ["query", "openrtb-2.5"], ids=["gdpr_consent", "user.ext.consent"])
def test_a_tcf_refusal_says_tracking_is_off(reading: str, where: str) -> None:
    if where == "query":
        obs = request(f"https://adserver.example/pixel?gdpr=1&gdpr_consent={TC_REFUSED}", method="GET")
    else:
        body = json.dumps({"user": {"ext": {"consent": TC_REFUSED}}}).encode()
        obs = request("https://ssp.example/openrtb2/auction", body, (("Content-Type", "application/json"),))
    tcf = signals(obs, reading)["tcf"]
    assert (tcf.meaning, tcf.explicit, tcf.tracking_off) == ("refused", True, True)


@pytest.mark.parametrize("reading", READINGS)
def test_gpp_opt_out_of_targeted_advertising_alone_says_tracking_is_off(reading: str) -> None:
    # @iabgpp/cmpapi 3.2.0's GppModel: usnat with notices given, SaleOptOut and SharingOptOut 2 (did
    # not opt out), TargetedAdvertisingOptOut 1; GPC not set.
    obs = request("https://adserver.example/pixel?gpp=DBABLA~CVQpAAAAAABA.QA&gpp_sid=7", method="GET")
    gpp = signals(obs, reading)["gpp"]
    assert "opted out of targeted advertising" in gpp.summary
    assert (gpp.meaning, gpp.explicit, gpp.tracking_off) == ("opt-out", True, True)


@pytest.mark.parametrize("reading", READINGS)
def test_limit_ad_tracking_flags(reading: str) -> None:
    gam = request(
        "https://pubads.g.doubleclick.net/gampad/ads?iu=/1234/app&is_lat=1&rdid=660e1d86-6796-463a-be86-897993136018"
        "&idtype=adid",
        method="GET",
    )
    found = signals(gam, reading)
    assert (found["google-is-lat"].meaning, found["google-is-lat"].tracking_off) == ("tracking-off", True)
    allowed = signals(replace(gam, path=gam.path.replace("is_lat=1", "is_lat=0")), reading)["google-is-lat"]
    assert (allowed.meaning, allowed.tracking_off) == ("not-set", False)
    assert allowed.summary == "is_lat=0: Limit Ad Tracking is off"


@pytest.mark.parametrize("reading", READINGS)
def test_a_bare_lmt_outside_a_bid_request_is_no_signal(reading: str) -> None:
    # nytimes.com's own pages send lmt=<timestamp> (tests/corpus/external/pagexray-nytimes).
    obs = request("https://securepubads.g.doubleclick.net/gampad/ads?lmt=1", method="GET")
    assert "openrtb-lmt" not in signals(obs, reading)


@pytest.mark.parametrize("reading", READINGS)
def test_cookie_and_query_carrying_the_same_string_count_once(reading: str) -> None:
    obs = request(
        f"https://adserver.example/pixel?gdpr=1&gdpr_consent={TC}",
        headers=(("Cookie", f"euconsent-v2={TC}; other=1"), ("Sec-GPC", "1")),
        method="GET",
    )
    found = find_signals(obs, decode_request(obs) if reading == "decoder" else None)
    assert sorted(s.kind for s in found) == ["gdpr-applies", "gpc", "tcf"]
    gpc = next(s for s in found if s.kind == "gpc")
    assert (gpc.meaning, gpc.tracking_off, gpc.location) == ("opt-out", True, "header:Sec-GPC")


@pytest.mark.parametrize("reading", READINGS)
def test_segment_batch_with_ad_tracking_off(reading: str) -> None:
    body = {"batch": [{"type": "track", "context": {"device": {"adTrackingEnabled": False, "advertisingId": ZERO}}}]}
    obs = request("https://api.segment.io/v1/batch", json.dumps(body).encode(), (("Content-Type", "application/json"),))
    found = signals(obs, reading)
    assert found["segment-ad-tracking"].meaning == "tracking-off"
    assert found["segment-ad-tracking"].location == "body > json:batch[0].context.device.adTrackingEnabled"
    assert found["zero-advertising-id"].meaning == "tracking-off"


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("key", ["gps_adid", "googleAdvertisingId", "IDFA", "ios_ifa", "madid"])
def test_zero_advertising_id_under_any_advertising_id_name(reading: str, key: str) -> None:
    """The names are those the payload detectors know as advertising ids: one list for both."""
    found = signals(request(f"https://api.example.com/event?{key}={ZERO}"), reading)
    assert found["zero-advertising-id"].tracking_off


@pytest.mark.parametrize("reading", READINGS)
def test_zero_values_of_other_ids_are_no_advertising_signal(reading: str) -> None:
    assert signals(request(f"https://api.example.com/event?session_id={ZERO}&device_id={ZERO}"), reading) == {}


@pytest.mark.parametrize("reading", READINGS)
def test_vendor_specific_names_count_only_on_the_vendors_hosts(reading: str) -> None:
    query = f"?att_status=2&tracking_enabled=0&idfa={ZERO}&att=2"
    adjust = signals(request("https://app.adjust.com/session" + query), reading)
    assert adjust["adjust-att"].meaning == "tracking-off" and "denied" in adjust["adjust-att"].summary
    assert adjust["adjust-tracking"].tracking_off
    assert "appsflyer-att" not in adjust
    appsflyer = signals(request("https://inapps.appsflyer.com/api/v6.9/androidevent" + query), reading)
    assert appsflyer["appsflyer-att"].meaning == "tracking-off"
    assert "adjust-att" not in appsflyer and "adjust-tracking" not in appsflyer
    elsewhere = signals(request("https://api.example.com/event" + query), reading)
    assert set(elsewhere) == {"zero-advertising-id"}


@pytest.mark.parametrize("reading", READINGS)
def test_malformed_strings_under_telling_names_are_reported(reading: str) -> None:
    obs = request(
        "https://adserver.example/pixel?gdpr_consent=${GDPR_CONSENT_755}&us_privacy=1YXN&gcs=G9&gpp=DBABLA",
        method="GET",
    )
    found = signals(obs, reading)
    assert {k: s.meaning for k, s in found.items()} == {
        "tcf": "undecodable",
        "us-privacy": "undecodable",
        "google-gcs": "undecodable",
        "gpp": "undecodable",
    }
    assert "unfilled macro" in found["tcf"].summary
    assert found["gpp"].summary.startswith("undecodable GPP value")


@pytest.mark.parametrize("reading", READINGS)
def test_generic_names_with_other_values_are_not_signals(reading: str) -> None:
    body = {"consent": "yes", "gdpr": {"applies": True}, "npa": "maybe", "user": {"consent": "not-a-tc-string"}}
    obs = request("https://api.example.com/v1/prefs?gdpr=true&dma=7", json.dumps(body).encode())
    found = signals(obs, reading)
    assert set(found) == {"gdpr-applies"}  # only gdpr=true in the query has the expected form


def test_evidence_of_a_long_string_is_shortened() -> None:
    obs = request(f"https://adserver.example/p?gdpr_consent={TC}", method="GET")
    [signal] = find_signals(obs)
    evidence = signal.evidence()
    assert evidence.flow == "cap.mitm#7" and evidence.location == "query:gdpr_consent"
    assert evidence.excerpt.endswith(f"… ({len(TC)} chars)") and evidence.excerpt.startswith(TC[:40])
    assert evidence.how == signal.summary


def test_no_signals_in_plain_traffic() -> None:
    body = json.dumps({"event": "Symptom Logged", "properties": {"distinct_id": "user-4242"}}).encode()
    assert find_signals(request("https://api-js.mixpanel.com/track/", body)) == []


def test_evidence_of_a_cookie_leaves_the_value_out() -> None:
    obs = request("https://adserver.example/p", headers=(("Cookie", f"euconsent-v2={TC}"),), method="GET")
    [signal] = find_signals(obs)
    evidence = signal.evidence()
    assert (evidence.location, evidence.excerpt) == ("cookie:euconsent-v2", "")
    assert "purposes consented 1,2,3" in evidence.how


@pytest.mark.parametrize("reading", READINGS)
def test_names_longer_than_any_signal_s_are_read_but_not_remembered(reading: str) -> None:
    """Key names are remembered to spare lower-casing them, but a name longer than every signal's
    name (text a decoder took for one) is never a signal's and is not kept: junk names rarely repeat."""
    junk = {f"{'x' * 200}{n}": "0" for n in range(50)}
    body = json.dumps({**junk, "GDPR_CONSENT": TC}).encode()
    found = signals(request("https://adserver.example/p", body), reading)
    assert "tcf" in found and found["tcf"].value == TC
    assert not any(name and len(name) > 200 for name in _KNOWN_NAMES)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "body",
    [
        b'{"user": {"ext": {"gdpr\\u005fconsent": "%s"}}}' % TC.encode(),  # a name written with an escape
        b'{"device": {"IFA": "%s"}}' % ZERO.encode(),  # no signal's name: an all-zero id
        b'{"Us_Privacy": "1YYN"}',  # a name in other case
    ],
)
def test_a_json_body_s_signals_are_found_whatever_the_name_s_spelling(reading: str, body: bytes) -> None:
    """The shallow reading makes a leaf only of a value that can be a signal: a name written with
    an escape or in other case, and an all-zero id under any name, are still such values."""
    assert signals(request("https://adserver.example/p", body), reading)
