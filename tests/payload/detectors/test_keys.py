"""Key paths and credential names, as the decoder writes locations."""

from __future__ import annotations

import pytest

from flowaudit.payload.detectors.keys import fold, key_path, leaf_name, under_credential, words


def test_key_path_drops_codec_steps_and_list_positions() -> None:
    assert key_path("body > form:data > json:[0].properties.$email") == ("data", "properties", "$email")
    assert key_path("body > br > envelope:line 3 > json:user.email") == ("line 3", "user", "email")
    assert key_path("query:ud[em]") == ("ud", "em")  # a bracketed form key is a nested key
    assert key_path("body > form:custom_events > json:[0]._eventName") == ("custom_events", "_eventName")
    assert key_path("header:X-Sentry-Auth") == ("X-Sentry-Auth",)


def test_names_fold_across_spellings() -> None:
    assert fold("$user_id") == fold("userId") == fold("USER-ID") == "userid"
    assert leaf_name("ud[em]") == "em" and leaf_name("ep.search_term") == "search_term"
    assert words("location_lat") == words("locationLat") == ("location", "lat")


@pytest.mark.parametrize(
    "location",
    [
        "header:Authorization",
        "header:Authorization > jwt > json:email",  # a bearer token's claims are still the credential
        "header:X-Sentry-Auth",
        "query:access_token",
        "body > json:api_key",
        "body > json:writeKey",
        "body > form:data > json:properties.token",
    ],
)
def test_credentials_are_recognised(location: str) -> None:
    assert under_credential(location)


@pytest.mark.parametrize(
    "location",
    [
        "body > json:context.device.token",  # Segment's push token: a device id, not a credential
        "body > json:push_token",
        "body > json:fcm_token",
        "body > json:keyword",  # a search term
        "body > json:signup_email",
        "body > json:properties.$email",
    ],
)
def test_data_is_not_taken_for_a_credential(location: str) -> None:
    assert not under_credential(location)
