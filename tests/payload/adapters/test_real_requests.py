"""Vendor adapters on single requests from real captures recorded by others
(``real_requests.yml`` names each one's source): what each documented field is
reported as, and what a product viewed, a random id or a script download is not."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.adapters import load_adapters
from flowaudit.payload.analyze import analyze
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import Detection
from flowaudit.yamlsource import load_yaml

REQUESTS = load_yaml(Path(__file__).with_name("real_requests.yml")).value
COUNTED = ("certain", "likely")


def request(name: str, *, edit: tuple[str, str] | None = None) -> Observation:
    """The named request; ``edit`` replaces one piece of its URL or body (a variant of it)."""
    entry = REQUESTS[name]
    url, body = entry["url"], entry.get("body", "")
    if edit is not None:
        assert edit[0] in url + body, edit  # the variant really changes something
        url, body = url.replace(*edit), body.replace(*edit)
    parts = urlsplit(url)
    headers = tuple(
        (name, entry[key]) for key, name in (("content_type", "Content-Type"), ("cookie", "Cookie")) if key in entry
    )
    return Observation(
        ref=f"{name}#1",
        source=entry["source"],
        index=1,
        kind="http",
        method=entry["method"],
        scheme="https",
        host=parts.hostname or "",
        port=443,
        path=parts.path + (f"?{parts.query}" if parts.query else ""),
        request_headers=headers,
        body=body.encode(),
        body_decoded=True,
    )


def found(obs: Observation) -> dict[str, list[Detection]]:
    """Counted detections by data type."""
    by_type: dict[str, list[Detection]] = {}
    for detection in analyze(obs):
        if detection.confidence in COUNTED:
            by_type.setdefault(detection.data_type, []).append(detection)
    return by_type


def at(by_type: dict[str, list[Detection]], data_type: str) -> dict[str, str]:
    """Location -> detector of the detections of one type."""
    return {d.location: d.detector for d in by_type.get(data_type, [])}


def test_ga_universal_event_hit_names_its_ids_pages_and_action() -> None:
    by_type = found(request("ga_universal_product_view"))
    assert at(by_type, "identifiers.device_id") == {
        "query:cid": "adapter:google_analytics",
        "query:_gid": "adapter:google_analytics",
    }
    assert set(at(by_type, "usage.interactions")) == {"query:t", "query:ea", "query:pa"}
    assert at(by_type, "browsing.history")["query:dl"] == "adapter:google_analytics"
    assert "query:pr1nm" in at(by_type, "health.health")  # a pregnancy test's name


@pytest.mark.parametrize("name", ["ga_universal_product_view", "ga_universal_checkout"])
def test_ga_universal_products_viewed_or_in_checkout_are_no_purchase(name: str) -> None:
    assert "financial.purchase" not in found(request(name))


def test_ga_universal_purchase_hit_is_a_purchase() -> None:
    purchase = request("ga_universal_checkout", edit=("&pa=checkout&", "&pa=purchase&ti=T1001&tr=38&"))
    assert set(at(found(purchase), "financial.purchase")) == {"query:pa", "query:ti", "query:tr", "query:pr1pr"}


def test_meta_pixel_browser_id_and_pages_and_a_viewed_price_is_no_purchase() -> None:
    by_type = found(request("meta_pixel_view_content"))
    fbp = by_type["identifiers.device_id"][0]
    assert (fbp.location, fbp.confidence, fbp.detector) == ("query:fbp", "certain", "adapter:meta_pixel")
    assert at(by_type, "browsing.history") == {"query:dl": "adapter:meta_pixel", "query:rl": "adapter:meta_pixel"}
    assert "financial.purchase" not in by_type  # cd[value] + cd[currency] of a ViewContent


def test_meta_pixel_value_of_a_purchase_event_is_a_purchase() -> None:
    purchase = request("meta_pixel_view_content", edit=("ev=ViewContent", "ev=Purchase"))
    assert at(found(purchase), "financial.purchase")["query:cd[value]"] == "adapter:meta_pixel"


def test_bing_uet_visitor_id_and_products_but_no_purchase_on_a_product_page() -> None:
    by_type = found(request("bing_uet_view_item"))
    assert at(by_type, "identifiers.device_id") == {"query:vid": "adapter:bing_uet"}  # mid: one page load
    assert {"query:ea", "query:prodid"} <= set(at(by_type, "usage.interactions"))
    assert at(by_type, "browsing.history") == {"query:p": "adapter:bing_uet"}
    assert "financial.purchase" not in by_type


def test_bing_uet_total_on_a_purchase_page_is_a_purchase() -> None:
    purchase = request(
        "bing_uet_view_item", edit=("ea=view_item&ev=149&pagetype=product", "ea=purchase&ev=149&pagetype=purchase")
    )
    assert set(at(found(purchase), "financial.purchase")) == {"query:pagetype", "query:ecomm_totalvalue"}


def test_branch_v1_open_device_ids_but_not_a_random_hardware_id() -> None:
    obs = request("branch_v1_open")
    by_type = found(obs)
    assert at(by_type, "identifiers.device_id") == {
        "body > json:device_fingerprint_id": "adapter:branch",
        "body > json:identity_id": "adapter:branch",
    }
    assert set(at(by_type, "identifiers.advertising_id")) == {
        "body > json:advertising_ids.aaid",
        "body > json:google_advertising_id",
    }
    result = load_adapters().match(decode_request(obs), obs.host, obs.path)
    assert "body > json:branch_key" in result.secrets


def test_branch_v1_open_and_close_are_app_sessions() -> None:
    (carried,) = found(request("branch_v1_open"))["usage.interactions"]
    assert (carried.part, carried.detector) == ("url", "adapter:branch")


def test_branch_v1_real_hardware_id_is_a_device_id() -> None:
    real = request("branch_v1_open", edit=('"is_hardware_id_real":false', '"is_hardware_id_real":true'))
    assert "body > json:hardware_id" in at(found(real), "identifiers.device_id")


def test_bugsnag_session_device_id_and_the_user_id_it_fills_in() -> None:
    """No user set by the app: Bugsnag's user.id is the device id it fills in, not an account."""
    by_type = found(request("bugsnag_session"))
    assert at(by_type, "identifiers.device_id") == {
        "body > json:device.id": "adapter:bugsnag",
        "body > json:sessions[0].user.id": "adapter:bugsnag",
    }
    assert "identifiers.user_id" not in by_type
    with_email = request(
        "bugsnag_session",
        edit=('"user":{"id":"7d5a6fd0d53a0000"}', '"user":{"id":"7d5a6fd0d53a0000","email":"a@b.example"}'),
    )
    assert at(found(with_email), "identifiers.user_id") == {"body > json:sessions[0].user.id": "adapter:bugsnag"}


@pytest.mark.parametrize("name", ["bing_uet_script", "branch_skip_list"])
def test_script_and_configuration_downloads_carry_nothing(name: str) -> None:
    assert found(request(name)) == {}


def test_meta_pixel_form_matching_is_hashed_profile_data_not_a_location() -> None:
    by_type = found(request("meta_pixel_checkout_form"))
    assert set(at(by_type, "contact.other")) == {"body > form:udff[ct]", "body > form:udff[zp]"}
    assert set(at(by_type, "contact.name")) == {"body > form:udff[fn]", "body > form:udff[ln]"}
    assert "location.coarse" not in by_type


def test_meta_pixel_loading_is_no_interaction() -> None:
    by_type = found(request("meta_pixel_initialized"))
    assert "usage.interactions" not in by_type
    assert at(by_type, "browsing.history") == {"query:dl": "adapter:meta_pixel"}


def test_meta_and_microsoft_browser_cookies_are_device_ids() -> None:
    assert at(found(request("meta_pixel_noscript_with_cookie")), "identifiers.device_id") == {
        "cookie:fr": "adapter:facebook_cookies"
    }
    by_type = found(request("bing_uet_page_load_with_cookies"))
    assert at(by_type, "identifiers.device_id") == {
        "cookie:MUID": "adapter:bing_uet",
        "cookie:MUIDB": "adapter:bing_uet",
    }
    assert at(by_type, "usage.interactions") == {"query:evt": "adapter:bing_uet"}


def test_bugsnag_screens_opened_are_interactions_and_a_log_line_is_not() -> None:
    by_type = found(request("bugsnag_notify"))
    (screens,) = by_type["usage.interactions"]  # once per request
    assert screens.location == "body > json:events[0].breadcrumbs[0].name"
    assert set(at(by_type, "identifiers.device_id")) == {
        "body > json:events[0].device.id",
        "body > json:events[0].user.id",  # no user set: the id Bugsnag fills in
    }
    assert "diagnostics.crash" in by_type
    logs_only = request("bugsnag_notify", edit=('"type":"state"', '"type":"manual"'))
    assert "usage.interactions" not in found(logs_only)


def test_snap_pixel_cookie_id_and_page() -> None:
    by_type = found(request("snap_pixel_page_view"))
    assert at(by_type, "identifiers.device_id") == {"query:u_c1": "adapter:snap_pixel"}
    assert at(by_type, "browsing.history") == {"query:pl": "adapter:snap_pixel"}
    assert at(by_type, "usage.interactions") == {"query:ev": "adapter:snap_pixel"}


def test_linkedin_insight_browser_id_page_and_page_visit() -> None:
    collect = found(request("linkedin_collect"))
    assert at(collect, "identifiers.device_id") == {"query:li_adsId": "adapter:linkedin_insight"}
    assert at(collect, "browsing.history") == {"query:url": "adapter:linkedin_insight"}
    visit = found(request("linkedin_page_visit"))
    assert at(visit, "usage.interactions") == {"body > json:signalType": "adapter:linkedin_insight"}
    assert "identifiers.device_id" not in visit  # websiteSignalRequestId names one request


def test_x_pixel_page_and_event_but_no_partner_id_of_zero() -> None:
    by_type = found(request("x_pixel_page_view"))
    assert at(by_type, "browsing.history") == {"query:tw_document_href": "adapter:x_pixel"}
    assert set(at(by_type, "usage.interactions")) == {"query:events > json:[0][0]"}
    assert "identifiers.device_id" not in by_type and "financial.purchase" not in by_type  # p_user_id=0, amount 0


def test_hubspot_visitor_id_and_pages() -> None:
    by_type = found(request("hubspot_page_view"))
    assert set(at(by_type, "identifiers.device_id")) == {"query:vi", "query:u"}
    assert set(at(by_type, "browsing.history")) == {"query:pu", "query:rcu"}


def test_pinterest_tag_loading_is_no_event() -> None:
    by_type = found(request("pinterest_tag_init"))
    assert "usage.interactions" not in by_type
    assert at(by_type, "browsing.history") == {"query:ad > json:loc": "adapter:pinterest_tag"}


def test_new_relic_page_view_carries_page_load_timings() -> None:
    [obs] = open_inputs(
        [str(Path(__file__).resolve().parents[2] / "data" / "requests" / "new-relic-page-view-timings.har")]
    )
    by_type = found(obs)
    # the adapter's documented fields; the generic Timings reads the perf.timing object as well
    assert {"query:be", "query:fe", "query:dc"} <= set(at(by_type, "diagnostics.performance"))


@pytest.mark.parametrize(
    ("name", "vendor"), [("yotpo_snowplow_page_view", "yotpo_pixel"), ("keywee_snowplow_page_view", "keywee")]
)
def test_snowplow_hits_visitor_id_fingerprint_page_and_event(name: str, vendor: str) -> None:
    by_type = found(request(name))
    detector = f"adapter:{vendor}"
    assert at(by_type, "identifiers.device_id") == {"query:duid": detector}  # vid is a visit count
    assert at(by_type, "device.fingerprint") == {"query:fp": detector}
    assert at(by_type, "browsing.history") == {"query:url": detector}
    assert at(by_type, "usage.interactions") == {"query:e": detector}
    unknown_event = request(name, edit=("e=pv&", "e=xx&"))
    assert "usage.interactions" not in found(unknown_event)


def test_klaviyo_track_names_the_profile_and_keeps_the_site_key_a_secret() -> None:
    [obs] = open_inputs([str(Path(__file__).resolve().parents[2] / "data" / "requests" / "klaviyo-track-activity.har")])
    by_type = found(obs)
    data = "body > multipart:data > json:"
    assert at(by_type, "identifiers.user_id") == {f"{data}customer_properties.$exchange_id": "adapter:klaviyo"}
    assert at(by_type, "contact.email") == {f"{data}customer_properties.$email": "adapter:klaviyo"}
    assert at(by_type, "usage.interactions") == {f"{data}event": "adapter:klaviyo"}
    result = load_adapters().match(decode_request(obs), obs.host, obs.path)
    assert f"{data}token" in result.secrets
