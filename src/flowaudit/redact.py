"""Masking secrets before anything reaches an output.

Captured requests carry API keys, session cookies and bearer tokens; reports
get forwarded and published. Every string a reporter shows that came from a
request passes through here first.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "(redacted)"

# Query parameter and header names that carry credentials. Matched on the
# lower-cased name with separators removed, so "access-token", "accessToken"
# and "access_token" are all caught.
_SECRET_WORDS = (
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "apitoken",
    "auth",
    "signature",
    "sig",
    "sessionid",
    "session",
    "sid",
    "key",
    "writekey",
    "clientsecret",
    "credential",
)
_SEPARATORS = re.compile(r"[-_.\s]")


def is_secret_name(name: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether a header, parameter or field name holds a credential."""
    folded = _SEPARATORS.sub("", name.lower())
    if folded in {_SEPARATORS.sub("", e.lower()) for e in extra}:
        return True
    if folded in ("cookie", "setcookie", "authorization", "proxyauthorization"):
        return True
    return any(folded == w or folded.endswith(w) or folded.startswith(w) for w in _SECRET_WORDS)


def redact_url(url: str, extra: tuple[str, ...] = ()) -> str:
    """The URL with the values of credential-carrying query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret_name(k, extra) for k, _ in pairs):
        return url
    masked = [(k, MASK if is_secret_name(k, extra) else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="()/:,")))
