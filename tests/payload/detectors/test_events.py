"""Event names under generic keys (detectors.events): a user interaction by a documented vocabulary,
never the tag or SDK reporting on itself; on the external corpus's real requests and built values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.detectors.events import interaction, is_machinery
from flowaudit.payload.model import DecodedRequest

External = Callable[[str, int], Observation]


def _interactions(obs: Observation) -> dict[str, str]:
    """Location -> excerpt of every counted usage.interactions detection."""
    return {
        d.location: d.excerpt
        for d in analyze(obs)
        if d.data_type == "usage.interactions" and d.confidence in ("certain", "likely")
    }


@pytest.mark.parametrize(
    ("capture", "n", "location"),
    [
        ("healthexchange-colorado", 104, "query:type"),  # AdsWizz attribution pixel type=sitevisit
        ("healthexchange-maryland", 43, "query:action"),  # arttrk conversion pixel action=lead
        ("pagexray-nytimes", 192, "query:e"),  # Keywee's Snowplow tracker e=pv
        ("pagexray-verizon", 142, "body > form:type"),  # Ascend log type=Ascend/VISIT_URL
        ("healthexchange-nevada", 172, "url:path[0] > form:labels"),  # Quantcast ;labels=_fp.event.Homepage
    ],
)
def test_a_user_interaction_under_a_generic_key_is_an_event(
    external: External, capture: str, n: int, location: str
) -> None:
    assert location in _interactions(external(capture, n))


@pytest.mark.parametrize(
    ("capture", "n"),
    [
        ("pixelinspector-personalabs", 171),  # PayPal SDK logger: setup_production, sdk_client_cache_unknown, ...
        ("reporthar-9gag", 87),  # the video player's own event=playerEmbedReportsApi
    ],
)
def test_the_sdks_own_log_events_are_no_interaction(external: External, capture: str, n: int) -> None:
    assert _interactions(external(capture, n)) == {}


def test_an_event_parameter_of_a_url_inside_a_page_snapshot_is_no_event_of_this_request(external: External) -> None:
    """healthexchange newyork, request 75: Hotjar's DOM snapshot holds Bing's image URL with evt=pageLoad."""
    found = _interactions(external("healthexchange-newyork", 75))
    assert not [where for where in found if "query:evt" in where]


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("pv", "pv"),
        ("page-view", "page-view"),
        ("add_to_cart", "add_to_cart"),
        ("viewed", "viewed"),
        ("Ascend/VISIT_URL", "Ascend/VISIT_URL"),
        ("_fp.event.Subscribe Now Bar 1 - Hover-over", "Subscribe Now Bar 1 - Hover-over"),
    ],
)
def test_interactions_by_name(value: str, named: str) -> None:
    assert interaction(value) == named


@pytest.mark.parametrize(
    "value",
    [
        "image",
        "json",
        "portrait-primary",
        "get_candidate",
        "Ascend/FETCH_CANDIDATE_REQUESTED",
        "remar664",
        "init",
        "PixelInitialized",
        "1440859427833",
        "testimonials_custom_tab",
    ],
)
def test_config_values_are_no_interaction(value: str) -> None:
    """`type`, `action`, `e` hold formats, modes and ids as often as events: only the vocabulary counts."""
    assert interaction(value) is None


@pytest.mark.parametrize(
    ("name", "machinery"),
    [
        ("PixelInitialized", True),
        ("init", True),
        ("setup_production", True),
        ("CPL_LATENCY_METRICS_FIRST_RENDER", True),
        ("playerEmbedReportsApi", True),
        ("PageView", False),
        ("Purchase", False),
        ("add_to_cart", False),
    ],
)
def test_machinery_events(name: str, machinery: bool) -> None:
    assert is_machinery(name) is machinery


def test_an_event_name_in_an_events_list(json_body: Callable[..., DecodedRequest]) -> None:
    """X's pixel posts events=[["pageview", {}]]: list items carry the list's name."""
    found = detect_generic(json_body({"events": [["pageview", {}]], "type": "json"}))
    assert [(d.location, d.data_type) for d in found] == [("body > json:events[0][0]", "usage.interactions")]


def test_an_event_action_and_matomos_referrer(json_body: Callable[..., DecodedRequest]) -> None:
    """eventAction names what the user did; Matomo's tracking API names the referring page urlref."""
    found = detect_generic(json_body({"eventAction": "Download brochure", "urlref": "https://news.example/a"}))
    assert {(d.location.rsplit(":", 1)[1], d.data_type) for d in found} == {
        ("eventAction", "usage.interactions"),
        ("urlref", "browsing.history"),
    }
