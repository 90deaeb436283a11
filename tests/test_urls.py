"""Malformed URLs are data: split_url never raises, and keeps each part as written."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flowaudit.urls import split_url


@pytest.mark.parametrize(
    ("url", "host", "port", "path"),
    [
        ("https://[shop/cart", "[shop", None, "/cart"),  # an unclosed IPv6 bracket: urllib raises
        ("http://[::1/x", "[::1", None, "/x"),
        ("https://exa\uff0fmple.com/x", "exa\uff0fmple.com", None, "/x"),  # changes under NFKC: urllib raises
        ("https://a.example:99999/p", "a.example", None, "/p"),  # out of range: urllib's .port raises
        ("https://a.example:8o/p", "a.example", None, "/p"),
        ("http://[::1]:8080/x?a=1", "::1", 8080, "/x"),
        ("https://U:P@Shop.Example:81/p", "shop.example", 81, "/p"),
        ("//[x/y?q", "[x", None, "/y"),  # a request path that looks like an authority
        ("not a url", "", None, "not a url"),
    ],
)
def test_any_text_splits(url: str, host: str, port: int | None, path: str) -> None:
    parts = split_url(url)
    assert (parts.host, parts.port, parts.path) == (host, port, path)


def test_a_bad_port_keeps_its_text() -> None:
    assert split_url("https://a.example:99999/").port_text == "99999"
    assert split_url("https://a.example/").port_text == ""


def test_urls_are_split_only_by_split_url() -> None:
    """``urllib``'s splitters raise on malformed URLs: every module uses :func:`split_url` instead."""
    src = Path(__file__).resolve().parents[1] / "src" / "flowaudit"
    users = [
        str(p.relative_to(src))
        for p in sorted(src.rglob("*.py"))
        if p.name != "urls.py" and re.search(r"\burl(split|parse)\b", p.read_text(encoding="utf-8"))
    ]
    assert users == []


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/p?q=1#f",
        "HTTPS://A.Example:8443/P?Q#F?g#h",
        "http://a.example",
        "http://a.example:",
        "http://a.example:99999/x",
        "http://:80/x",
        "http:///x",
        "ws://a_b.example?x",
        "https://a.example#",
        "h+1.x-y://a.example/%zz\x00",
        "https://a.example/p\tq",  # urlsplit deletes the tab
        "https://a.example:8o/p",
        "https://u@a.example/p",
        "https://[::1]:8/p",
        "https://a.example/caf\u00e9?\u00e9=1",
    ],
)
def test_a_plain_url_splits_as_urllib_splits_it(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-match split of a plain URL gives what the general path (urllib) gives."""
    one_match = split_url(url)
    monkeypatch.setattr("flowaudit.urls._PLAIN_HEAD", re.compile(r"(?!)"))
    assert one_match == split_url(url)


def test_real_request_urls_split_as_urllib_splits_them(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = Path(__file__).resolve().parent / "corpus" / "external"
    exports = "".join(p.read_text("utf-8-sig") for p in corpus.glob("*/capture.har"))
    urls = sorted(set(re.findall(r'"url": ?"([^"\\]*)"', exports)))
    assert len(urls) > 1000
    one_match = [split_url(url) for url in urls]
    monkeypatch.setattr("flowaudit.urls._PLAIN_HEAD", re.compile(r"(?!)"))
    assert one_match == [split_url(url) for url in urls]


_PATHS = [
    "/",
    "/p?q=1#f",
    "/p#f?g#h",
    "/p?q?r#f#g",
    "/?#",
    "/a;b=c/d?e=%zz&f=+#",
    "/caf\u00e9?\u00e9=1\udcff",
    "/p\x00?q",
    "/p?q\tr",  # urlsplit deletes the tab
    "/p\nq",
    "/p:8/q",
    "/[::1]/x",
    "//x.example/y?q",  # an authority, not a path
    "  /p?q  ",
]


@pytest.mark.parametrize("path", _PATHS)
def test_a_request_path_splits_as_urllib_splits_it(path: str) -> None:
    """A request path (``/p?q#f``) is split without urllib, into what urllib gives it."""
    parts = urlsplit(path.strip())
    expected = (parts.scheme, parts.netloc, parts.hostname or "", parts.path, parts.query, parts.fragment)
    found = split_url(path)
    assert (found.scheme, found.netloc, found.host, found.path, found.query, found.fragment) == expected
    assert (found.port, found.port_text) == (None, "")


def test_real_request_paths_split_as_urllib_splits_them() -> None:
    corpus = Path(__file__).resolve().parent / "corpus" / "external"
    exports = "".join(p.read_text("utf-8-sig") for p in corpus.glob("*/capture.har"))
    paths = sorted(set(re.findall(r'"url": ?"[a-z]+://[^/"]*(/[^"\\]*)"', exports)))
    assert len(paths) > 1000
    for path in paths:
        parts = urlsplit(path)
        assert split_url(path)[5:] == (parts.path, parts.query, parts.fragment)
