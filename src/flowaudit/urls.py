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
from dataclasses import dataclass
from urllib.parse import urlsplit

# RFC 3986 appendix B: scheme, authority, path, query, fragment; matches any string.
_GENERIC = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.DOTALL)
# A URL most captures are made of: a scheme, "//", a host of plain name
# characters with perhaps a port, then a path from "/", a query and a fragment, none holding
# a tab or line break (urlsplit deletes those). Such a URL is split here in one
# match into the parts urlsplit gives it (no user info, brackets or non-ASCII
# host to check); any other goes through urlsplit.
_PLAIN = re.compile(
    r"([A-Za-z][A-Za-z0-9+.\-]*)://([A-Za-z0-9._\-]*)(:[0-9]*)?(/[^?#\t\n\r]*)?(?:\?([^#\t\n\r]*))?(?:#([^\t\n\r]*))?"
)


@dataclass(frozen=True, slots=True)
class Url:
    scheme: str  # lower-case
    netloc: str  # as written: user info, host and port
    host: str  # lower-case, IPv6 without brackets; "" when there is none
    port: int | None  # None when absent or not a valid port number
    port_text: str  # the port as written, "" when absent
    path: str
    query: str
    fragment: str


def split_url(text: str) -> Url:
    """The parts of ``text`` as a URL (surrounding white space ignored); never raises."""
    text = text.strip()
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        scheme, host, port, path, query, fragment = plain.groups()
        netloc = f"{host}{port}" if port is not None else host
        return Url(scheme.lower(), netloc, host.lower(), *_port(netloc), path or "", query or "", fragment or "")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        return Url(parts.scheme, parts.netloc, host, *_port(parts.netloc), parts.path, parts.query, parts.fragment)
    except ValueError:
        pass
    found = _GENERIC.match(text)
    assert found is not None  # every group is optional: the pattern matches any text
    scheme, netloc, path, query, fragment = (group or "" for group in found.groups())
    return Url(scheme.lower(), netloc, _host(netloc), *_port(netloc), path, query, fragment)


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
