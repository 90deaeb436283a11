"""URLs from a capture split into parts, whatever they hold.

``urllib.parse.urlsplit`` raises ``ValueError`` for a URL it finds malformed
(an unclosed IPv6 bracket, ``https://[shop/cart``; a host that changes under
NFKC normalisation; a port that is not a number), and so do its ``port`` and
``hostname`` accessors. In a capture such URLs are data: a tracker's payload
may carry a broken page URL, a Referer may be garbled, a HAR may list a
request URL no browser would send. Every URL flowaudit takes from a capture
is split here, and this never raises: what ``urlsplit`` rejects is split
by the generic pattern of RFC 3986 appendix B
(https://www.rfc-editor.org/rfc/rfc3986#appendix-B), keeping each part as
the text it is, so it is still audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import NamedTuple
from urllib.parse import urlsplit

# RFC 3986 appendix B: scheme, authority, path, query, fragment; matches any string.
_GENERIC = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.DOTALL)
# The head of a URL most captures are made of: a scheme, "//", a host of plain name characters
# with perhaps a port. When the rest is empty or starts a path, query or fragment and holds no tab
# or line break (urlsplit deletes those), the URL is split here into the parts urlsplit gives it
# (no user info, brackets or non-ASCII host to check): the head by this match, the rest by
# ``find`` and ``partition``, which read a long query in C instead of one pattern step a character.
# Any other URL goes through urlsplit.
_PLAIN_HEAD = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([A-Za-z0-9._\-]*)(:[0-9]*)?")
_PATH_STARTS = ("/", "?", "#")


class Url(NamedTuple):
    """A NamedTuple, built with :data:`_new_url`: split for every request and for URL values in
    payloads, and a frozen dataclass's interpreted ``__init__`` cost ten times as much."""

    scheme: str  # lower-case
    netloc: str  # as written: user info, host and port
    host: str  # lower-case, IPv6 without brackets; "" when there is none
    port: int | None  # None when absent or not a valid port number
    port_text: str  # the port as written, "" when absent
    path: str
    query: str
    fragment: str


# Url(*fields), every field given, without the NamedTuple's Python-level __new__.
_new_url: Callable[[tuple[str, str, str, int | None, str, str, str, str]], Url] = partial(tuple.__new__, Url)


def split_url(text: str) -> Url:
    """The parts of ``text`` as a URL (surrounding white space ignored); never raises."""
    text = text.strip()
    if text.startswith("/") and not text.startswith("//"):
        # A request path ("/p?q#f"): no scheme or authority to read, as urlsplit splits it.
        if "\t" not in text and "\n" not in text and "\r" not in text:
            path, query, fragment = _split_rest(text)
            return _new_url(("", "", "", None, "", path, query, fragment))
    head = _PLAIN_HEAD.match(text)
    if head is not None:
        rest = text[head.end() :]
        if (not rest or rest.startswith(_PATH_STARTS)) and "\t" not in rest and "\n" not in rest and "\r" not in rest:
            scheme, host, port = head.groups()
            netloc = f"{host}{port}" if port is not None else host
            path, query, fragment = _split_rest(rest)
            port_number, port_text = _port(netloc)
            return _new_url((scheme.lower(), netloc, host.lower(), port_number, port_text, path, query, fragment))
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port_number, port_text = _port(parts.netloc)
        return _new_url(
            (parts.scheme, parts.netloc, host, port_number, port_text, parts.path, parts.query, parts.fragment)
        )
    except ValueError:
        pass
    found = _GENERIC.match(text)
    assert found is not None  # every group is optional: the pattern matches any text
    scheme, netloc, path, query, fragment = (group or "" for group in found.groups())
    port_number, port_text = _port(netloc)
    return _new_url((scheme.lower(), netloc, _host(netloc), port_number, port_text, path, query, fragment))


def _split_rest(rest: str) -> tuple[str, str, str]:
    """Path, query and fragment of what follows a URL's authority: the fragment after the first
    ``#``, the query between the first ``?`` before it and it."""
    before, _, fragment = rest.partition("#")
    path, _, query = before.partition("?")
    return path, query, fragment


def _host(netloc: str) -> str:
    """The host of an authority ``urlsplit`` rejected, as far as it can be told."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        closed = host.find("]")
        return (host[1:closed] if closed > 0 else host).lower()
    return host.partition(":")[0].lower()


def _port(netloc: str) -> tuple[int | None, str]:
    """The port (None unless a number from 0 to 65535) and its text."""
    after = netloc.rpartition("@")[2]
    if after.startswith("["):  # an IPv6 address: the port follows the closing bracket
        closed = after.find("]")
        after = after[closed + 1 :] if closed > 0 else ""
    _, colon, text = after.rpartition(":")
    if not colon or not text:
        return None, ""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        return None, text
    return int(text), text
