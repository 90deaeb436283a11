"""The observation of a flow, from its fields however they were read.

Flow files are read two ways: straight from the record's bytes
(:mod:`flowaudit.inputs.flowfile`, the fast path) and through mitmproxy's
flow objects (:mod:`flowaudit.inputs.mitm`: old formats, odd records, and
live flows while recording). Both hand the same raw fields to the functions
here, so one decision, made once, says what each kind of flow becomes:

* a DNS lookup (WireGuard mode, where the device asks the proxy) is an
  observation of kind ``dns``: an attempt to contact the looked-up host,
  which received nothing; whatever the app then sends to it is its own
  flow. Reverse lookups (``.arpa``) name no recipient and are skipped;
* a CONNECT the proxy could not carry out (the host could not be reached;
  the addon records those only) is an observation of kind ``connect``:
  tried to contact, never reached. A CONNECT that succeeded is skipped:
  what went through it is its own flows;
* TCP/UDP flows with neither an address nor a server name are skipped: no
  recipient can be named;
* a WebSocket connection is one observation, its HTTP upgrade request;
  the messages exchanged after the upgrade are not read (yet). Files from
  before mitmproxy 7 stored the messages as a separate record, which
  migration turns into a second copy of the upgrade request (or into a
  made-up request to host "unknown" when the original is missing) flagged
  ``duplicated`` in its metadata: those copies are skipped, so the request
  is counted once and no phantom recipient appears;
* the records flowaudit's capture addon adds (the capture record, phase
  markers: requests to the reserved host ``flowaudit.invalid``) are skipped:
  they are not the app's traffic;
* a TLS handshake the client refused, which the addon records as a TCP flow
  flagged ``flowaudit.uninspectable``, is an observation of kind ``tls``: the
  host was contacted, what was sent is unknown.

Each observation carries the phase marker in force when it started
(``flowaudit.phase`` in the flow's metadata, set by the addon).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from typing import Final

from mitmproxy.net.dns import response_codes as dns_codes
from mitmproxy.net.dns import types as dns_types
from mitmproxy.net.http.url import parse_authority

from flowaudit.captureformat import (
    CAPTURE_KEY,
    MARKER_KEY,
    PHASE_KEY,
    RESERVED_HOST,
    UNINSPECTABLE_HOST,
    UNINSPECTABLE_REASON,
)
from flowaudit.inputs.checked import checked_observation
from flowaudit.inputs.fields import MAX_BODY, bound_body, normalize_host
from flowaudit.inputs.notes import capture_text
from flowaudit.model import Observation

__all__ = [
    "Metadata",
    "connect_observation",
    "dns_observation",
    "addressed_host",
    "http_observation",
    "is_bookkeeping",
    "raw_observation",
    "uninspectable_observation",
]

Metadata = Mapping[str, object]
Address = Sequence[object] | None  # (host, port) of the server, as mitmproxy keeps it

# Metadata mitmproxy's migration (compat.convert_11_12) sets on the second
# copy of a WebSocket upgrade request it builds from a pre-7 message record.
_MIGRATION_COPY: Final = "duplicated"

_MAX_NAME: Final = 253  # the longest DNS name (RFC 1035); longer is not a name
_MAX_ERROR: Final = 500  # characters of a proxy's error message kept: captured text, bounded

# HTTP versions whose host is the :authority pseudo-header (mitmproxy's Request.host_header)
_AUTHORITY_VERSIONS: Final = (b"HTTP/2.0", b"HTTP/3")


def is_bookkeeping(metadata: Metadata) -> bool:
    """A record that is not the app's traffic: a migration's copy, the capture record, a phase marker."""
    return _MIGRATION_COPY in metadata or CAPTURE_KEY in metadata or MARKER_KEY in metadata


def http_observation(
    name: str,
    n: int,
    metadata: Metadata,
    *,
    method: bytes,
    scheme: bytes,
    host: str,
    port: int,
    path: bytes,
    http_version: bytes,
    authority: bytes,
    headers: Sequence[Sequence[bytes]],
    content: bytes | bytearray | None,
    status: int | None,
    timestamp: float,
) -> Observation | None:
    """An HTTP request, from the fields of mitmproxy's request state; None for the reserved host."""
    addressed = addressed_host(http_version, authority, headers, host)
    if addressed == RESERVED_HOST:
        return None
    body, cut = bound_body(content or b"")
    ref = f"{name}#{n}"
    method_text = method.decode("utf-8", "surrogateescape").upper()
    scheme_text = scheme.decode("utf-8", "surrogateescape")
    path_text = path.decode("utf-8", "surrogateescape")
    phase = _phase(metadata)
    request_headers, headers_ascii = _header_texts(headers)
    values: tuple[object, ...] = (
        ref, name, n, "http", method_text, scheme_text, addressed, port, path_text, request_headers, body,
        False, cut, status, timestamp, phase, None, None, None,
    )  # fmt: skip
    if headers_ascii and f"{ref}{method_text}{scheme_text}{addressed}{path_text}{phase}".isascii():
        return checked_observation(values)
    return Observation(*values)  # type: ignore[arg-type]


def addressed_host(http_version: bytes, authority: bytes, headers: Sequence[Sequence[bytes]], host: str) -> str:
    """The host an HTTP request is observed under (see :func:`_addressed_host`), as a comparable name."""
    return normalize_host(_addressed_host(http_version, authority, headers, host))


def _addressed_host(http_version: bytes, authority: bytes, headers: Sequence[Sequence[bytes]], host: str) -> str:
    """The host the client addressed: its Host header or :authority, when well-formed.

    In transparent mode the request's host is only the IP address connected
    to; the name is in the header. Which header counts is mitmproxy's
    ``Request.host_header``: for HTTP/2 and 3 the :authority, else the Host
    headers (several are joined by ", ", which is no host name). mitmproxy's
    ``pretty_host`` would return a malformed header verbatim, port and all.
    """
    said = b""
    if http_version in _AUTHORITY_VERSIONS:
        said = authority
    if said:
        named = _named_host(said, True)
    else:
        said = b", ".join([v for k, v in headers if k.lower() == b"host"])  # a list: compiled, no generator
        named = _named_host(said, False) if said else None
    return host if named is None else named  # not a host name: where the connection went


# A capture addresses a few hosts again and again, and checking a name (IDNA, mitmproxy's
# host check) costs more than the rest of the request's fields: each short name is checked once.
_CACHED_NAMES = 1 << 10
_CACHED_NAME_LENGTH: Final = 256


def _named_host(said: bytes, authority: bool) -> str | None:
    """The host in an :authority (``authority``) or the joined Host headers; None when it names none."""
    if len(said) <= _CACHED_NAME_LENGTH:
        return _named_host_cached(said, authority)
    return _read_named_host(said, authority)


def _read_named_host(said: bytes, authority: bool) -> str | None:
    text = said.decode("utf-8", "surrogateescape")  # several Host headers joined by ", " name no host
    if authority:
        try:
            text = said.decode("idna")
        except UnicodeError:
            pass
    try:
        return parse_authority(text, check=True)[0]
    except ValueError:
        return None


_named_host_cached = lru_cache(maxsize=_CACHED_NAMES)(_read_named_host)


def raw_observation(
    name: str,
    n: int,
    metadata: Metadata,
    *,
    kind: str,
    server_sni: str | None,
    client_sni: str | None,
    address: Address,
    messages: Iterable[tuple[bool, bytes]],
    timestamp: float,
) -> Observation | None:
    """A TCP or UDP connection: what the client sent (``messages``: from-client flag, content)."""
    host = server_sni or client_sni or (address[0] if address else "")
    if not isinstance(host, str) or not host:
        return None
    body, cut = bound_body(_sent_bytes(messages))
    port = address[1] if address else 0
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind=kind,
        method="",
        scheme=kind,
        host=normalize_host(host),
        port=port if isinstance(port, int) else 0,
        path="",
        body=body,
        body_truncated=cut,
        timestamp=timestamp,
        phase=_phase(metadata),
        sni=_sni(server_sni or client_sni),
    )


def uninspectable_observation(
    name: str,
    n: int,
    metadata: Metadata,
    *,
    about: object,
    client_sni: str | None,
    address: Address,
    error: str | None,
    timestamp: float,
) -> Observation | None:
    """A TLS handshake the client refused (``about``: what the addon noted of it)."""
    notes = about if isinstance(about, dict) else {}
    host = notes.get(UNINSPECTABLE_HOST)
    host = host if isinstance(host, str) and host else client_sni or (address[0] if address else "")
    reason = notes.get(UNINSPECTABLE_REASON)
    if not isinstance(host, str) or not host:
        return None
    port = address[1] if address else 443
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind="tls",
        method="",
        scheme="tls",
        host=normalize_host(host),
        port=port if isinstance(port, int) else 443,
        path="",
        timestamp=timestamp,
        phase=_phase(metadata),
        error=reason if isinstance(reason, str) else error,
        sni=_sni(client_sni),
    )


def dns_observation(
    name: str,
    n: int,
    metadata: Metadata,
    *,
    questions: Iterable[tuple[str, int]],
    error: str | None,
    response_code: int | None,
    timestamp: float,
) -> Observation | None:
    """A lookup: the first name asked for (``questions``: name, record type).
    Why it got no address: the proxy's ``error``, no answer at all (still
    pending when recording stopped: ``response_code`` None), or an answer
    such as SERVFAIL or NXDOMAIN."""
    if error:
        failure: str | None = error
    elif response_code is None:
        failure = "no answer"
    else:
        failure = f"answered {dns_codes.to_str(response_code)}" if response_code else None
    for asked, record_type in questions:
        host = normalize_host(asked)
        if not host or len(host) > _MAX_NAME or host == RESERVED_HOST or host.endswith(".arpa"):
            continue
        return Observation(
            ref=f"{name}#{n}",
            source=name,
            index=n,
            kind="dns",
            method=dns_types.to_str(record_type),
            scheme="dns",
            host=host,
            port=0,
            path="",
            timestamp=timestamp,
            phase=_phase(metadata),
            error=failure[:_MAX_ERROR] if failure else None,
        )
    return None


def connect_observation(
    name: str,
    n: int,
    metadata: Metadata,
    *,
    host: str,
    port: int,
    status: int | None,
    reason: str,
    error: str | None,
    server_error: str | None,
    timestamp: float,
) -> Observation | None:
    """A CONNECT request: an attempt when it failed (``error``, the proxy's
    ``server_error`` connecting, or a status other than 2xx), else None."""
    if error is None and (status is None or 200 <= status < 300):
        return None  # it worked: what went through the tunnel is its own flows
    target = normalize_host(host)
    if not target or target == RESERVED_HOST:
        return None
    why = error or server_error or f"the proxy answered {status} {reason}".strip()
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind="connect",
        method="CONNECT",
        scheme="connect",
        host=target,
        port=port,
        path="",
        status=status,
        timestamp=timestamp,
        phase=_phase(metadata),
        error=why[:_MAX_ERROR],
    )


def _sni(name: str | None) -> str | None:
    return normalize_host(name) if name else None


def _sent_bytes(messages: Iterable[tuple[bool, bytes]]) -> bytes:
    """What the client sent, stopping once past the body bound."""
    sent = bytearray()
    for from_client, content in messages:
        if from_client:
            sent += content
            if len(sent) > MAX_BODY:
                break
    return bytes(sent)


def _phase(metadata: Metadata) -> str | None:
    """The phase, bounded and on one line as the marker names it is matched to."""
    return capture_text(metadata.get(PHASE_KEY))


def _header_texts(headers: Sequence[Sequence[bytes]]) -> tuple[tuple[tuple[str, str], ...], bool]:
    """Each header's name and value as text (:func:`_text`), and whether they are all ASCII.
    Nearly always all of them are UTF-8 without a NUL: then one decoding of them all, split at
    the NULs put between them, gives the same texts as one decoding each, at a fraction of the
    cost."""
    if not headers:
        return (), True
    joined = b"\0".join(chain.from_iterable(headers))
    try:
        texts = joined.decode("utf-8").split("\0")
    except UnicodeDecodeError:
        texts = []
    if len(texts) != 2 * len(headers):  # not UTF-8, a NUL inside, or not pairs
        return tuple((_text(k), _text(v)) for k, v in headers), False
    return tuple([(texts[i], texts[i + 1]) for i in range(0, len(texts), 2)]), joined.isascii()


def _text(raw: bytes) -> str:
    """Header bytes as text: UTF-8 when valid, else Latin-1, which maps every byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
