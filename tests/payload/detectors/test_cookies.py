"""Browser ids in cookies no adapter names: an id-naming cookie holding a generated id."""

from __future__ import annotations

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze, analyze_decoded
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors.cookies import looks_like_browser_id, names_an_id


@pytest.mark.parametrize(
    "value",
    [
        "9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",  # UUID (tuuid, TapAd_DID, IMRID)
        "e096d4332e53962bca507efb1bdbeb00",  # 32 hex
        "29317785902678111717170745632888355047",  # a 38-digit number (Adobe's demdex)
        "J6FtX2bD4k9q1Zr7Yw3v8Lp0",  # a token mixing letters and digits (Index Exchange CMID)
        "-1312738241105996031",  # a signed 64-bit number (Dynamic Yield's DYID)
    ],
)
def test_generated_ids(value: str) -> None:
    assert looks_like_browser_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "CheckForPermission",  # doubleclick test_cookie: a word
        "1693313898",  # a timestamp
        "1693313898123",
        "en-US",
        "NO_DATA",
        "0000000000000000",  # one repeated character
        "-1693313898",  # a signed number too short for a random one
        "isGpcEnabled=0&datestamp=Fri+Sep+01",  # a consent string
        "a" * 300,
    ],
)
def test_not_ids(value: str) -> None:
    assert not looks_like_browser_id(value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CMID", True), ("tuuid", True), ("TapAd_DID", True), ("lr_uid", True), ("id5", True), ("visitor-id", True)]
    + [("b", False), ("AEC", False), ("test_cookie", False), ("lang", False), ("idle", False)],
)
def test_names_that_announce_an_id(name: str, expected: bool) -> None:
    assert names_an_id(name) is expected


@pytest.mark.parametrize(
    ("entry", "cookie"),
    [(121, "cookie:tuuid"), (122, "cookie:am-uid")],
)
def test_real_ad_tech_cookie_ids(external, entry: int, cookie: str) -> None:
    """9gag (ReportHAR): Between Digital's tuuid, Admixer's am-uid on their cookie syncs (Index Exchange's
    CMID is its adapter's, certain)."""
    hits = [
        (d.data_type, d.confidence)
        for d in analyze(external("reporthar-9gag-interaction", entry))
        if d.location == cookie
    ]
    assert hits == [("identifiers.device_id", "likely")]


def test_cookies_an_adapter_names_are_its_own(external) -> None:
    """facebook.com's datr is documented: certain, from the adapter, not a second generic hit."""
    datr = [d for d in analyze(external("pixelinspector-oraquick", 12)) if d.location == "cookie:datr"]
    assert [(d.confidence, d.detector) for d in datr] == [("certain", "adapter:facebook_cookies")]


def _cookie_ids(obs: Observation, *, tracker: bool) -> dict[str, str]:
    """Cookie device ids found in a request: location -> how."""
    found = analyze_decoded(decode_request(obs), obs.host, obs.path, tracker=tracker)
    return {d.location: d.how for d in found if d.data_type == "identifiers.device_id" and d.part == "cookie"}


@pytest.mark.parametrize(
    ("capture", "entry", "location"),
    [
        ("reporthar-9gag-interaction", 118, "cookie:g"),  # creativecdn.com (RTB House) g=<token>_<time>
        ("pagexray-nytimes", 305, "cookie:d"),  # pixel.quantserve.com d=<base64 token>
        ("pagexray-nytimes", 305, "cookie:mc"),  # and mc=<hex groups>
    ],
)
def test_a_trackers_cookie_needs_no_id_name(external, capture: str, entry: int, location: str) -> None:
    obs = external(capture, entry)
    assert "ad-tech or analytics company" in _cookie_ids(obs, tracker=True)[location]
    assert location not in _cookie_ids(obs, tracker=False)  # elsewhere a bare name says nothing


def test_an_id_in_a_field_of_an_id_cookie(external) -> None:
    """ads.rubiconproject.com ruid=<30 hex>^1^<time>^<n>, id5-sync.com id5=<uuid>#<time>#1: id cookies
    whatever the recipient."""
    assert "cookie:ruid" in _cookie_ids(external("pagexray-expressen", 142), tracker=False)
    assert "cookie:id5" in _cookie_ids(external("reporthar-9gag", 109), tracker=False)


def test_an_id_field_of_a_cookie_holding_json(external) -> None:
    """ryanair (sitespeedio/coach), request 239: dynamic.cannedbanners.com's cookie
    cannedbanners_dynamic={"id": "<26 hex>"}, whatever the recipient."""
    found = _cookie_ids(external("coach-ryanair", 239), tracker=False)
    assert "cookie:cannedbanners_dynamic > json:id" in found


def test_a_session_field_of_a_json_cookie_is_no_browser_id() -> None:
    obs = _get("widget.example.net", "/tag", f'w={{"sessionId":"{"7f3c9e2a" * 4}","visitorId":"{"c81e728d" * 4}"}}')
    found = _cookie_ids(obs, tracker=False)
    assert "cookie:w > json:visitorId" in found and "cookie:w > json:sessionId" not in found


def test_the_session_cookie_beside_it_is_not_reported(external) -> None:
    """static.dynamicyield.com: DYID=<signed 64-bit number> is the visitor id; DYSES (session) is not."""
    found = _cookie_ids(external("pagexray-nytimes", 168), tracker=True)
    assert "cookie:DYID" in found and "cookie:DYSES" not in found


@pytest.mark.parametrize(
    "header",
    [
        "euconsent-v2=CPzHq4APzHq4AAHABBENDeCsAP_AAH_AAAqIJNNf_X__b3_j-_59f_t0eY1P9_7_v-0zjhfdt-8N2f_X_L8X42M7vF36pq4KuR4Eu3LBIQdlHOHcTUmw6okVrzPsbk2cr7NKJ7PEmnMbO2dYGH9_n93TuZKY7_____7z_v-v_v____f_7-3_3__5_3---_e_V_99zLv9____39nP___9v-_9_3________",
        "AWSALB=H2Wv1mUQ2m8v8L5sG0x0ZxkJ3yRkz5cQ8aXf4bT7e9P1",
        "__cf_bm=4eFhJ2Jk8QmX9rT1zY0pW3sV6uN5bC7dA2fG8hK1lM0-1714696763-1.0.1.1",
        "ts=1714696763",
    ],
)
def test_consent_infrastructure_and_times_are_no_ids(header: str) -> None:
    assert _cookie_ids(_get("creativecdn.com", "/cm-notify?pi=admixer", header), tracker=True) == {}


def _get(host: str, path: str, cookie: str) -> Observation:
    """A GET over HTTPS sending this Cookie header."""
    return Observation(
        ref="t#1",
        source="t",
        index=1,
        kind="http",
        method="GET",
        scheme="https",
        host=host,
        port=443,
        path=path,
        request_headers=(("Cookie", cookie),),
    )
