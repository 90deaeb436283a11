"""Text from a capture is made valid Unicode where it enters (lone surrogates replaced, never dropped)."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from flowaudit.model import _OBSERVATION_TEXT, Observation
from flowaudit.safetext import JsonTooDeep, parse_json, safe_text


def test_lone_surrogates_are_replaced_and_the_rest_kept() -> None:
    assert safe_text("a\ud83db\udcffc") == "a\ufffdb\ufffdc"
    assert safe_text("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"
    safe_text("a\ud83d").encode("utf-8")  # writable


def test_json_with_half_an_emoji_parses_to_valid_text() -> None:
    value = parse_json('{"name": "\\ud83d", "pair": "\\ud83d\\ude00", "lit": "\\\\ud83d"}')
    assert value == {"name": "\ufffd", "pair": "\U0001f600", "lit": "\\ud83d"}


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "1" * 5000, "{"])
def test_json_problems_are_only_value_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_json(text)


def test_too_deep_json_says_so() -> None:
    with pytest.raises(JsonTooDeep):
        parse_json("[" * 100_000 + "]" * 100_000)


def test_an_observation_holds_only_valid_text_whoever_builds_it() -> None:
    obs = Observation(
        ref="f#1",
        source="f",
        index=1,
        kind="http",
        method="GET",
        scheme="https",
        host="a.example",
        port=443,
        path="/a\udcff?q=\ud83d",  # a raw byte, as mitmproxy hands it over, and half an emoji
        request_headers=(("X-\udc80", "v\ud800"),),
        phase="p\udcff",
    )
    assert (obs.path, obs.request_headers, obs.phase) == ("/a\ufffd?q=\ufffd", (("X-\ufffd", "v\ufffd"),), "p\ufffd")


@pytest.mark.parametrize("name", _OBSERVATION_TEXT)
def test_each_text_of_an_observation_is_made_valid(name: str) -> None:
    """Every text field is in the one test of them all that an observation's making starts with."""
    obs = Observation(
        ref="f#1", source="f", index=1, kind="http", method="GET", scheme="https", host="a", port=443, path="/"
    )
    assert getattr(replace(obs, **{name: "x\udcff"}), name) == "x\ufffd"


def test_a_number_too_long_to_convert_says_so_in_the_users_terms() -> None:
    """Python's own message advises calling sys.set_int_max_str_digits(), advice for a programmer."""
    with pytest.raises(ValueError) as caught:
        parse_json('{"schema_version": ' + "9" * 5000 + "}")
    assert str(caught.value) == f"a number of more than {sys.get_int_max_str_digits():,} digits"
