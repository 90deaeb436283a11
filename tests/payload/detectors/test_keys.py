"""Key paths and credential names, as the decoder writes locations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors import keys
from flowaudit.payload.detectors.keys import (
    CREDENTIAL_WORDS,
    fold,
    fold_ascii,
    key_path,
    leaf_name,
    may_name_credential,
    names_credential,
    parsed_names,
    path_names,
    shaped,
    under_credential,
    words,
)

EXTERNAL = Path(__file__).resolve().parents[2] / "corpus" / "external"


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


def test_every_credential_name_holds_a_credential_word() -> None:
    """What may_name_credential looks for: a name without one of these would be missed."""
    for name in (*keys._CREDENTIAL_NAMES, *keys._CREDENTIAL_ENDINGS):
        assert any(word.decode() in name for word in CREDENTIAL_WORDS), name


def test_folding_drops_all_but_letters_and_digits_and_lowers_them() -> None:
    """fold's meaning, written out as a regular expression: fold_ascii, and fold by it for ASCII
    names, must agree with it on every ASCII character; other names are folded by it."""
    every_ascii = "".join(map(chr, range(128)))
    assert fold(every_ascii) == fold_ascii(every_ascii).decode() == re.sub(r"[\W_]+", "", every_ascii).lower()
    assert fold_ascii("API_Key-x") == b"apikeyx"
    assert fold("Größe_Ärztin-ID") == "größeärztinid" and fold("ユーザー_ID") == "ユーザーid"


@pytest.mark.parametrize(
    "location",
    [
        "body > json:to_ken",  # separators inside a name: folded away
        "query:API-Key",
        "body > json:x > a[1]:Pass.Word",  # a key holding " > "
        'body > json:["secret"]',
        "body > json:t\u00f6ken",
        "body > json:tö·ken",  # not ASCII: parsed
        "header:Authorization",
        "header:Cookie",
        "body > json:x:y.token",  # a name holding a colon
        "json:a > b > query:Token",
    ],
)
def test_odd_locations_that_may_name_a_credential_are_parsed(location: str) -> None:
    assert may_name_credential(location)


@pytest.fixture(scope="module")
def locations() -> set[str]:
    """Every location of the external captures."""
    return {
        leaf.location
        for observation in open_inputs(sorted(str(path) for path in EXTERNAL.glob("*/capture.har")))
        for leaf in decode_request(observation).leaves
    }


@pytest.mark.parametrize("location", ["cookie:JSESSIONID", "body > json:events[0].name", "query:lang"])
def test_a_location_whose_names_hold_no_credential_word_is_not_parsed(location: str) -> None:
    assert not may_name_credential(location)  # "cookie:" is the part's kind, not a name


def test_the_shortcut_agrees_with_the_key_path_on_real_captures(locations: set[str]) -> None:
    """under_credential's shortcut (may_name_credential) gives what the key path gives, at
    every location of the external captures; most of them take it."""
    shortcuts = 0
    for location in locations:
        assert under_credential(location) == names_credential(key_path(location)), location
        shortcuts += not may_name_credential(location)
    assert any(under_credential(location) for location in locations)
    assert shortcuts > len(locations) * 0.9


@pytest.mark.parametrize(
    "path",
    [
        "events[0].threads[12].name",
        "a[0]b",
        "[3]",
        "[*].x",
        'x["a[1]"].y',
        "x[a[1]]",
        "x[[1]]",
        "ud[em]",
        "a..b.",
        "x]1[",
        "x[١]",  # an Arabic-Indic digit: a list position to \d
        "",
    ],
)
def test_names_of_odd_paths_are_cut_as_the_token_pattern_cuts_them(path: str) -> None:
    assert path_names(path) == parsed_names(path)


def test_names_of_real_paths_are_cut_as_the_token_pattern_cuts_them(locations: set[str]) -> None:
    for location in locations:
        for segment in location.split(" > "):
            path = segment.partition(":")[2]
            assert path_names(path) == parsed_names(path), path


@pytest.mark.parametrize(
    ("location", "shape"),
    [
        ("body > json:events[12].threads[3].name", "body > json:events[0].threads[0].name"),
        ("body > json:[7]", "body > json:[0]"),
        ("query:ud[em]", "query:ud[em]"),  # a bracketed key: not a shape
        ('body > json:x["a[1]"][2]', 'body > json:x["a[1]"][2]'),  # a quoted key holding a position
        ("body > json:x[a[1]][2]", "body > json:x[a[1]][2]"),
        ("body > json:x[*][2]", "body > json:x[*][2]"),
        ("body > json:a]1[2]", "body > json:a]1[0]"),
        ("header:Referer", "header:Referer"),
    ],
)
def test_a_shape_writes_every_list_position_alike(location: str, shape: str) -> None:
    assert shaped(location) == shape
    assert key_path(shape) == key_path(location)


_ODD_LOCATIONS = (
    "[",
    "]",
    "[]",
    "[01]",
    "[\u0663]",
    "[\u00b2]",
    "a[1][x]",
    '["a[0]"]',
    "[1]]",
    "[[1]",
    "[1][",
    "x[0]y[10]",
)


def test_a_shape_is_what_substituting_list_positions_gives(locations: set[str]) -> None:
    """shaped, without a regular expression, as its definition: every "[digits]" written "[0]",
    unless another bracket remains (then the location itself)."""
    for location in (*sorted(locations), *_ODD_LOCATIONS):
        shape = re.sub(r"\[\d+\]", "[0]", location)
        assert shaped(location) == (shape if shape.count("[") == shape.count("[0]") else location), location


def test_locations_have_the_key_path_of_their_shape(locations: set[str]) -> None:
    shapes = {shaped(location) for location in locations}
    for location in locations:
        assert key_path(shaped(location)) == key_path(location), location
    assert len(shapes) < len(locations) / 2  # list positions make most locations
