"""The site's or SDK's own configuration ids are no user or device ids (leafrules._scoped_id,
requestrules.Campaigns), on real requests recorded by others and on built ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze, analyze_decoded
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.model import DecodedRequest, Detection

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "requests"
JsonBody = Callable[..., DecodedRequest]


def _by_key(found: list[Detection]) -> dict[str, tuple[str, str]]:
    """Key (after the last colon) -> (data type, confidence)."""
    return {d.location.rsplit(":", 1)[1]: (d.data_type, d.confidence) for d in found}


def _request(name: str) -> list[Detection]:
    [obs] = open_inputs([str(REQUESTS / name)])
    return analyze(obs)


def test_pardot_account_and_campaign_ids_are_the_sites_own() -> None:
    """fb-pixel-inspector oraquick, entry 10: Pardot's page view carries the site's account_id
    and campaign_id beside the visitor's own visitor_id."""
    found = _by_key(_request("pardot-analytics-page-view.har"))
    assert found["visitor_id"] == ("identifiers.device_id", "likely")
    assert found["account_id"][1] == "possible"
    assert found["campaign_id"] == ("usage.advertising", "possible")


def test_paypal_merchant_client_id_is_no_device_id() -> None:
    """fb-pixel-inspector personalabs, entry 163: the PayPal SDK is loaded with the merchant's client-id."""
    found = _request("paypal-sdk-merchant-client-id.har")
    assert {(d.data_type, d.confidence) for d in found if d.data_type.startswith("identifiers.")} == {
        ("identifiers.device_id", "possible")
    }


@pytest.mark.parametrize("key", ["client_id", "clientId", "account_id", "accountId", "instanceId", "profile_id"])
def test_scoped_names_alone_are_only_possible(json_body: JsonBody, key: str) -> None:
    [found] = detect_generic(json_body({key: "a1b2c3d4e5"}))
    assert found.confidence == "possible" and found.value is None


def test_scoped_names_inside_a_user_or_device_are_theirs(json_body: JsonBody) -> None:
    found = _by_key(detect_generic(json_body({"user": {"account_id": "acct-991"}, "device": {"client_id": "c-77aa"}})))
    assert found["user.account_id"] == ("identifiers.user_id", "likely")
    assert found["device.client_id"] == ("identifiers.device_id", "likely")


def test_google_analytics_client_ids_stay_per_browser_ids(json_body: JsonBody) -> None:
    """The vendors whose client_id is the browser's say so: GA's cid by its format and name,
    the Measurement Protocol's client_id in its adapter."""
    assert _by_key(detect_generic(json_body({"cid": "1234567890.1700000000"})))["cid"][1] == "likely"
    decoded = json_body({"client_id": "1234567890.1700000000", "events": [{"name": "page_view"}]})
    found = _by_key(analyze_decoded(decoded, "www.google-analytics.com", "/mp/collect"))
    assert found["client_id"] == ("identifiers.device_id", "certain")


def test_chrome_sync_client_id_is_the_browser_profiles(realworld: Callable[[str], list[Observation]]) -> None:
    """mitmproxy's test data, diff_data.mitm flow 4: Chromium names its sync client in client_id."""
    obs = realworld("mitmproxy-testdata/flows/diff_data.mitm")[3]
    found = _by_key(analyze(obs))
    assert found["client_id"] == ("identifiers.device_id", "certain")


def test_campaign_ids_are_advertising_data_beside_an_ad_click(json_body: JsonBody) -> None:
    found = _by_key(detect_generic(json_body({"gclid": "EAIaIQobChMI", "campaign_id": "17878"})))
    assert found["campaign_id"] == ("usage.advertising", "likely")
