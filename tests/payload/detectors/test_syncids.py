"""Browser ids in a tracker's address: id-named parameters and ids in the path of a sync URL."""

from __future__ import annotations

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze_decoded
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import Detection


def _ids(obs: Observation, *, tracker: bool = True) -> dict[str, Detection]:
    """Device ids found in the request's address, by place."""
    found = analyze_decoded(decode_request(obs), obs.host, obs.path, tracker=tracker)
    return {d.location: d for d in found if d.data_type == "identifiers.device_id" and d.part in ("query", "url")}


def _request(host: str, path: str) -> Observation:
    return Observation(
        ref="t#1", source="t", index=1, kind="http", method="GET", scheme="https", host=host, port=443, path=path
    )


@pytest.mark.parametrize(
    ("capture", "entry", "location"),
    [
        ("healthexchange-nevada", 113, "query:anid"),  # match.adsrvr.org/track/cmf/appnexus: AppNexus's id
        ("healthexchange-nevada", 240, "query:partner_device_id"),  # pixel.tapad.com/idsync/ex/receive
        ("healthexchange-nevada", 243, "query:xuid"),  # eb2.3lift.com/xuid
        ("healthexchange-nevada", 244, "query:dspCookie"),  # s.ad.smaato.net/c: the DSP's cookie handed on
        ("healthexchange-nevada", 245, "query:sifi_uid"),  # aa.agkn.com/adscores/g.pixel
        ("healthexchange-nevada", 250, "query:simid"),  # loadm.exelator.com/load
        ("healthexchange-nevada", 255, "query:partner_uid"),  # idsync.rlcdn.com
        ("healthexchange-nevada", 253, "url:path[3] > form:tpid"),  # bcp.crwdcntrl.net/map/c=…/tp=SIMP/tpid=<id>
        ("healthexchange-nevada", 242, "url:path[2]"),  # sync.1rx.io/usersync/simplifi/<id>
        ("healthexchange-nevada", 278, "url:path[1]"),  # sync.targeting.unrulymedia.com/csync/RX-<id>
        ("healthexchange-colorado", 123, "query:ttd_tdid"),  # match.adsrvr.org/track/cmf/google
        ("pagexray-nytimes", 178, "query:id"),  # tags.w55c.net/rs
        ("healthexchange-nevada", 254, "query:3pid"),  # ce.lijit.com/merge?pid=2&3pid=<id>
        ("pagexray-nytimes", 299, "query:google_gid"),  # um.simpli.fi/gp_match: Google's id, base64 with 2 digits
    ],
)
def test_real_cookie_sync_ids(external, capture: str, entry: int, location: str) -> None:
    found = _ids(external(capture, entry))
    assert location in found
    detection = found[location]
    assert (detection.confidence, detection.detector) == ("likely", "generic:sync_id")
    assert detection.value is not None and detection.excerpt != detection.value  # masked in every output


def test_a_documented_sync_field_is_the_adapters(external) -> None:
    """Equativ's partneruserid (rtb-csync.smartadserver.com/redir) is a field its adapter documents: certain."""
    detection = _ids(external("pagexray-nytimes", 226))["query:partneruserid"]
    assert (detection.confidence, detection.detector) == ("certain", "adapter:equativ")


def test_evidence_names_the_parameter(external) -> None:
    detection = _ids(external("healthexchange-nevada", 240))["query:partner_device_id"]
    assert "'partner_device_id'" in detection.how
    assert detection.excerpt.endswith("(32 chars)")


def test_only_for_trackers(external) -> None:
    """The same address sent to a recipient that is no ad-tech or analytics company says nothing here."""
    assert "query:partner_device_id" not in _ids(external("healthexchange-nevada", 240), tracker=False)


def test_partner_and_page_ids_beside_the_browser_id(external) -> None:
    """pixel.tapad.com's partner_id=2305, lijit's pid=2 and 3lift's mid=7969 name the partner, not the browser."""
    assert "query:partner_id" not in _ids(external("healthexchange-nevada", 240))
    assert "query:pid" not in _ids(external("healthexchange-nevada", 254))
    assert "query:mid" not in _ids(external("healthexchange-nevada", 243))


@pytest.mark.parametrize(
    ("capture", "entry", "location"),
    [
        ("healthexchange-nevada", 84, "query:sdkid"),  # analytics.tiktok.com: the pixel's code
        ("healthexchange-maryland", 155, "query:pids"),  # tr.snapchat.com: the pixel ids
        ("healthexchange-maryland", 152, "query:u_sclid"),  # tr.snapchat.com: the ad click's id
        ("healthexchange-maryland", 177, "query:id"),  # www.facebook.com/tr/: the Meta pixel's 16-digit id
    ],
)
def test_real_setup_ids_are_not_browser_ids(external, capture: str, entry: int, location: str) -> None:
    obs = external(capture, entry)
    assert location.partition(":")[2] + "=" in obs.path  # the parameter is there
    assert location not in _ids(obs)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/sync?uid=9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e", "query:uid"),
        ("/p?visitor_uuid=e096d4332e53962bca507efb1bdbeb00", "query:visitor_uuid"),
        ("/p?buyer_cookie=J6FtX2bD4k9q1Zr7Yw3v8Lp0", "query:buyer_cookie"),
        ("/p?anid=6110815602557976192", "query:anid"),  # a random 64-bit number
        ("/usersync/partner/J6FtX2bD4k9q1Zr7Yw3v8Lp0", "url:path[2]"),
        ("/map/tp=X/tpid=J6FtX2bD4k9q1Zr7Yw3v8Lp0", "url:path[2] > form:tpid"),  # a ...pid in a sync URL
    ],
)
def test_browser_ids(path: str, location: str) -> None:
    assert location in _ids(_request("px.tracker.example", path))


@pytest.mark.parametrize(
    "path",
    [
        "/p?site_id=9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",  # the site's
        "/p?campaignId=J6FtX2bD4k9q1Zr7Yw3v8Lp0",
        "/p?pixel_id=e096d4332e53962bca507efb1bdbeb00",
        "/p?partner_id=J6FtX2bD4k9q1Zr7Yw3v8Lp0",
        "/p?pid=J6FtX2bD4k9q1Zr7Yw3v8Lp0",  # a partner's or pixel's id outside a sync URL
        "/p?_kpid=49450ce8-593c-479a-ba21-0f5a1994aeb8",
        "/p?pageid=9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",  # one page load's
        "/p?request_id=9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",
        "/p?session_id=9adf3c4e-5b1c-4c2b-9d7e-0f6a1b2c3d4e",
        "/p?visitor_id_sign=b7975c40705b06bf2ba1545023d4713c34be6b7e",  # a signature of the id
        "/p?u_sclid=4415732e-8210-43d9-81a0-dc75f24ee7e8",  # a click id: the ad's
        "/p?id=1197773654224773",  # a 16-digit number: Meta's pixel ids are so long
        "/p?uid=1693313898123",  # a timestamp
        "/p?uid=%24%7BUID%7D",  # an unfilled macro: ${UID}
        "/p?uid=00000000-0000-0000-0000-000000000000",
        "/p?uid=da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1 of nothing
        "/p?cb=J6FtX2bD4k9q1Zr7Yw3v8Lp0&ord=6110815602557976192",  # cache busters name no id
        "/pixel/J6FtX2bD4k9q1Zr7Yw3v8Lp0",  # a path id where nothing says the URL syncs ids
    ],
)
def test_not_browser_ids(path: str) -> None:
    assert _ids(_request("px.tracker.example", path)) == {}
