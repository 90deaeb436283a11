"""Whose id: an account's, the browser's or device's, or the site's own (leafrules._user_or_browser_id,
requestrules.SiteAccounts), on the external corpus's real requests and on built ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.model import DecodedRequest, Detection

External = Callable[[str, int], Observation]
JsonBody = Callable[..., DecodedRequest]


def _ids(found: list[Detection]) -> dict[str, tuple[str, str]]:
    """Key (after the last colon) -> (data type, confidence) of every identifier."""
    return {
        d.location.rsplit(":", 1)[1]: (d.data_type, d.confidence)
        for d in found
        if d.data_type.startswith("identifiers.")
    }


@pytest.mark.parametrize(
    ("capture", "n", "key"),
    [
        ("healthexchange-colorado", 120, "uid"),  # StackAdapt pixel: saq_pxl?uid=<its browser id>
        ("healthexchange-nevada", 151, "user_id"),  # Bidswitch cookie sync: syncd?user_id=<UUID>
    ],
)
def test_a_tags_generated_user_id_is_the_browsers(external: External, capture: str, n: int, key: str) -> None:
    assert _ids(analyze(external(capture, n)))[key] == ("identifiers.device_id", "likely")


def test_a_random_number_stamped_with_its_time_is_the_browsers(external: External) -> None:
    """pagexray verizon, request 126: media.ascend.ai/candidates?uid=1619586456_1599559358."""
    assert _ids(analyze(external("pagexray-verizon", 126)))["uid"] == ("identifiers.device_id", "likely")


def test_a_uuid_named_the_clients_is_the_browsers_but_not_the_sessions(external: External) -> None:
    """9gag, request 64: Assertive Yield's /pageview (an LZ4 block of JSON) holds clientUUID,
    sessionUUID and pageViewUUID; only the first names the browser."""
    found = _ids(analyze(external("reporthar-9gag", 64)))
    assert found["clientUUID"] == ("identifiers.device_id", "likely")
    assert "sessionUUID" not in found and "pageViewUUID" not in found


def test_a_millisecond_time_is_no_id(external: External) -> None:
    """pagexray verizon, request 147: ForeSee's replay controller sends uid=1514906720133, a time."""
    assert _ids(analyze(external("pagexray-verizon", 147))) == {}


def test_a_math_random_number_under_an_id_name_is_no_id(external: External) -> None:
    """pagexray aftonbladet, request 81: an ad gateway's getAd?deviceid=0.8251692656672585, a
    Math.random() value drawn for the request."""
    assert "deviceid" not in _ids(analyze(external("pagexray-aftonbladet", 81)))


def test_an_ad_platforms_member_number_in_the_address_is_only_possibly_a_user(external: External) -> None:
    """pagexray aftonbladet, request 133: ib.adnxs.com/seg?member_id=2982&t=1 names AppNexus's
    customer (a seat), the same for every visitor."""
    assert _ids(analyze(external("pagexray-aftonbladet", 133)))["member_id"] == ("identifiers.user_id", "possible")


def test_a_user_id_beside_the_sites_configuration_is_the_sites_account(external: External) -> None:
    """healthexchange maryland, request 244: UserWay posts {"userId": 74531, "siteId": 981157, ...}."""
    found = _ids(analyze(external("healthexchange-maryland", 244)))
    assert found["userId"] == ("identifiers.user_id", "possible")


def test_an_apps_handle_in_a_body_is_the_accounts(json_body: JsonBody) -> None:
    assert _ids(detect_generic(json_body({"user_id": "user-4242", "event": "Symptom Logged"}))) == {
        "user_id": ("identifiers.user_id", "likely")
    }


def test_inside_a_user_object_any_id_is_the_accounts(json_body: JsonBody) -> None:
    found = _ids(detect_generic(json_body({"user": {"uid": "3f0c8a52-7d1e-4c55-9a4e-2b6f1d0e9c11"}})))
    assert found == {"user.uid": ("identifiers.user_id", "likely")}


def test_a_handle_in_a_tags_address_is_only_possible(json_body: JsonBody) -> None:
    [found] = detect_generic(json_body({"uid": "jdoe77"}, part="query"))
    assert (found.data_type, found.confidence) == ("identifiers.user_id", "possible")


def test_an_app_id_beside_the_users_handle_leaves_it_the_accounts(json_body: JsonBody) -> None:
    """App SDKs send their app id with every event; the user id beside it stays the user's."""
    found = _ids(
        detect_generic(json_body({"app_id": "5eb5a37e-b458-11e3-ac11-000c2940e62c", "external_user_id": "user-4242"}))
    )
    assert found["external_user_id"] == ("identifiers.user_id", "likely")
