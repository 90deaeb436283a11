"""Browser fingerprints: a hash the tag computed (leafrules._fingerprint_hash) and the attributes
fingerprinting scripts read, sent together (requestrules.Fingerprint); on the external corpus's
real requests and built values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.model import DecodedRequest

External = Callable[[str, int], Observation]
JsonBody = Callable[..., DecodedRequest]


def _fingerprints(obs: Observation) -> set[str]:
    return {d.location for d in analyze(obs) if d.data_type == "device.fingerprint" and d.confidence == "likely"}


@pytest.mark.parametrize(
    ("capture", "n", "location"),
    [
        ("healthexchange-nevada", 200, "query:bfp"),  # HubSpot __ptq.gif bfp=<32-bit hash>
        ("pagexray-expressen", 188, "query:fp"),  # Lystra tr.gif fp=<md5-length hex>
        ("pixelinspector-mylabbox", 7, "body > form:fprnt"),  # RevOffers _tr fprnt=<hex>
    ],
)
def test_a_hash_of_the_browser_is_a_fingerprint(external: External, capture: str, n: int, location: str) -> None:
    assert location in _fingerprints(external(capture, n))


def test_a_flag_named_fp_is_no_fingerprint(external: External) -> None:
    """pagexray expressen, request 191: PubMatic's PugMaster sends fp=0."""
    assert _fingerprints(external("pagexray-expressen", 191)) == set()


def test_googles_ad_request_attributes_together_are_a_fingerprint(external: External) -> None:
    """pagexray expressen, request 128: gampad/ads u_tz, u_h/u_w, u_cd, u_nplug=4, cookie_enabled=1."""
    assert len(_fingerprints(external("pagexray-expressen", 128))) == 1


def test_single_digit_counts_are_attributes_but_three_are_not_enough(json_body: JsonBody) -> None:
    three = json_body({"u_nplug": "4", "u_cd": "24", "u_tz": "-300"})
    assert not [d for d in detect_generic(three) if d.data_type == "device.fingerprint"]
    four = json_body({"u_nplug": "4", "u_cd": "24", "u_tz": "-300", "cookie_enabled": "1"})
    assert [d.data_type for d in detect_generic(four) if d.data_type == "device.fingerprint"] == ["device.fingerprint"]


def test_a_consent_banners_screen_and_locale_are_no_fingerprint(external: External) -> None:
    """healthexchange colorado, request 127: Enzuzo's analytics sends screen size, colour depth, language
    and deviceMemory; its label says no fingerprint (no hash, model or carrier): three attributes stay under
    the threshold, deviceMemory is no fingerprint attribute here."""
    assert _fingerprints(external("healthexchange-colorado", 127)) == set()


def test_canvas_webgl_touch_and_audio_are_fingerprint_attributes(json_body: JsonBody) -> None:
    """What fingerprinting scripts read beyond screen and locale (FingerprintJS's sources)."""
    found = detect_generic(
        json_body({"canvasHash": "9f3a1c", "webglRenderer": "ANGLE (Intel)", "maxTouchPoints": "0", "audio": "35.73"})
    )  # canvas and WebGL are one attribute: three in all
    assert not [d for d in found if d.data_type == "device.fingerprint"]
    found = detect_generic(json_body({"canvasHash": "9f3a1c", "maxTouchPoints": "0", "audio": "35.73", "tz": "-60"}))
    [fingerprint] = [d for d in found if d.data_type == "device.fingerprint"]
    assert fingerprint.how.startswith("4 device attributes")
