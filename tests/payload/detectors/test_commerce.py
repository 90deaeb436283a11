"""An amount or an order id is a purchase only in a purchase-type event (commerce.py),
on real requests recorded by others (tests/data/requests/) and on built ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze, analyze_decoded
from flowaudit.payload.detectors.commerce import is_purchase_event
from flowaudit.payload.model import DecodedRequest, Detection

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "requests"
JsonBody = Callable[..., DecodedRequest]


def _purchases(name: str) -> list[Detection]:
    [obs] = open_inputs([str(REQUESTS / name)])
    return [d for d in analyze(obs) if d.data_type == "financial.purchase"]


def _found(decoded: DecodedRequest, host: str = "collector.example", path: str = "/e") -> dict[str, Detection]:
    return {
        d.location.rsplit(":", 1)[1]: d
        for d in analyze_decoded(decoded, host, path)
        if d.data_type == "financial.purchase"
    }


def test_facebook_deactivate_app_value_to_sum_is_the_session_length_not_a_purchase() -> None:
    """ReportHAR android first run, entry 8: fb_mobile_deactivate_app carries _valueToSum 0.52."""
    assert _purchases("facebook-app-events-deactivate-app.har") == []


def test_catalogue_offers_of_a_shop_page_are_no_purchase() -> None:
    """fb-pixel-inspector personalabs, entry 34: the pixel's Microdata event sends the shop
    page's JSON-LD, ten products with schema.org offers and prices."""
    assert _purchases("meta-pixel-microdata-shop-offers.har") == []


@pytest.mark.parametrize(
    "name",
    [
        "fb_mobile_purchase",
        "fb_mobile_spent_credits",
        "Purchase",
        "Subscribe",
        "af_purchase",
        "in_app_purchase",
        "Order Completed",
        "checkout_completed",
        "refund",
    ],
)
def test_completed_purchases(name: str) -> None:
    assert is_purchase_event(name)


@pytest.mark.parametrize(
    "name",
    [
        "fb_mobile_deactivate_app",
        "fb_mobile_content_view",
        "ViewContent",
        "Microdata",
        "PageView",
        "view_item",
        "order",
        # a price or a cart total before any order (the external corpus's labels agree)
        "fb_mobile_add_to_cart",
        "fb_mobile_initiated_checkout",
        "AddToCart",
        "InitiateCheckout",
        "AddPaymentInfo",
        "begin_checkout",
        "$started_checkout",
        "Checkout Started",
    ],
)
def test_other_events(name: str) -> None:
    assert not is_purchase_event(name)


def test_a_started_checkout_is_no_purchase(external: Callable[[str, int], Observation]) -> None:
    """fb-pixel-inspector mylabbox, request 80: Klaviyo's $started_checkout with $value and SubTotal."""
    assert [d for d in analyze(external("pixelinspector-mylabbox", 80)) if d.data_type == "financial.purchase"] == []


def test_value_to_sum_is_a_purchase_in_a_purchase_event_of_the_same_batch(json_body: JsonBody) -> None:
    decoded = json_body(
        {
            "event": "CUSTOM_APP_EVENTS",
            "custom_events": [
                {"_eventName": "fb_mobile_deactivate_app", "_valueToSum": 0.52},
                {"_eventName": "fb_mobile_purchase", "_valueToSum": 9.99, "fb_currency": "USD"},
            ],
        }
    )
    found = _found(decoded, "graph.facebook.com", "/v14.0/1/activities")
    assert set(found) == {"custom_events[1]._valueToSum", "custom_events[1]._eventName"}


def test_amount_in_a_product_view_is_no_purchase_and_in_an_order_it_is(json_body: JsonBody) -> None:
    view = _found(json_body({"event": "Product Viewed", "properties": {"price": 41, "currency": "USD"}}))
    assert view == {}
    order = _found(json_body({"event": "Order Completed", "properties": {"price": 41, "currency": "USD"}}))
    assert "in a 'Order Completed' event" in order["properties.price"].how


def test_amount_without_any_event_is_only_possible(json_body: JsonBody) -> None:
    """Nothing says what the number sums: shown, never a finding."""
    found = _found(json_body({"price": "0.0421", "slot": "top"}))
    assert found["price"].confidence == "possible"


def test_order_id_follows_its_event_and_a_purchase_event_name_stays(json_body: JsonBody) -> None:
    feed = _found(json_body({"event": "feed_page", "orderId": 19999990, "offset": 10}))
    assert feed == {}
    bought = _found(json_body({"event": "purchase", "order_id": "T-1001"}))
    assert set(bought) == {"order_id", "event"}


def test_ga4_measurement_protocol_names_events_in_name(json_body: JsonBody) -> None:
    decoded = json_body(
        {
            "events": [
                {"name": "view_item", "params": {"value": 41, "currency": "USD"}},
                {"name": "purchase", "params": {"value": 41, "currency": "USD"}},
            ]
        }
    )
    assert set(_found(decoded)) == {"events[1].params.value"}
