"""Issue 3's Done-when on the real captures: decode, canaries, adapters and generic
detectors together, with and without ``jane.doe@example.com`` declared as a canary."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowaudit.declaration.model import Canaries
from flowaudit.inputs import open_inputs
from flowaudit.payload.analyze import analyze
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.model import Detection

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
EMAIL_CANARY = CanaryMatcher(Canaries(email="jane.doe@example.com"))
CAPTURES = ["sdk/mixpanel", "sdk/segment", "sdk/sentry", "browser/mixpanel"]


def detections(capture: str, matcher: CanaryMatcher | None) -> list[Detection]:
    found: list[Detection] = []
    for obs in open_inputs([str(REALWORLD / capture / "flows.mitm")]):
        found.extend(analyze(obs, matcher))
    return found


@pytest.mark.parametrize("capture", CAPTURES)
def test_email_user_id_and_health_with_the_email_canary(capture: str) -> None:
    found = detections(capture, EMAIL_CANARY)
    emails = [d for d in found if d.data_type == "contact.email"]
    assert any(d.confidence == "certain" and d.detector == "canary" for d in emails)
    assert all(d.location and d.decoding for d in emails)  # the JSON path and the decoding chain
    assert any(d.data_type == "identifiers.user_id" and d.confidence == "certain" for d in found)
    health = [d for d in found if d.data_type == "health.health"]
    assert health and all(d.decoding[-1] == "json" for d in health)


@pytest.mark.parametrize("capture", CAPTURES)
def test_email_and_health_still_found_without_canaries(capture: str) -> None:
    found = detections(capture, None)
    assert any(d.data_type == "contact.email" and d.confidence in ("certain", "likely") for d in found)
    assert any(d.data_type == "health.health" and d.confidence == "likely" for d in found)
    assert not any(d.detector == "canary" for d in found)


def test_sentry_brotli_envelope_chain() -> None:
    found = detections("sdk/sentry", EMAIL_CANARY)
    (user_email,) = [d for d in found if d.location.endswith("json:user.email") and d.detector == "canary"]
    assert user_email.decoding == ("br", "envelope", "json")


def test_one_detection_per_place_and_type_the_strongest() -> None:
    found = detections("sdk/mixpanel", EMAIL_CANARY)
    places = [(d.location, d.data_type) for d in found]
    assert len(places) == len(set(places))
    email_field = [d for d in found if d.location == "body > form:data > json:properties.$email"]
    assert [d.confidence for d in email_field] == ["certain"]


def test_credentials_are_not_reported_even_by_canaries() -> None:
    # Segment's write key rides in Authorization: Basic; no detection may point there.
    found = detections("sdk/segment", EMAIL_CANARY)
    assert not [d for d in found if "Authorization" in d.location or d.location.endswith("writeKey")]
