"""Browser ids in cookies no adapter names: an id-naming cookie holding a generated id."""

from __future__ import annotations

import pytest

from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors.cookies import looks_like_browser_id, names_an_id


@pytest.mark.parametrize(
    "value",
    [
        "9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",  # UUID (tuuid, TapAd_DID, IMRID)
        "e096d4332e53962bca507efb1bdbeb00",  # 32 hex
        "29317785902678111717170745632888355047",  # a 38-digit number (Adobe's demdex)
        "J6FtX2bD4k9q1Zr7Yw3v8Lp0",  # a token mixing letters and digits (Index Exchange CMID)
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
    [(116, "cookie:CMID"), (121, "cookie:tuuid"), (122, "cookie:am-uid")],
)
def test_real_ad_tech_cookie_ids(external, entry: int, cookie: str) -> None:
    """9gag (ReportHAR): Index Exchange's CMID, Between Digital's tuuid, Admixer's am-uid on their cookie syncs."""
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
