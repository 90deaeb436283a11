"""Which hosts ``--sinkhole third-party`` answers locally (the real catalog, no proxy)."""

from __future__ import annotations

import pytest

from flowaudit.capture.sinkhole import third_party_matcher


@pytest.mark.parametrize(
    ("host", "sinkholed"),
    [
        ("api.mixpanel.com", True),  # analytics: the tracker is not fed
        ("connect.facebook.net", True),
        ("www.recaptcha.net", False),  # security: sign-in forms need the CAPTCHA
        ("my-bucket.s3.amazonaws.com", False),  # hosting: the app's own content on a provider
        ("update.googleapis.com", False),  # platform: the browser's own traffic
        ("unknown-backend.example", False),  # unknown: may be the app's own backend
    ],
)
def test_third_party_sinkhole_spares_what_the_app_needs(host: str, sinkholed: bool) -> None:
    assert third_party_matcher(None)(host) is sinkholed
