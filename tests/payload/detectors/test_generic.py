"""Generic detectors on the real captures (decoded by the real decoder) and on requests
built by hand for what the captures do not show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors import detect_generic, generic
from flowaudit.payload.detectors.keys import shaped
from flowaudit.payload.model import DecodedRequest, Detection, Leaf

REALWORLD = Path(__file__).resolve().parents[2] / "data" / "realworld"
Realworld = Callable[[str], list[Observation]]
JsonBody = Callable[..., DecodedRequest]


def found(decoded: DecodedRequest, *, at_least: str = "likely") -> dict[str, list[Detection]]:
    order = ("certain", "likely", "possible")
    by_type: dict[str, list[Detection]] = {}
    for detection in detect_generic(decoded):
        if order.index(detection.confidence) <= order.index(at_least):
            by_type.setdefault(detection.data_type, []).append(detection)
    return by_type


def test_mixpanel_email_and_health_with_path_and_decoding(realworld: Realworld) -> None:
    track = decode_request(realworld("sdk/mixpanel/flows.mitm")[0])
    hits = found(track)
    (email,) = hits["contact.email"]
    assert email.location == "body > form:data > json:properties.$email"
    assert email.decoding == ("form", "json")
    assert email.confidence == "likely" and email.excerpt == "j•••@example.com"
    assert email.value == "jane.doe@example.com"  # the full value, to spot it at another company
    health = {d.location: d for d in hits["health.health"]}
    assert "diabetes" in health["body > form:data > json:properties.condition"].how
    assert "glucose" in health["body > form:data > json:properties.glucose_mg_dl"].how


def test_credentials_are_never_data(realworld: Realworld) -> None:
    # Segment's Authorization: Basic <writeKey:>, Sentry's X-Sentry-Auth, Mixpanel's project token.
    for capture in ("sdk/segment/flows.mitm", "sdk/sentry/flows.mitm", "sdk/mixpanel/flows.mitm"):
        for obs in realworld(capture):
            for detection in detect_generic(decode_request(obs)):
                assert "Authorization" not in detection.location
                assert "X-Sentry-Auth" not in detection.location
                assert not detection.location.endswith(("token", "writeKey"))


def test_sentry_crash_is_one_detection_per_exception(realworld: Realworld) -> None:
    (envelope,) = realworld("sdk/sentry/flows.mitm")
    crash = found(decode_request(envelope))["diagnostics.crash"]
    assert len(crash) == 1 and "exception" in crash[0].how
    assert crash[0].decoding == ("br", "envelope", "json")


def test_browser_internal_update_check_is_a_fingerprint(realworld: Realworld) -> None:
    update = realworld("browser/mixpanel/flows.mitm")[1]
    assert update.host == "update.googleapis.com"
    (fingerprint,) = found(decode_request(update))["device.fingerprint"]
    assert "os" in fingerprint.how and "memory and storage" in fingerprint.how


def test_no_health_or_sensitive_term_in_captures_that_hold_none(realworld: Realworld) -> None:
    checked = 0
    for path in sorted((REALWORLD / "mitmproxy-testdata").rglob("*")):
        if path.suffix not in (".mitm", ".har", ".zhar"):
            continue
        try:
            flows = realworld(str(path.relative_to(REALWORLD)))
        except FlowauditError:
            continue  # the deliberately broken files
        for obs in flows:
            checked += 1
            for detection in detect_generic(decode_request(obs)):
                assert not detection.data_type.startswith(("health.", "sensitive.")), (obs.ref, detection)
    assert checked > 80


@pytest.mark.parametrize(
    "document",
    [
        {"idfa": "00000000-0000-0000-0000-000000000000"},
        {"advertiser_id": "00000000000000000000000000000000"},
        {"idfv": "00000000-0000-0000-0000-000000000000"},
        {"android_id": "0000000000000000"},
        {"device_id": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_all_zero_ids_are_no_id_sent(json_body: JsonBody, document: dict[str, str]) -> None:
    """The opt-out / no-id value identifies no one: the consent signals report it, not the id detectors."""
    assert not [d for d in detect_generic(json_body(document)) if d.data_type.startswith("identifiers.")]


def test_a_real_advertising_id_beside_a_zero_one_is_reported(json_body: JsonBody) -> None:
    hits = found(
        json_body({"idfa": "00000000-0000-0000-0000-000000000000", "gaid": "38400000-8cf0-11bd-b23e-10b96e40000d"})
    )
    [gaid] = hits["identifiers.advertising_id"]
    assert gaid.value == "38400000-8cf0-11bd-b23e-10b96e40000d"


def test_hashed_email_needs_an_email_key(json_body: JsonBody) -> None:
    digest = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"
    hits = found(json_body({"ud": {"em": digest}, "checksum": digest}))
    assert [d.location for d in hits["contact.email"]] == ["body > json:ud.em"]
    assert "sha256" in hits["contact.email"][0].how


def test_device_and_hardware_ids(json_body: JsonBody) -> None:
    hits = found(
        json_body(
            {
                "idfv": "599F9C00-92DC-4B5C-9464-7971F01F8370",
                "android_id": "9774d56d682e549c",
                "fid": "cB6Lq9uQTn2c0z6TnV4kPz",
                "context": {"device": {"token": "ff15bc0c20c4aa6cd50854ff165fd265c838e5405bfeb9571066395b8c9da449"}},
                "imei": "490154203237518",
                "wifi_mac": "a4:83:e7:12:34:56",
            }
        )
    )
    assert len(hits["identifiers.device_id"]) == 4
    assert len(hits["identifiers.hardware_id"]) == 2


def test_imei_without_a_key_is_only_possible(json_body: JsonBody) -> None:
    decoded = json_body({"x": "490154203237518"})
    assert "identifiers.hardware_id" not in found(decoded)
    assert [d.confidence for d in found(decoded, at_least="possible")["identifiers.hardware_id"]] == ["possible"]


def test_coordinates_pair_up_and_decimals_decide_precision(json_body: JsonBody) -> None:
    hits = found(
        json_body(
            {
                "geo": {"lat": 48.8566, "lng": 2.3522},
                "city_centre": {"latitude": 48.9, "longitude": 2.4},
                "ll": "48.85,2.35",
            }
        )
    )
    assert [d.location for d in hits["location.precise"]] == ["body > json:geo.lat"]
    assert sorted(d.location for d in hits["location.coarse"]) == ["body > json:city_centre.latitude", "body > json:ll"]


def test_ip_addresses_in_payloads_but_not_versions(json_body: JsonBody) -> None:
    hits = found(
        json_body({"client_ip": "203.0.113.9", "app_version": "1.2.3.4", "loopback": "127.0.0.1"}), at_least="possible"
    )
    assert [d.location for d in hits["network.ip_address"]] == ["body > json:client_ip"]


def test_purchase_search_and_page_url(json_body: JsonBody) -> None:
    hits = found(
        json_body(
            {
                "cd": {"value": "9.99", "currency": "EUR"},
                "search_term": "low sugar recipes",
                "page_location": "https://shop.example/diet/low-sugar",
                "notifier": {"url": "https://github.com/bugsnag/bugsnag-python"},
            }
        )
    )
    assert [d.location for d in hits["financial.purchase"]] == ["body > json:cd.value"]
    assert [d.location for d in hits["usage.search"]] == ["body > json:search_term"]
    assert [d.location for d in hits["browsing.history"]] == ["body > json:page_location"]


def test_a_currency_alone_is_no_purchase(json_body: JsonBody) -> None:
    assert "financial.purchase" not in found(json_body({"settings": {"currency": "EUR", "value": "dark"}}))


def test_user_ids_by_key_by_enclosing_object_and_in_rest_paths(json_body: JsonBody) -> None:
    hits = found(json_body({"user": {"id": "u-981", "name": "Jane Doe"}, "external_id": "crm-77"}))
    assert len(hits["identifiers.user_id"]) == 2 and len(hits["contact.name"]) == 1
    path = DecodedRequest(
        (
            Leaf("url", "url:path[0]", (), None, "api"),
            Leaf("url", "url:path[1]", (), None, "customers"),
            Leaf("url", "url:path[2]", (), None, "user-4242"),
        ),
        (),
    )
    (user,) = found(path)["identifiers.user_id"]
    assert user.location == "url:path[2]"


def test_stack_trace_text_is_crash_data(json_body: JsonBody) -> None:
    trace = "java.lang.IllegalStateException\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n\tat a.C.e(C.java:3)"
    (crash,) = found(json_body({"log": trace}))["diagnostics.crash"]
    assert "3 frames" in crash.how


def test_referer_header_is_only_possible(realworld: Realworld) -> None:
    page_view = decode_request(realworld("browser/mixpanel/flows.mitm")[3])
    header_hits = [d for d in detect_generic(page_view) if d.part == "header"]
    assert [(d.data_type, d.confidence) for d in header_hits] == [("browsing.history", "possible")]


@pytest.mark.parametrize("key", ["em", "email", "$email", "user_email", "emailAddress"])
def test_email_keys(json_body: JsonBody, key: str) -> None:
    assert found(json_body({key: "jane.doe@example.com"}))["contact.email"][0].confidence == "likely"


def test_skip_hides_locations_a_vendor_adapter_marked_secret(json_body: JsonBody) -> None:
    decoded = json_body({"signup_email": "jane.doe@example.com"})
    assert detect_generic(decoded, skip={"body > json:signup_email"}) == []


def test_a_leaf_seen_before_is_read_with_its_new_siblings(json_body: JsonBody) -> None:
    """What a leaf says alone is kept between requests; what it says with its siblings is not:
    the same ``name`` leaf is a person's name beside an email, and nothing without one, in
    whichever order the requests come, and the same ``siteId`` makes the same handle the
    site's account only where it sits beside it."""
    alone = json_body({"name": "Jane Doe", "plan": "basic"})
    beside = json_body({"name": "Jane Doe", "plan": "basic", "email": "jane.doe@example.com"})
    for _ in range(2):
        assert "contact.name" not in found(alone)
        assert "contact.name" in found(beside)
    user = json_body({"userId": "jane_doe"})
    site = json_body({"userId": "jane_doe", "siteId": "981157"})
    for _ in range(2):
        (own,) = found(user)["identifiers.user_id"]
        (account,) = found(site, at_least="possible")["identifiers.user_id"]
        assert own.confidence == "likely" and account.confidence == "possible"


EXTERNAL = Path(__file__).resolve().parents[2] / "corpus" / "external"
# Plain tokens of every kind _plain_token takes: numbers, a date, hashes, UUIDs.
_TOKENS = (
    "0",
    "1",
    "90",
    "1795000780",
    "1795002983563",
    "2026-12-03",
    "123456789012345678",
    "a01c1cc55693d52c",
    "a01c1cc55693d52c838870483cb0301a",
    "d4d1502d-473a-4be6-b759-1088941f9121",
    "DEADBEEF00000000CAFE",
)


@pytest.mark.parametrize("capture", ["reporthar-9gag-interaction", "pagexray-nytimes", "coach-ryanair"])
def test_a_plain_token_is_judged_as_every_check_would(capture: str) -> None:
    """The shortcut for plain tokens (generic._plain_token) gives what the checks one by one give,
    at every place of real captures: ad beacons, prices, timings, device attributes, headers, paths."""
    places: dict[tuple[str, str, tuple[str, ...], str | None], Leaf] = {}
    for observation in open_inputs([str(EXTERNAL / capture / "capture.har")]):
        for leaf in decode_request(observation).leaves:
            places.setdefault(leaf[:4], leaf)
    shortcuts = 0
    for where, leaf in places.items():
        place = generic._place(where)
        if place is None:
            continue
        for token in _TOKENS:
            assert generic._plain_token(token)
            judged = generic._judge(leaf._replace(value=f" {token} "))
            assert judged == generic._judge_value(leaf, place, token), (where, token)
            shortcuts += place.token is not None
    assert shortcuts > len(_TOKENS) * len(places) / 2  # most places take the shortcut


def test_a_place_is_read_as_at_its_own_location() -> None:
    """A place read once for its shape (generic._shape_place) reads as it does alone
    (generic._place_at), at every place of the external captures, in order."""
    shared = 0
    places: dict[tuple[str, str, tuple[str, ...], str | None], None] = {}
    for observation in open_inputs(sorted(str(path) for path in EXTERNAL.glob("*/capture.har"))):
        for leaf in decode_request(observation).leaves:
            places.setdefault(leaf[:4])
    for where in places:
        place = generic._place(where)
        assert place == generic._place_at(where), where
        part, location, decoding, key = where
        if shaped(location) != location:
            shared += generic._shape_place((part, shaped(location), decoding, key)) is not generic._LOCATED
    assert shared > len(places) / 2


@pytest.mark.parametrize(
    "value",
    [
        "-1",
        "1.5",
        "123456789012345",
        "12345678901234567",
        "deadbeefcafebabe",
        "ab12",
        "+123",
        "١٢٣",
        "1 2",
        "12/3",
        "a-1",
    ],
)
def test_values_that_a_check_may_read_are_no_plain_tokens(value: str) -> None:
    assert not generic._plain_token(value)


def _kept() -> int:
    """Spots and verdicts the verdict cache holds now, in both generations."""
    spots = [spot for kept in (generic._SPOTS.recent, generic._SPOTS.older) for spot in kept.values()]
    verdicts = {id(kept): kept for spot in spots for kept in (spot.verdicts, spot.earlier)}
    return len(spots) + sum(map(len, verdicts.values()))


def test_a_kept_verdict_is_what_a_fresh_judgment_gives_at_every_place() -> None:
    """The verdict cache (generic._verdict, by location then value) gives what judging the leaf
    afresh (generic._judge) gives, at every leaf of the external captures, twice over, the
    second time from the cache: the same value at another place has that place's detections."""
    leaves = [
        leaf
        for observation in open_inputs(sorted(str(path) for path in EXTERNAL.glob("*/capture.har")))
        for leaf in decode_request(observation).leaves
    ]
    repeated = 0
    for _ in range(2):
        for leaf in leaves:
            kept = generic._SPOTS.recent.get(leaf.location)
            repeated += kept is not None and (leaf.value in kept.verdicts or leaf.value in kept.earlier)
            assert generic._verdict(leaf) == generic._judge(leaf), leaf
    assert repeated > len(leaves) / 2


def test_a_location_met_with_another_key_or_decoding_is_judged_there() -> None:
    """One location, leaves of other places (key, decoding, part): each verdict names its own leaf's."""
    location = "body > json:signup.email"
    leaves = [
        Leaf("body", location, ("json",), "email", "jane.doe@example.com"),
        Leaf("body", location, ("gzip", "json"), "email", "jane.doe@example.com"),
        Leaf("body", location, ("json",), "mail", "jane.doe@example.com"),
        Leaf("query", location, ("json",), "email", "jane.doe@example.com"),
        Leaf("body", location, ("json",), "email", "jane.doe@example.com"),
    ]
    for leaf in leaves * 2:
        verdict = generic._verdict(leaf)
        assert verdict == generic._judge(leaf)
        assert verdict is not None and verdict.found
        assert {(d.part, d.decoding) for d in verdict.found} == {(leaf.part, leaf.decoding)}


def test_the_verdict_cache_stays_bounded_on_fresh_values_and_places() -> None:
    """New values (none a plain token) at one place and at ever new places: the cache keeps at
    most two generations, while a value met again in between is still found."""
    limit = 2 * generic._KEPT
    hot = Leaf("body", "body > json:event", ("json",), "event", "page_view")
    for n in range(3 * generic._KEPT):
        generic._verdict(Leaf("body", "body > json:note", ("json",), "note", f"note {n}"))
        generic._verdict(Leaf("body", f"body > json:k{n}", ("json",), f"k{n}", f"value {n}"))
        if n % 1000 == 0:
            generic._verdict(hot)
        assert _kept() <= limit
    spot = generic._SPOTS.recent.get(hot.location) or generic._SPOTS.older[hot.location]
    assert hot.value in spot.verdicts
    assert generic._NONE_EARLIER == {}
    long_value = "x" * (generic._CACHED_VALUE + 1)
    generic._verdict(hot._replace(value=long_value))
    assert long_value not in generic._SPOTS.recent[hot.location].verdicts
