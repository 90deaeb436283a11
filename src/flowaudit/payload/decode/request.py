"""One observation in, every value it carries out: URL path, query, headers, cookies, body."""

from __future__ import annotations

from typing import Final

from flowaudit.model import Observation
from flowaudit.payload.decode.compression import ENCODINGS
from flowaudit.payload.decode.forms import looks_like_form, percent_decode, split_cookies, split_form
from flowaudit.payload.decode.limits import DEFAULT_LIMITS, DecodeLimits
from flowaudit.payload.decode.mime import ContentType, parse_content_type
from flowaudit.payload.decode.walker import Keep, Walked, Walker
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

# What walking each recent header (name and value, name None for Cookie) added, added again
# when a request sends it again (Walker.add_walked): a client sends the same User-Agent,
# Referer, client hints and cookies in request after request. The bench's real HAR (one pass,
# 3,537 requests) sends 605 distinct of the 14,410 headers read; decoding its requests took
# 0.085 s, 0.033 s of it without their headers, and 0.064 s with what the headers added kept.
# Only a walk that no bound of its request decided is kept (Walker.walked_since), under the
# default limits. Memory stays flat: values over _WALKED_VALUE characters are walked each
# time, and once those kept reach _WALKED_CHARS characters or the values their walks added
# reach _WALKED_VALUES (a header of short cookies adds a value per few characters, and a
# value costs a few hundred bytes), all are dropped. That HAR's headers: 136 Ki characters, 2,620 values.
_WALKED: Final[dict[tuple[str | None, str], Walked]] = {}
_WALKED_VALUE: Final = 2048
_WALKED_CHARS: Final = 1 << 18
_WALKED_VALUES: Final = 1 << 12
_walked_chars = 0
_walked_values = 0


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
        header = (None if low == "cookie" else name, value)
        if limits is not DEFAULT_LIMITS or len(value) > _WALKED_VALUE:
            _header(walker, header)
            continue
        walked = _WALKED.get(header)
        if walked is None or not walker.add_walked(walked):
            mark = walker.mark()
            _header(walker, header)
            _keep_walked(header, walker.walked_since(mark))
    if obs.body:
        _body(walker, obs, parse_content_type(content_type), content_encoding, limits)
    return walker.result()


def _header(walker: Walker, header: tuple[str | None, str]) -> None:
    """A header's values; the name None stands for Cookie (of any case: its values are named by the cookies)."""
    name, value = header
    if name is None:
        walker.fields("cookie", "cookie:", ("cookie",), split_cookies(value))
        return
    location = f"header:{name}"
    walker.string("header", location, (), name, value)
    scheme, space, credential = value.partition(" ")
    if space and scheme.isalpha() and credential and " " not in credential:
        walker.decode_string("header", location, (), name, credential)  # "Basic <base64>", "Bearer <JWT>"


def _keep_walked(header: tuple[str | None, str], walked: Walked | None) -> None:
    """Keep what walking a header added, for the next request that sends it (see :data:`_WALKED`)."""
    global _walked_chars, _walked_values
    if walked is None:
        return
    if _walked_chars >= _WALKED_CHARS or _walked_values >= _WALKED_VALUES:
        _WALKED.clear()
        _walked_chars = _walked_values = 0
    _WALKED[header] = walked
    _walked_chars += len(header[1])
    _walked_values += len(walked.leaves) + len(walked.layers)


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
        walker.large_body(obs.body, encodings, content_type)
        return
    body = obs.body if isinstance(obs.body, bytes) else bytes(obs.body)  # a flow file's own buffer
    walker.body(body, content_type, encodings, har=obs.body_decoded)
