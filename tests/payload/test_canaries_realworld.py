"""Issue 3's Done-when for canaries, on the real SDK captures (tests/data/realworld/README.md):
with ``jane.doe@example.com`` planted, each capture reports the email with its JSON path and the
decoding chain that led there; captures without the test user report nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowaudit.declaration.model import Canaries, CustomCanary
from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.decode import decode_request

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
EMAIL_ONLY = CanaryMatcher(Canaries(email="jane.doe@example.com"))


def _email_hits(capture: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(flow index, location, decoding) of every email detection in a capture."""
    hits = []
    for obs in open_inputs([str(REALWORLD / capture)]):
        for d in EMAIL_ONLY.scan(decode_request(obs)):
            assert (d.data_type, d.confidence, d.detector, d.value) == (
                "contact.email",
                "certain",
                "canary",
                "jane.doe@example.com",
            )
            assert d.how == "the email canary"
            hits.append((obs.index, d.location, d.decoding))
    return hits


def test_sdk_mixpanel() -> None:
    assert _email_hits("sdk/mixpanel/flows.mitm") == [
        (1, "body > form:data > json:properties.$email", ("form", "json")),
        (2, "body > form:data > json:$set.$email", ("form", "json")),
    ]


def test_sdk_segment() -> None:
    assert _email_hits("sdk/segment/flows.mitm") == [
        (1, "body > json:batch[0].traits.email", ("json",)),
        (2, "body > json:batch[0].properties.email", ("json",)),
    ]


def test_sdk_sentry_brotli() -> None:
    envelope = ("br", "envelope", "json")
    assert _email_hits("sdk/sentry/flows.mitm") == [
        # the SDK's source context quotes the line of app code that set the user ...
        (1, "body > br > envelope:line 3 > json:exception.values[0].stacktrace.frames[0].pre_context[2]", envelope),
        # ... and the event carries the user
        (1, "body > br > envelope:line 3 > json:user.email", envelope),
    ]


def test_browser_mixpanel() -> None:
    assert _email_hits("browser/mixpanel/flows.mitm") == [
        (4, "body > form:data > json:[2].properties.$email", ("form", "json")),
        (5, "body > form:data > json:[1].$set.$email", ("form", "json")),
    ]


@pytest.mark.parametrize(
    "capture", ["sdk/mixpanel", "sdk/segment", "sdk/sentry", "sdk/sentry-gzip", "browser/mixpanel"]
)
def test_har_and_mitm_of_the_same_traffic_agree(capture: str) -> None:
    def places(fmt: str) -> list[str]:
        # HAR bodies are stored decoded: the same places, without the compression step
        return [
            loc.replace("body > br > ", "body > ").replace("body > gzip > ", "body > ")
            for _, loc, _ in _email_hits(f"{capture}/flows.{fmt}")
        ]

    assert places("har") == places("mitm") != []


def test_every_planted_value_in_the_sdk_captures() -> None:
    matcher = CanaryMatcher(
        Canaries(
            email="jane.doe@example.com",
            name="Jane Doe",
            custom=(
                CustomCanary("condition", "type 2 diabetes", None, 1),
                CustomCanary("user", "user-4242", "identifiers.user_id", 2),
            ),
        )
    )
    found: dict[str, set[str]] = {}
    for capture in ("sdk/mixpanel", "sdk/segment", "sdk/sentry", "browser/mixpanel"):
        for obs in open_inputs([str(REALWORLD / capture / "flows.mitm")]):
            for d in matcher.scan(decode_request(obs)):
                found.setdefault(capture, set()).add(d.data_type)
    health_and_ids = {"contact.email", "health.health", "identifiers.user_id"}
    assert found == {
        "sdk/mixpanel": health_and_ids | {"contact.name"},
        "sdk/segment": health_and_ids | {"contact.name"},
        "sdk/sentry": health_and_ids,
        "browser/mixpanel": health_and_ids | {"contact.name"},
    }


def test_no_detection_in_traffic_without_the_test_user() -> None:
    """mitmproxy's own test data (browsers, ad auctions, Chrome sync): none of these values is in it."""
    matcher = CanaryMatcher(
        Canaries(
            email="jane.doe@example.com",
            phone="+15550100",
            name="Jane Doe",
            location=(48.8566, 2.3522),
            advertising_id="38400000-8cf0-11bd-b23e-10b96e40000d",
            custom=(CustomCanary("condition", "type 2 diabetes", None, 1),),
        )
    )
    flows = 0
    for path in sorted((REALWORLD / "mitmproxy-testdata").rglob("*")):
        if path.suffix not in (".mitm", ".har"):
            continue
        try:
            observations = list(open_inputs([str(path)]))
        except FlowauditError:
            continue  # the deliberately broken files
        for obs in observations:
            flows += 1
            assert matcher.scan(decode_request(obs)) == [], obs.ref
    assert flows > 80
