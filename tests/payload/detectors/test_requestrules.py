"""Detections over several values of one request: the page that sent it, named under any key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors import detect_generic

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "requests"


def _page_urls(obs: Observation) -> dict[str, str]:
    return {
        d.location: d.confidence
        for d in detect_generic(decode_request(obs))
        if d.data_type == "browsing.history" and d.part != "header"
    }


def _universal_pixel() -> Observation:
    [obs] = open_inputs([str(REQUESTS / "trade-desk-universal-pixel-referer.har")])
    return obs


def test_a_url_of_the_referring_site_under_any_key_is_the_page() -> None:
    """The Trade Desk's universal pixel names the page in `ref`, a key no list of page keys holds."""
    assert _page_urls(_universal_pixel()) == {"query:ref": "likely"}


def test_without_a_referer_or_on_another_site_it_is_no_page() -> None:
    """Under a key that says nothing (``pl``; ``ref`` itself names a page: families.family_of),
    only the Referer's site makes the URL the page."""
    obs = _universal_pixel()
    obs = replace(obs, path=obs.path.replace("&ref=", "&pl="))
    assert _page_urls(obs) == {"query:pl": "likely"}
    assert _page_urls(replace(obs, request_headers=())) == {}
    other_site = (("Referer", "https://www.example.org/"),)
    assert _page_urls(replace(obs, request_headers=other_site)) == {}


def test_a_file_of_the_site_is_no_page() -> None:
    obs = _universal_pixel()
    asset = obs.path.replace(
        "ref=https%3A%2F%2Fconnectforhealthco.com%2F", "ref=https%3A%2F%2Fconnectforhealthco.com%2Flogo.png"
    )
    assert asset != obs.path
    assert _page_urls(replace(obs, path=asset)) == {}


def _searches(obs: Observation) -> dict[str, str]:
    return {
        d.location: d.confidence
        for d in detect_generic(decode_request(obs))
        if d.data_type == "usage.search" and d.confidence == "likely"
    }


def test_a_search_in_a_page_url_of_the_referring_site_is_the_visitors_search() -> None:
    """A shop's ?s=pregnancy inside the page URL a tag reports (Bing UET p=): a search, not its button."""
    [obs] = open_inputs([str(REQUESTS / "bing-uet-site-search-referer.har")])
    # search=Search is the button's label; tl=You searched for pregnancy is the page's title (leafrules.search_title)
    assert set(_searches(obs)) == {"query:p > query:s", "query:tl"}
    assert set(_searches(replace(obs, request_headers=()))) == {"query:tl"}  # no page to tie the URL to


def test_a_search_template_is_no_search() -> None:
    [obs] = open_inputs([str(REQUESTS / "bing-uet-site-search-referer.har")])
    template = replace(obs, path=obs.path.replace("%3Fs%3Dpregnancy", "%3Fs%3D%7Bsearch_term_string%7D"))
    assert template.path != obs.path
    assert set(_searches(template)) == {"query:tl"}  # only the title, not the template
