"""Adapters applied to the real SDK captures and to hand-built requests."""

from __future__ import annotations

from collections.abc import Callable

from flowaudit.model import Observation
from flowaudit.payload.adapters import load_adapters
from flowaudit.payload.decode import decode_request
from flowaudit.payload.model import DecodedRequest, Leaf

Realworld = Callable[[str], list[Observation]]
JsonBody = Callable[..., DecodedRequest]


def test_requests_find_their_adapter_by_host_suffix_and_path() -> None:
    adapters = load_adapters()
    assert [a.vendor for a, _ in adapters.for_request("api-js.mixpanel.com", "/track/?verbose=1")] == ["mixpanel"]
    assert [a.vendor for a, _ in adapters.for_request("o1.ingest.us.sentry.io", "/api/42/envelope/")] == ["sentry"]
    assert [a.vendor for a, _ in adapters.for_request("graph.facebook.com", "/v26.0/1234/events")] == [
        "meta_conversions_api"
    ]
    assert adapters.for_request("evilmixpanel.com", "/track") == ()
    assert adapters.for_request("api.mixpanel.com", "/decide") == ()


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
