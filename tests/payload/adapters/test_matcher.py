"""Adapters applied to the real SDK captures and to hand-built requests."""

from __future__ import annotations

from collections.abc import Callable

from flowaudit.model import Observation
from flowaudit.payload.adapters import Adapters, load_adapters, read_adapters
from flowaudit.payload.adapters.loader import adapter_files
from flowaudit.payload.adapters.matcher import _MAX_PLACES, _MAX_VERDICTS
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import DecodedRequest, Detection, Leaf

Realworld = Callable[[str], list[Observation]]
JsonBody = Callable[..., DecodedRequest]


def test_requests_find_their_adapter_by_host_suffix_and_path() -> None:
    adapters = load_adapters()
    assert [a.vendor for a, _ in adapters.for_request("api-js.mixpanel.com", "/track/?verbose=1")] == ["mixpanel"]
    assert [a.vendor for a, _ in adapters.for_request("o1.ingest.us.sentry.io", "/api/42/envelope/")] == ["sentry"]
    assert [a.vendor for a, _ in adapters.for_request("graph.facebook.com", "/v26.0/1234/events")] == [
        "meta_conversions_api",
        "facebook_cookies",  # any facebook.com request: its cookies, when the client holds them
    ]
    assert adapters.for_request("evilmixpanel.com", "/track") == ()
    assert adapters.for_request("api.mixpanel.com", "/decide") == ()


def test_adapters_read_from_files_are_read_only_for_the_hosts_requests_reach() -> None:
    """A small audit compiles the patterns of the vendors it meets, not all ~70 files',
    and what it finds is what the adapters read all at once find."""
    paths = adapter_files()
    lazy, eager = Adapters.from_files(paths), Adapters(read_adapters(paths))
    requests = [
        ("api-js.mixpanel.com", "/track/?verbose=1"),
        ("graph.facebook.com", "/v26.0/1234/events"),
        ("www.google-analytics.com", "/g/collect"),
        ("example.org", "/"),
    ]
    for host, path in requests:
        assert lazy.for_request(host, path) == eager.for_request(host, path)
    read = [adapter.vendor for adapter in lazy._files.values() if adapter is not None]
    assert "mixpanel" in read and "meta_conversions_api" in read
    assert 3 <= len(read) < len(paths) // 4
    assert lazy.adapters == eager.adapters  # asked for all, it reads the rest


def test_mixpanel_capture_certain_hits_and_the_token_is_a_secret(realworld: Realworld) -> None:
    track, engage = realworld("sdk/mixpanel/flows.mitm")
    result = load_adapters().match(decode_request(track), track.host, track.path)
    types = {d.location: (d.data_type, d.confidence) for d in result.detections}
    assert types["body > form:data > json:properties.$email"] == ("contact.email", "certain")
    assert types["body > form:data > json:properties.distinct_id"] == ("identifiers.user_id", "certain")
    assert types["body > form:data > json:event"] == ("usage.interactions", "certain")
    assert result.secrets == {"body > form:data > json:properties.token"}
    assert "body > form:data > json:properties.condition" in result.described
    profile = load_adapters().match(decode_request(engage), engage.host, engage.path)
    assert {d.data_type for d in profile.detections} == {"identifiers.user_id", "contact.email", "contact.name"}


def test_sentry_envelope_user_fields_and_one_crash(realworld: Realworld) -> None:
    (envelope,) = realworld("sdk/sentry/flows.mitm")
    result = load_adapters().match(decode_request(envelope), envelope.host, envelope.path)
    by_type = {}
    for detection in result.detections:
        by_type.setdefault(detection.data_type, []).append(detection)
    assert [d.location for d in by_type["contact.email"]] == ["body > br > envelope:line 3 > json:user.email"]
    assert len(by_type["diagnostics.crash"]) == 1  # `once`: not one per frame
    assert "header:X-Sentry-Auth" in result.secrets


def test_mixpanel_anonymous_distinct_id_is_a_device_id(realworld: Realworld) -> None:
    page_view = realworld("browser/mixpanel/flows.mitm")[3]
    result = load_adapters().match(decode_request(page_view), page_view.host, page_view.path)
    first = {
        d.data_type for d in result.detections if d.location == "body > form:data > json:[0].properties.distinct_id"
    }
    assert first == {"identifiers.device_id"}  # "$device:..." before identify()


def test_opt_out_signals_and_zero_advertising_id() -> None:
    decoded = DecodedRequest(
        (
            Leaf("body", "body > form:advertiser_tracking_enabled", ("form",), "advertiser_tracking_enabled", "0"),
            Leaf(
                "body", "body > form:advertiser_id", ("form",), "advertiser_id", "00000000-0000-0000-0000-000000000000"
            ),
            Leaf(
                "body",
                "body > form:ud > json:em",
                ("form", "json"),
                "em",
                "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
            ),
        ),
        (),
    )
    result = load_adapters().match(decoded, "graph.facebook.com", "/1234567890/activities")
    (opt_out,) = result.opt_outs
    assert opt_out.location == "body > form:advertiser_tracking_enabled" and opt_out.vendor == "facebook_app_events"
    by_type = {d.data_type: d for d in result.detections}
    assert "identifiers.advertising_id" not in by_type  # the opt-out value is no id sent
    assert "sha256" in by_type["contact.email"].how


def test_anchored_fields_ignore_nested_namesakes(json_body: JsonBody) -> None:
    decoded = json_body(
        {"batch": [{"type": "page", "name": "Home", "context": {"library": {"name": "analytics-python"}}}]}
    )
    result = load_adapters().match(decoded, "api.segment.io", "/v1/batch")
    assert [d.location for d in result.detections if d.data_type == "usage.interactions"] == [
        "body > json:batch[0].name"
    ]


def test_placeholders_and_wrong_formats_are_not_data(json_body: JsonBody) -> None:
    decoded = json_body({"user": {"ip_address": "{{auto}}", "id": "null", "email": "not an email"}})
    assert load_adapters().match(decoded, "o1.ingest.sentry.io", "/api/1/store/").detections == ()


def test_endpoint_level_carried_types() -> None:
    result = load_adapters().match(DecodedRequest((), ()), "app-measurement.com", "/a")
    assert {(d.data_type, d.confidence, d.part) for d in result.detections} == {
        ("usage.interactions", "certain", "url"),
        ("identifiers.device_id", "certain", "url"),
    }


def test_sibling_conditions_read_each_record_of_a_batch_apart() -> None:
    """GA4 sends several events in one body, one per line: only the purchase line's value is one."""
    lines = [("1", "en", "view_item"), ("1", "epn.value", "149"), ("2", "en", "purchase"), ("2", "epn.value", "20")]
    leaves = tuple(
        Leaf("body", f"body > lines:line {n} > form:{key}", ("lines", "form"), key, value) for n, key, value in lines
    )
    result = load_adapters().match(DecodedRequest(leaves, ()), "region1.google-analytics.com", "/g/collect")
    purchases = [d.location for d in result.detections if d.data_type == "financial.purchase"]
    assert purchases == ["body > lines:line 2 > form:epn.value"]
    assert ("body > lines:line 1 > form:epn.value", "financial.purchase") in result.ruled_out


def test_onesignal_ad_id_is_the_idfv_on_ios_and_the_advertising_id_on_android(json_body: JsonBody) -> None:
    """Shape of the players request of the OneSignal SDKs (device_type 0 = iOS, 1 = Android)."""
    types = {}
    for device_type in (0, 1):
        body = {
            "app_id": "8f1d4d2e-1111-4222-8333-444455556666",
            "device_type": device_type,
            "ad_id": "8D9B1E2A-3C4D-4E5F-8A9B-0C1D2E3F4A5B",
            "identifier": "c0ffee00c0ffee00c0ffee00",
        }
        result = load_adapters().match(json_body(body), "api.onesignal.com", "/players")
        types[device_type] = {d.data_type for d in result.detections if d.location == "body > json:ad_id"}
    assert types == {0: {"identifiers.device_id"}, 1: {"identifiers.advertising_id"}}


def test_clevertap_header_ids(json_body: JsonBody) -> None:
    """Shape of a CleverTap iOS SDK batch: the header (CleverTap id, IDFV as mt_ifv), then an event."""
    batch = [
        {
            "type": "meta",
            "g": "-a6f0c1b2d3e4f5a6b7c8d9e0f1a2b3c4",
            "tk": "000-000",
            "af": {"mt_ifv": "8D9B1E2A-3C4D-4E5F-8A9B-0C1D2E3F4A5B", "Build": "1"},
        },
        {"type": "event", "evtName": "App Launched", "evtData": {}},
    ]
    result = load_adapters().match(json_body(batch), "eu1.clevertap-prod.com", "/a1?os=iOS&t=50000&z=TEST")
    found = {(d.location, d.data_type) for d in result.detections}
    assert found == {
        ("body > json:[0].g", "identifiers.device_id"),
        ("body > json:[0].af.mt_ifv", "identifiers.device_id"),
        ("body > json:[1].evtName", "usage.interactions"),
    }
    assert result.secrets == {"body > json:[0].tk"}


def _fresh_match(decoded: DecodedRequest) -> tuple[Detection, ...]:
    """What adapters that have judged nothing yet find in a Segment batch."""
    return Adapters.from_files(adapter_files()).match(decoded, "api.segment.io", "/v1/batch").detections


def test_a_value_judged_once_is_placed_where_each_leaf_sits(json_body: JsonBody) -> None:
    """The verdict on a value is kept by value: the same id and email again, at other places of a
    batch and in a later request, are found at their own places, as by adapters judging them afresh."""
    adapters = Adapters.from_files(adapter_files())
    user = {"userId": "u-4f1c2a9e77", "traits": {"email": "jane.doe@example.org"}}
    requests = [
        json_body({"batch": [user]}),
        json_body({"batch": [{"event": "Opened"}, user, user]}),
        json_body({"batch": [user, {"event": "Closed"}]}),
    ]
    for decoded in requests:
        found = adapters.match(decoded, "api.segment.io", "/v1/batch").detections
        assert found == _fresh_match(decoded)
    located = {d.location for d in adapters.match(requests[1], "api.segment.io", "/v1/batch").detections}
    assert {"body > json:batch[1].userId", "body > json:batch[2].traits.email"} <= located


def test_verdicts_kept_stay_bounded_on_fresh_values(json_body: JsonBody) -> None:
    """A capture of fresh ids (one per event) keeps at most two generations of verdicts, and a value
    repeated at more places than are kept is still found at each of them."""
    adapters = Adapters.from_files(adapter_files())
    for n in range(3 * _MAX_VERDICTS):
        adapters.match(json_body({"batch": [{"userId": f"u-{n:08d}"}]}), "api.segment.io", "/v1/batch")
    kept = [values for generation in (adapters._verdicts, adapters._older_verdicts) for values in generation.values()]
    assert sum(map(len, kept)) <= 2 * _MAX_VERDICTS
    many = json_body({"batch": [{"userId": "u-4f1c2a9e77"}] * (2 * _MAX_PLACES)})
    for _ in range(2):
        found = adapters.match(many, "api.segment.io", "/v1/batch").detections
        assert found == _fresh_match(many)
        assert len({d.location for d in found}) == 2 * _MAX_PLACES
