"""Forms, query strings and cookies, split with keys kept as written."""

from __future__ import annotations

from urllib.parse import quote, quote_plus, unquote, unquote_plus

import pytest

from flowaudit.payload.decode.forms import (
    looks_like_form,
    looks_like_form_lines,
    percent_decode,
    split_cookies,
    split_form,
)


@pytest.mark.parametrize(
    "value",
    [
        '[{"event": "Symptom Logged", "email": "jane.doe@example.com", "x": "a=b&c"}]',
        "type 2 diabetes",
        "café – naïve ✓",
        "100% sure",
        "plus+sign and space",
        "",
    ],
)
def test_percent_decode_matches_urllib(value: str) -> None:
    for encoded in (quote_plus(value), quote(value), quote_plus(value).lower()):
        assert percent_decode(encoded) == unquote_plus(encoded)
        assert percent_decode(encoded, plus=False) == unquote(encoded)


@pytest.mark.parametrize("odd", ["50%", "%zz%41", "a=b%3", "%E9t%E9", "line%0Abreak\n%41", "é%41"])
def test_percent_decode_takes_urllibs_reading_of_odd_input(odd: str) -> None:
    assert percent_decode(odd) == unquote_plus(odd)


def test_split_form_keeps_bracketed_and_dotted_keys_as_written() -> None:
    text = "ud%5Bem%5D=5f4dcc3b&cd[value]=9.99&ep.plan=gold&en=page_view&&flag&e="
    assert split_form(text) == [
        ("ud[em]", "5f4dcc3b"),
        ("cd[value]", "9.99"),
        ("ep.plan", "gold"),
        ("en", "page_view"),
        ("flag", ""),
        ("e", ""),
    ]


def test_form_shapes() -> None:
    assert looks_like_form("data=%7B%7D&verbose=1")
    assert looks_like_form("en=page_view")
    assert not looks_like_form("just some text = not a form")
    assert not looks_like_form("=leading")
    assert not looks_like_form('{"a": "b=c"}'.replace(" ", ""))  # a JSON object's key is not a form key
    assert looks_like_form_lines("en=scroll&_et=1\r\nen=page_view&_et=2\r\n")
    assert not looks_like_form_lines("en=scroll")


def test_cookies_split_and_percent_decoded() -> None:
    header = 'a=1; _ga=GA1.2.1478153842.1693348042; d=xoxd-ek%2Bmne; q="quoted"; lonely'
    assert split_cookies(header) == [
        ("a", "1"),
        ("_ga", "GA1.2.1478153842.1693348042"),
        ("d", "xoxd-ek+mne"),
        ("q", "quoted"),
        ("", "lonely"),
    ]
