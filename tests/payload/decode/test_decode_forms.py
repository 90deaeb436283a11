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


_ODD = [
    "50%",
    "%zz%41",
    "a=b%3",
    "%E9t%E9",
    "line%0Abreak\n%41",
    "é%41",
    "%",
    "%%",
    "%%41",
    "%=",
    "%=41",
    "%4=",
    "%4",
    "a%4",
    "%41%",
    "%%%",
    "==%41",
    "%3D%3d",
    "%ff%FE%80",  # bytes that are no UTF-8
    "%ED%A0%80",  # an encoded surrogate
    "%0D%0A",
    "%\r\n",
    "a%\nb",
    "+%2B+",
    "%_41",
    "%4_1",
    "%\x0041",
    "%g1%1g",
    "%41\udcff",
]


@pytest.mark.parametrize("odd", _ODD)
def test_percent_decode_takes_urllibs_reading_of_odd_input(odd: str) -> None:
    assert percent_decode(odd) == unquote_plus(odd)
    assert percent_decode(odd, plus=False) == unquote(odd)


def test_percent_decode_matches_urllib_on_every_short_mix_of_escape_characters() -> None:
    """Every text of up to five characters from the ones an escape is made of, and around them."""
    alphabet = "%=+4aZ\n"
    texts = [""]
    for _ in range(5):
        texts = [t + c for t in texts for c in alphabet]
        for text in texts:
            assert percent_decode(text) == unquote_plus(text), text
            assert percent_decode(text, plus=False) == unquote(text), text


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


def test_percent_decode_matches_urllib_on_every_query_and_form_of_the_corpus() -> None:
    import json
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    pieces: set[str] = set()
    for har in corpus.glob("**/*.har"):
        for entry in json.loads(har.read_text("utf-8-sig"))["log"]["entries"]:
            request = entry["request"]
            forms = [request["url"].partition("?")[2], (request.get("postData") or {}).get("text") or ""]
            pieces.update(part for form in forms for piece in form.split("&") for part in piece.split("=", 1))
    escaped = [piece for piece in pieces if "%" in piece]
    assert len(escaped) > 300
    for piece in escaped:
        assert percent_decode(piece) == unquote_plus(piece)
        assert percent_decode(piece, plus=False) == unquote(piece)
