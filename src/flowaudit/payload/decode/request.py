"""One observation in, every value it carries out: URL path, query, headers, cookies, body."""

from __future__ import annotations

from flowaudit.model import Observation
from flowaudit.payload.decode.compression import ENCODINGS
from flowaudit.payload.decode.forms import looks_like_form, percent_decode, split_cookies, split_form
from flowaudit.payload.decode.limits import DEFAULT_LIMITS, DecodeLimits
from flowaudit.payload.decode.mime import ContentType, parse_content_type
from flowaudit.payload.decode.walker import Keep, Walker
from flowaudit.payload.model import DecodedRequest

# Headers that only steer transport or caching and never carry user data.
# Everything else is kept: User-Agent, Accept-Language and client hints make
# up a device fingerprint, Referer and Origin are browsing history, DNT and
# Sec-GPC are opt-out signals, and any X- header may hold an id.
_TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "accept",
        "accept-encoding",
        "cache-control",
        "pragma",
        "priority",
        "expect",
        "range",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "upgrade-insecure-requests",
    }
)
_ENCODING_ALIASES = {"x-gzip": "gzip"}


def decode_request(obs: Observation, limits: DecodeLimits = DEFAULT_LIMITS, keep: Keep | None = None) -> DecodedRequest:
    """Every value the request carries, with where it sat and how it was decoded.

    Never raises on request content: whatever cannot be decoded is kept as
    it is, and anything refused (a decompression bomb, a bound reached, a
    damaged stream) is listed in ``problems``. ``keep`` says which windows
    of a stream too large to decode are worth keeping (:class:`DecodeLimits`;
    default: every window of text, up to the decoded-size bound).
    """
    walker = Walker(limits, keep)
    path, _, query = obs.path.partition("?")
    query = query.partition("#")[0]
    for n, segment in enumerate(s for s in path.split("/") if s):
        name, semicolon, parameters = segment.partition(";")
        if semicolon and "=" in parameters:
            # Matrix parameters (RFC 3986 3.3): DoubleClick's activityi;src=…;u1=…, Quantcast's pixel;url=…;labels=…
            walker.string("url", f"url:path[{n}]", (), None, percent_decode(name, plus=False))
            walker.form("url", f"url:path[{n}]", (), parameters.replace(";", "&"))
            continue
        value = percent_decode(segment, plus=False)
        if "=" in value and looks_like_form(value):
            # Parameters in the path: Adobe's ID syncs (/ibs:dpid=<id>&dpuuid=<id>), matrix-style URLs.
            walker.form("url", f"url:path[{n}]", (), value)
        else:
            walker.string("url", f"url:path[{n}]", (), None, value)
    if query:
        walker.layer("query", "query", (), query)
        walker.fields("query", "query:", ("query",), split_form(query))
    content_type = content_encoding = ""
    for name, value in obs.request_headers:
        low = name.lower()
        if low == "content-type":
            content_type = value  # as sent: a multipart boundary is case-sensitive
        elif low == "content-encoding":
            content_encoding = value.lower()
        if low in _TRANSPORT_HEADERS or low.startswith((":", "sec-fetch-")):
            continue
        if low == "cookie":
            walker.fields("cookie", "cookie:", ("cookie",), split_cookies(value))
            continue
        location = f"header:{name}"
        walker.string("header", location, (), name, value)
        scheme, space, credential = value.partition(" ")
        if space and scheme.isalpha() and credential and " " not in credential:
            walker.decode_string("header", location, (), name, credential)  # "Basic <base64>", "Bearer <JWT>"
    if obs.body:
        _body(walker, obs, parse_content_type(content_type), content_encoding, limits)
    return walker.result()


def _body(
    walker: Walker, obs: Observation, content_type: ContentType, content_encoding: str, limits: DecodeLimits
) -> None:
    if obs.body_truncated:
        walker.problem("truncated", f"body cut at {len(obs.body)} bytes by the capture reader: the rest not read")
    encodings: list[str] = []
    if content_encoding and not obs.body_decoded:
        for token in content_encoding.split(","):
            token = token.strip()
            token = _ENCODING_ALIASES.get(token, token)
            if token in ENCODINGS:
                encodings.append(token)
            elif token and token != "identity":
                walker.problem("encoding", f"Content-Encoding {token!r} is not supported: body read as sent")
                encodings = []
                break
    if len(obs.body) > limits.max_body:
        walker.large_body(obs.body, encodings)
        return
    body = obs.body if isinstance(obs.body, bytes) else bytes(obs.body)  # a flow file's own buffer
    walker.body(body, content_type, encodings, har=obs.body_decoded)
