"""Ad-serving beacons (detectors.adbeacons): ad views, impressions and win notices on the external
corpus's real requests, what such a beacon says of the viewer, and lookalikes that are no beacon."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze

External = Callable[[str, int], Observation]


def _url(url: str) -> Observation:
    parts = urlsplit(url)
    return Observation(
        ref="built#1",
        source="built",
        index=1,
        kind="http",
        method="GET",
        scheme="https",
        host=parts.hostname or "",
        port=443,
        path=parts.path + (f"?{parts.query}" if parts.query else ""),
    )


def _types(obs: Observation, data_type: str) -> dict[str, str]:
    """Location -> how, for likely or certain detections of one data type."""
    return {d.location: d.how for d in analyze(obs) if d.data_type == data_type and d.confidence != "possible"}


@pytest.mark.parametrize(
    ("capture", "n", "location"),
    [
        ("pagexray-expressen", 182, "url:path[1]"),  # pagead2.googlesyndication.com/pcs/activeview?…&adk=880281375
        ("pagexray-expressen", 134, "url:path[1]"),  # securepubads.g.doubleclick.net/pcs/view?xai=…
        ("pagexray-nytimes", 264, "url:path[1]"),  # googleads.g.doubleclick.net/pagead/adview?ai=…
        ("pagexray-nytimes", 328, "url:path[0]"),  # pagead2.googlesyndication.com/activeview?avi=…
        ("reporthar-9gag-interaction", 80, "url:path[0]"),  # inv-nets-eu.admixer.net/ev_view.aspx?item=…
    ],
)
def test_an_ad_view_endpoint_is_advertising(external: External, capture: str, n: int, location: str) -> None:
    assert "an ad view, impression or win notice" in _types(external(capture, n), "usage.advertising")[location]


def test_a_price_on_the_path_of_an_ad_is_advertising(external: External) -> None:
    """9gag interaction, request 109: h.lqm.io/odin/pixel/…/ad/2064250/t.gif?…&price=0.11089&currency=USD."""
    found = _types(external("reporthar-9gag-interaction", 109), "usage.advertising")
    assert "the price of the ad shown" in found["query:price"]


def test_auction_prices_are_advertising(external: External) -> None:
    """9gag interaction, request 108: adm.admixer.com/i?…&priceBid=0.06538525&pricePaid=0.06538525."""
    found = _types(external("reporthar-9gag-interaction", 108), "usage.advertising")
    assert {"query:priceBid", "query:pricePaid"} <= found.keys()


@pytest.mark.parametrize("n", [79, 108])
def test_an_ad_beacon_s_ip_and_position_under_opaque_keys(external: External, n: int) -> None:
    """9gag interaction, requests 79 (adrta.com/i) and 108 (adm.admixer.com/i): kv4=83.28.25.0,
    kv16/kv17 a latitude and longitude with 4 and 6 decimals, beside priceBid."""
    obs = external("reporthar-9gag-interaction", n)
    assert "query:kv4" in _types(obs, "network.ip_address")
    assert "a latitude and longitude" in _types(obs, "location.precise")["query:kv16"]


def test_a_script_under_an_activeview_folder_is_no_beacon(external: External) -> None:
    """expressen, request 131: tpc.googlesyndication.com/pagead/js/…/activeview/osd_listener_heavy.js."""
    assert _types(external("pagexray-expressen", 131), "usage.advertising") == {}


@pytest.mark.parametrize(
    "url",
    [
        # outside an ad beacon, a dotted quad may be a version and numbered decimals anything
        "https://stats.example.com/collect?kv4=83.28.25.0&kv16=52.4564&kv17=13.3425",
        # a price outside an ad's path is a shop's price, not an ad's
        "https://shop.example.com/product/42?price=19.99",
        # an impression under a script's extension is a script
        "https://cdn.example.com/impression.js",
        # "view" alone is any page's view
        "https://shop.example.com/product/view?price=19.99",
    ],
)
def test_lookalikes_are_no_ad_beacon(url: str) -> None:
    obs = _url(url)
    for data_type in ("usage.advertising", "network.ip_address", "location.precise"):
        assert _types(obs, data_type) == {}, data_type


def test_numbered_keys_need_a_position_s_precision() -> None:
    """Two decimals under consecutive keys of an ad beacon are no position (a price and a ratio)."""
    obs = _url("https://ads.example.com/activeview?kv1=0.25&kv2=1.5&pricePaid=0.1")
    assert _types(obs, "location.precise") == {}
    assert _types(obs, "location.coarse") == {}


def test_a_built_ad_beacon_says_where_the_viewer_is() -> None:
    obs = _url("https://ads.example.com/win.gif?winprice=0.2&a9=48.85661&a10=2.35222&x=198.51.100.0")
    assert "query:a9" in _types(obs, "location.precise")
    assert "query:x" in _types(obs, "network.ip_address")


def test_a_click_id_makes_no_ad_beacon() -> None:
    """A landing page's tracker with a gclid is a page view: its dotted quads stay unread."""
    obs = _url("https://stats.example.com/collect?gclid=Cj0KCQiA&kv4=83.28.25.0&kv16=52.4564&kv17=13.3425")
    assert _types(obs, "network.ip_address") == {}
    assert _types(obs, "location.precise") == {}


def test_a_version_in_an_ad_beacon_is_no_address() -> None:
    obs = _url("https://ads.example.com/activeview?sdk_version=4.2.0.1")
    assert _types(obs, "network.ip_address") == {}
