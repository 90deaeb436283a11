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
from typing import Final

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
from flowaudit.inputs.tnet import Buffer, Span, Unexpected
from flowaudit.model import Observation

__all__ = ["FAST_VERSIONS", "decode_fast", "read_flow_file"]

# Flow format versions written by mitmproxy 10.0 (19) to 12 (21). Migrations
# between them touch only connection fields this reader does not use.
FAST_VERSIONS: Final = frozenset({19, 20, 21})

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
# Every field of a flow of any type, read in one pass. Their values' types are checked where
# they are read (a flow's other fields are not read at all).
_FLOW: Final = tnet.Shape(dict.fromkeys(sorted(set().union(*_FLOW_FIELDS.values(), _OPTIONAL))))
_AT: Final = {key: n for n, key in enumerate(_FLOW.keys)}  # each field's position in what _FLOW reads
# For each flow type, the positions of the fields it must not have.
_ABSENT: Final = {
    kind: tuple(_AT[key] for key in _FLOW.keys if key not in fields | _OPTIONAL)
    for kind, fields in _FLOW_FIELDS.items()
}
_VERSION: Final = _AT[b"version"]
_TYPE: Final = _AT[b"type"]
_METADATA: Final = _AT[b"metadata"]
_BACKUP: Final = _AT[b"backup"]

# The fields of a request's and a response's state and the tags their values
# may have: exactly what mitmproxy's typed state accepts. Listed in the order
# in which _http unpacks them.
_REQUEST: Final = tnet.Shape(
    {
        b"method": b",",  # bytes
        b"scheme": b",",
        b"authority": b",",
        b"path": b",",
        b"http_version": b",",
        b"host": b";",  # text
        b"port": b"#",  # an integer
        b"timestamp_start": b"^#",  # a float, or an integer
        b"headers": b"]",  # a list
        b"content": b",~",  # bytes, or null
        b"timestamp_end": b"^#~",
        b"trailers": b"]~",
    }
)
_RESPONSE: Final = tnet.Shape(
    {
        b"status_code": b"#",
        b"reason": b",",
        b"http_version": b",",
        b"headers": b"]",
        b"content": b",~",
        b"timestamp_start": b"^#",
        b"timestamp_end": b"^#~",
        b"trailers": b"]~",
    }
)


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
    flow = _FLOW.read(buf, tnet.item(buf, 0, len(buf)))
    if tnet.integer(buf, _present(flow[_VERSION])) not in FAST_VERSIONS:
        raise Unexpected("a flow format for mitmproxy to read")
    kind = tnet.text(buf, _present(flow[_TYPE]))
    absent = _ABSENT.get(kind)
    # Exactly the fields of its type: those it must not have are absent, and no other but backup is.
    if absent is None or flow.count(None) != len(absent) + (flow[_BACKUP] is None):
        raise Unexpected("not the fields of a flow")
    for at in absent:
        if flow[at] is not None:
            raise Unexpected("not the fields of a flow")
    metadata = _metadata(buf, _present(flow[_METADATA]))
    if is_bookkeeping(metadata):
        return Decoded(metadata, None)
    if kind == "http":
        return Decoded(metadata, _http(buf, flow, metadata, name, n))
    if kind == "dns":
        return Decoded(metadata, _dns(buf, flow, metadata, name, n))
    return Decoded(metadata, _raw(buf, flow, metadata, kind, name, n))


def _metadata(buf: Buffer, span: Span) -> dict[str, object]:
    if span[0] == span[1] and span[2] == tnet.DICT:
        return {}  # most flows': nothing to build
    metadata = tnet.value(buf, span)
    if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
        raise Unexpected("metadata that is not a dictionary of text keys")
    return {str(k): v for k, v in metadata.items()}


def _http(buf: bytearray, flow: list[Span | None], metadata: Metadata, name: str, n: int) -> Observation | None:
    request = _REQUEST.read_all(buf, _field(flow, b"request"))
    response = _field(flow, b"response")
    answer = None if tnet.is_null(response) else _RESPONSE.read_all(buf, response)
    status = None if answer is None else tnet.integer(buf, answer[0])
    method, scheme, authority, path, http_version = (tnet.raw(buf, span) for span in request[:5])
    host, port, timestamp = tnet.text(buf, request[5]), tnet.integer(buf, request[6]), tnet.number(buf, request[7])
    if method.upper() == b"CONNECT":
        return connect_observation(
            name,
            n,
            metadata,
            host=host,
            port=port,
            status=status,
            reason="" if answer is None else tnet.raw(buf, answer[1]).decode("iso-8859-1"),
            error=_error(buf, flow),
            server_error=_optional_text(buf, _get(tnet.fields(buf, _field(flow, b"server_conn")), b"error")),
            timestamp=timestamp,
        )
    headers, content = tnet.pairs(buf, request[8]), request[9]
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


def _dns(buf: Buffer, flow: list[Span | None], metadata: Metadata, name: str, n: int) -> Observation | None:
    request = tnet.fields(buf, _field(flow, b"request"))
    questions = []
    for question in tnet.elements(buf, _get(request, b"questions")):
        asked = tnet.fields(buf, question)
        questions.append((tnet.text(buf, _get(asked, b"name")), tnet.integer(buf, _get(asked, b"type"))))
    response = _field(flow, b"response")
    answered = None if tnet.is_null(response) else tnet.integer(buf, _get(tnet.fields(buf, response), b"response_code"))
    return dns_observation(
        name,
        n,
        metadata,
        questions=questions,
        error=_error(buf, flow),
        response_code=answered,
        timestamp=tnet.number(buf, _get(request, b"timestamp")),
    )


def _raw(buf: Buffer, flow: list[Span | None], metadata: Metadata, kind: str, name: str, n: int) -> Observation | None:
    server = tnet.fields(buf, _field(flow, b"server_conn"))
    client = tnet.fields(buf, _field(flow, b"client_conn"))
    address = _address(buf, _get(server, b"address"))
    client_sni = _optional_text(buf, _get(client, b"sni"))
    timestamp = tnet.number(buf, _field(flow, b"timestamp_created"))
    if kind == "tcp" and UNINSPECTABLE_KEY in metadata:
        return uninspectable_observation(
            name,
            n,
            metadata,
            about=metadata[UNINSPECTABLE_KEY],
            client_sni=client_sni,
            address=address,
            error=_error(buf, flow),
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
        messages=_messages(buf, _field(flow, b"messages")),
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


def _error(buf: Buffer, flow: list[Span | None]) -> str | None:
    """The flow's error message, if any."""
    error = _field(flow, b"error")
    return None if tnet.is_null(error) else tnet.text(buf, _get(tnet.fields(buf, error), b"msg"))


def _field(flow: list[Span | None], key: bytes) -> Span:
    """A field of the flow (as read by :data:`_FLOW`) that its type has."""
    return _present(flow[_AT[key]])


def _present(span: Span | None) -> Span:
    if span is None:
        raise Unexpected("a field missing")
    return span


def _get(fields: dict[bytes, Span], key: bytes) -> Span:
    span = fields.get(key)
    if span is None:
        raise Unexpected(f"no {key.decode()} field")
    return span
