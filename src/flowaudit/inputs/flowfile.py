"""Reading mitmproxy flow files fast: only what the audit needs, straight from the bytes.

mitmproxy's own reader parses every byte of a record into Python values
(response bodies, certificates, every connection detail), migrates it and
builds flow objects, most of which an audit throws away: that alone took a
third of an audit's time. Here a record of the formats mitmproxy 10 to 12
write (flow format versions :data:`FAST_VERSIONS`) is walked by the
tnetstring framing (:mod:`flowaudit.inputs.tnet`): the request's fields and
headers, its body, the response's status, the flow's metadata, and for
TCP/UDP the server's address and names and what the client sent. Everything
else is passed over by its length, never copied or decoded. The request body
is taken last, out of the record itself (:func:`flowaudit.inputs.tnet.take`):
a body of hundreds of megabytes is held once, not copied.

Every other record goes to mitmproxy (:mod:`flowaudit.inputs.mitm`, imported
only then): an older format that needs migration, a newer one (mitmproxy
says whether the installed version reads it, and how to upgrade if not),
and any record that is not exactly the shape mitmproxy writes. So the fast
path never has to judge a strange record; mitmproxy does, as before. Fields
the fast path does not read are not checked: a record whose certificate
list, say, mitmproxy would refuse is still audited for what it sent.

The observation is made from the fields by :mod:`flowaudit.inputs.flowobs`,
the same code the mitmproxy path uses; tests/inputs/test_inputs_flowfile.py
reads every flow file of the test data and of ../shared both ways and
requires the same observations.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from flowaudit.captureformat import UNINSPECTABLE_KEY
from flowaudit.inputs import tnet
from flowaudit.inputs.flowobs import (
    Metadata,
    connect_observation,
    dns_observation,
    http_observation,
    is_bookkeeping,
    raw_observation,
    uninspectable_observation,
)
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.records import Decoded, Decoding, decode_in_turn, read_records
from flowaudit.inputs.stream import ByteSource
from flowaudit.inputs.tnet import BYTES, FLOAT, INT, LIST, NULL, TEXT, Buffer, Span, Unexpected
from flowaudit.model import Observation

__all__ = ["FAST_VERSIONS", "decode_fast", "read_flow_file"]

# Flow format versions written by mitmproxy 10.0 (19) to 12 (21). Migrations
# between them touch only connection fields this reader does not use.
FAST_VERSIONS = frozenset({19, 20, 21})

_COMMON = frozenset(
    {b"client_conn", b"comment", b"error", b"id", b"intercepted", b"is_replay", b"marked", b"metadata"}
    | {b"server_conn", b"timestamp_created", b"type", b"version"}
)
# The fields of each flow type's state, as mitmproxy's set_state requires them
# (exactly these; "backup" may be missing).
_FLOW_FIELDS = {
    "http": _COMMON | {b"request", b"response", b"websocket"},
    "tcp": _COMMON | {b"messages"},
    "udp": _COMMON | {b"messages"},
    "dns": _COMMON | {b"request", b"response"},
}
_OPTIONAL = frozenset({b"backup"})

# The fields of a request's and a response's state and the tags their values
# may have: exactly what mitmproxy's typed state accepts.
_MESSAGE: dict[bytes, tuple[int, ...]] = {
    b"http_version": (BYTES,),
    b"headers": (LIST,),
    b"content": (BYTES, NULL),
    b"trailers": (LIST, NULL),
    b"timestamp_start": (FLOAT, INT),
    b"timestamp_end": (FLOAT, INT, NULL),
}
_REQUEST = {
    **_MESSAGE,
    b"host": (TEXT,),
    b"port": (INT,),
    b"method": (BYTES,),
    b"scheme": (BYTES,),
    b"authority": (BYTES,),
    b"path": (BYTES,),
}
_RESPONSE = {**_MESSAGE, b"status_code": (INT,), b"reason": (BYTES,)}


def read_flow_file(
    source: ByteSource, name: str, notes: CaptureNotes | None = None, decoding: Decoding = decode_in_turn
) -> Generator[Observation, None, str | None]:
    """The observations of a flow file (see :func:`flowaudit.inputs.records.read_records`)."""
    return read_records(source, name, decode_fast, notes, decoding)


def decode_fast(record: bytearray, name: str, n: int) -> Decoded:
    """Record ``n`` read on the fast path, or by mitmproxy when it is not for the fast path."""
    try:
        return _decode(record, name, n)
    except Unexpected:
        from flowaudit.inputs.mitm import decode_with_mitmproxy

        return decode_with_mitmproxy(record, name, n)


def _decode(buf: bytearray, name: str, n: int) -> Decoded:
    top = tnet.fields(buf, tnet.item(buf, 0, len(buf)))
    if tnet.integer(buf, _get(top, b"version")) not in FAST_VERSIONS:
        raise Unexpected("a flow format for mitmproxy to read")
    kind = tnet.text(buf, _get(top, b"type"))
    expected = _FLOW_FIELDS.get(kind)
    if expected is None or not expected <= top.keys() <= expected | _OPTIONAL:
        raise Unexpected("not the fields of a flow")
    metadata = _metadata(buf, top[b"metadata"])
    if is_bookkeeping(metadata):
        return Decoded(metadata, None)
    if kind == "dns":
        return Decoded(metadata, _dns(buf, top, metadata, name, n))
    if kind == "http":
        return Decoded(metadata, _http(buf, top, metadata, name, n))
    return Decoded(metadata, _raw(buf, top, metadata, kind, name, n))


def _metadata(buf: Buffer, span: Span) -> dict[str, object]:
    if span[0] == span[1] and span[2] == tnet.DICT:
        return {}  # most flows': nothing to build
    metadata = tnet.value(buf, span)
    if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
        raise Unexpected("metadata that is not a dictionary of text keys")
    return {str(k): v for k, v in metadata.items()}


def _http(buf: bytearray, top: dict[bytes, Span], metadata: Metadata, name: str, n: int) -> Observation | None:
    request = _message(buf, top[b"request"], _REQUEST)
    response = top[b"response"]
    answer = None if tnet.is_null(response) else _message(buf, response, _RESPONSE)
    status = None if answer is None else tnet.integer(buf, answer[b"status_code"])
    if tnet.raw(buf, request[b"method"]).upper() == b"CONNECT":
        error = top[b"error"]
        return connect_observation(
            name,
            n,
            metadata,
            host=tnet.text(buf, request[b"host"]),
            port=tnet.integer(buf, request[b"port"]),
            status=status,
            reason="" if answer is None else tnet.raw(buf, answer[b"reason"]).decode("iso-8859-1"),
            error=None if tnet.is_null(error) else tnet.text(buf, _get(tnet.fields(buf, error), b"msg")),
            server_error=_optional_text(buf, _get(tnet.fields(buf, top[b"server_conn"]), b"error")),
            timestamp=tnet.number(buf, request[b"timestamp_start"]),
        )
    method, scheme = tnet.raw(buf, request[b"method"]), tnet.raw(buf, request[b"scheme"])
    path = tnet.raw(buf, request[b"path"])
    http_version, authority = tnet.raw(buf, request[b"http_version"]), tnet.raw(buf, request[b"authority"])
    host, port = tnet.text(buf, request[b"host"]), tnet.integer(buf, request[b"port"])
    timestamp = tnet.number(buf, request[b"timestamp_start"])
    headers = tnet.pairs(buf, request[b"headers"])
    content = request[b"content"]
    body = None if tnet.is_null(content) else tnet.take(buf, content)  # last: buf is the body now
    return http_observation(
        name,
        n,
        metadata,
        method=method,
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        http_version=http_version,
        authority=authority,
        headers=headers,
        content=body,
        status=status,
        timestamp=timestamp,
    )


def _dns(buf: Buffer, top: dict[bytes, Span], metadata: Metadata, name: str, n: int) -> Observation | None:
    request = tnet.fields(buf, top[b"request"])
    questions = []
    for question in tnet.elements(buf, _get(request, b"questions")):
        asked = tnet.fields(buf, question)
        questions.append((tnet.text(buf, _get(asked, b"name")), tnet.integer(buf, _get(asked, b"type"))))
    response, error = top[b"response"], top[b"error"]
    answered = None if tnet.is_null(response) else tnet.integer(buf, _get(tnet.fields(buf, response), b"response_code"))
    return dns_observation(
        name,
        n,
        metadata,
        questions=questions,
        error=None if tnet.is_null(error) else tnet.text(buf, _get(tnet.fields(buf, error), b"msg")),
        response_code=answered,
        timestamp=tnet.number(buf, _get(request, b"timestamp")),
    )


def _message(buf: Buffer, span: Span, shape: dict[bytes, tuple[int, ...]]) -> dict[bytes, Span]:
    """A request's or response's fields, checked against the shape mitmproxy writes."""
    message = tnet.fields(buf, span)
    if message.keys() != shape.keys():
        raise Unexpected("not the fields of an HTTP message")
    for key, value in message.items():
        if value[2] not in shape[key] or (value[2] == NULL and value[0] != value[1]):
            raise Unexpected("a field of an HTTP message of the wrong type")
    return message


def _raw(buf: Buffer, top: dict[bytes, Span], metadata: Metadata, kind: str, name: str, n: int) -> Observation | None:
    server = tnet.fields(buf, top[b"server_conn"])
    client = tnet.fields(buf, top[b"client_conn"])
    address = _address(buf, _get(server, b"address"))
    client_sni = _optional_text(buf, _get(client, b"sni"))
    timestamp = tnet.number(buf, top[b"timestamp_created"])
    if kind == "tcp" and UNINSPECTABLE_KEY in metadata:
        error = top[b"error"]
        return uninspectable_observation(
            name,
            n,
            metadata,
            about=metadata[UNINSPECTABLE_KEY],
            client_sni=client_sni,
            address=address,
            error=None if tnet.is_null(error) else tnet.text(buf, _get(tnet.fields(buf, error), b"msg")),
            timestamp=timestamp,
        )
    return raw_observation(
        name,
        n,
        metadata,
        kind=kind,
        server_sni=_optional_text(buf, _get(server, b"sni")),
        client_sni=client_sni,
        address=address,
        messages=_messages(buf, top[b"messages"]),
        timestamp=timestamp,
    )


def _messages(buf: Buffer, span: Span) -> Iterator[tuple[bool, bytes]]:
    """(from client, content) of each TCP/UDP message, each [from_client, content, timestamp]."""
    for message in tnet.elements(buf, span):
        parts = tnet.elements(buf, message)
        if len(parts) != 3:
            raise Unexpected("a message that is not [from_client, content, timestamp]")
        from_client = tnet.value(buf, parts[0])
        if not isinstance(from_client, bool):
            raise Unexpected("a message's sender that is not a boolean")
        yield from_client, tnet.raw(buf, parts[1])


def _address(buf: Buffer, span: Span) -> tuple[str, int] | None:
    if tnet.is_null(span):
        return None
    parts = tnet.elements(buf, span)
    if len(parts) != 2:
        raise Unexpected("an address that is not a host and a port")
    return tnet.text(buf, parts[0]), tnet.integer(buf, parts[1])


def _optional_text(buf: Buffer, span: Span) -> str | None:
    return None if tnet.is_null(span) else tnet.text(buf, span)


def _get(fields: dict[bytes, Span], key: bytes) -> Span:
    span = fields.get(key)
    if span is None:
        raise Unexpected(f"no {key.decode()} field")
    return span
