"""Page URLs under keys no list of page keys holds (families.family_of's page words), in matrix
parameters and encoded twice (decode), on the external corpus's real requests and built values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors.families import Family, family_of
from flowaudit.payload.detectors.formats import page_url_in

External = Callable[[str, int], Observation]


def _pages(obs: Observation) -> set[str]:
    """Locations of the counted browsing.history detections outside headers."""
    return {
        d.location
        for d in analyze(obs)
        if d.data_type == "browsing.history" and d.confidence in ("certain", "likely") and d.part != "header"
    }


@pytest.mark.parametrize(
    ("capture", "n", "location"),
    [
        ("reporthar-9gag", 92, "query:ntv_url > urldecode"),  # Nativo ntv_url=https%253A%252F%252F9gag.com%252F
        ("pagexray-expressen", 160, "query:purl"),  # PubMatic ad call, no Referer: purl=https://www.expressen.se/
        ("pagexray-nytimes", 227, "url:path[0] > form:ref"),  # Quantcast pixel;…;ref=http://www.nytimes.com/
        ("healthexchange-nevada", 172, "url:path[0] > form:url"),  # Quantcast pixel;…;url=https://…nevadahealthlink…
        ("reporthar-9gag-interaction", 80, "query:page"),  # Admixer ev_view.aspx page=9gag.com/ (no scheme)
        ("pagexray-ferguson", 120, "query:wt.es"),  # Webtrends dcs.gif wt.es=www.ferguson.com/, the Referer's site
        ("pagexray-ferguson", 115, "query:phint"),  # BlueKai phint=__bk_l=https://www.ferguson.com/
        ("pagexray-verizon", 113, "url:path[0] > form:u16"),  # Floodlight u16=/devices/, the Referer's path
    ],
)
def test_the_page_under_a_page_word_key_is_browsing(external: External, capture: str, n: int, location: str) -> None:
    assert location in _pages(external(capture, n))


def test_a_cookie_sync_partners_url_is_no_page(external: External) -> None:
    """healthexchange colorado, request 132: Tapad's partner_url is The Trade Desk's sync endpoint."""
    assert not [where for where in _pages(external("healthexchange-colorado", 132)) if "partner_url" in where]


@pytest.mark.parametrize("name", ["topUrl", "ntv_url", "landing_url", "mboxURL", "page_ref", "topLoc", "purl"])
def test_page_words(name: str) -> None:
    assert family_of(name) is Family.PAGE_URL


@pytest.mark.parametrize(
    "name", ["img_url", "scriptUrl", "redirect_url", "callbackUrl", "partner_url", "sync_url", "click_url", "api_uri"]
)
def test_urls_a_tag_loads_or_calls_are_no_page_words(name: str) -> None:
    assert family_of(name) is not Family.PAGE_URL


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("https://shop.example/p?id=1", "https://shop.example/p?id=1"),
        ("9gag.com/", "http://9gag.com/"),
        ("www.ferguson.com/pipe/valves", "http://www.ferguson.com/pipe/valves"),
        ("https://cdn.example/lib.js", None),  # a script the page loads
        ("cdn.example/logo.png", None),
        ("text/html", None),  # a media type
        ("1.2.3/beta", None),  # a version
        ("9gag.com", None),  # a host alone: no page
    ],
)
def test_page_url_in(value: str, url: str | None) -> None:
    assert page_url_in(value) == url


def test_the_home_pages_path_alone_is_no_echo(external: External) -> None:
    """Floodlight's u16 echoes the Referer's path; on the home page that path is "/", which any
    field may hold, so it says nothing."""
    obs = external("pagexray-verizon", 113)
    home = tuple(
        (k, "https://www.verizonwireless.com/") if k.lower() == "referer" else (k, v) for k, v in obs.request_headers
    )
    assert "url:path[0] > form:u16" in _pages(obs)
    assert "u16=%2Fdevices%2F" in obs.path
    assert "url:path[0] > form:u16" not in _pages(
        replace(obs, request_headers=home, path=obs.path.replace("u16=%2Fdevices%2F", "u16=%2F"))
    )


def test_the_pages_host_and_path_side_by_side_are_its_url(external: External) -> None:
    """Assertive Yield (reporthar-9gag entry 64, an LZ4 block of JSON) sends the page's address as
    Location's parts: host=9gag.com and, beside it, pathname=/. The host is the Referer's, so the
    pair is the page, home page or not; from another site's page the same pair says nothing."""
    obs = external("reporthar-9gag", 64)
    assert "body > latin1 > lz4 > json:pathname" in _pages(obs)
    elsewhere = tuple(
        (k, "https://other.example/") if k.lower() in ("referer", "origin") else (k, v) for k, v in obs.request_headers
    )
    assert "body > latin1 > lz4 > json:pathname" not in _pages(replace(obs, request_headers=elsewhere))
    # entryPathname, client_entryPathname: paths under other names, not beside a host's name
    assert not [where for where in _pages(obs) if "ntryPathname" in where]
