"""A flow as the bytes of its record in a mitmproxy flow file, made cheaply.

What ``mitmproxy.io.FlowWriter`` writes for a flow is
``tnetstring.dumps(flow.get_state())``. On the proxy's single thread that
costs more than anything else the recorder does, in two places:

* ``get_state()`` spends nine tenths of its time on the client and server
  connections, whose state mitmproxy derives field by field from type hints.
  Under keep-alive, a hundred requests share one connection whose state has
  not changed between them;
* mitmproxy's tnetstring encoder is general Python that pushes every piece
  onto a deque.

:class:`RecordEncoder` produces the same bytes, byte for byte (the test
compares it with mitmproxy's on every flow file in the suite), for less:
each connection's encoded state is kept and reused while the connection's
fields are unchanged, and values are encoded into one list of pieces joined
once, so a large body is copied once, not once per nesting level. An HTTP
flow (nearly every flow an app makes) skips ``get_state()`` altogether: its
record is written straight from its fields, in the layout mitmproxy's
``get_state()`` gives (checked once per encoder against it, on the first HTTP
flow: with another mitmproxy's layout every flow takes the general path), and
a flow with anything unusual (an error, a WebSocket, a field of another type)
takes the general path too.

The tnetstring format (https://tnetstrings.info/): ``LENGTH:DATA`` and a type
mark: ``,`` bytes, ``#`` integer, ``^`` float, ``!`` boolean, ``~`` null,
``]`` list, ``}`` dictionary of key-value pairs, and mitmproxy's own ``;``
for text in UTF-8 (mitmproxy/io/tnetstring.py, whose encoder writes a
dictionary's pairs last to first: so does this one, for the same bytes).

Like the addon, this file imports only the standard library and mitmproxy:
mitmproxy may load the addon by path from a Python without flowaudit.
"""

from __future__ import annotations

from typing import Any

from mitmproxy import connection, http
from mitmproxy import flow as mflow
from mitmproxy import version as mversion

_KEPT_CONNECTIONS = 256  # connections whose encoded state is kept (the oldest go first)
# Short texts (the state's field names, above all) kept encoded; bounded, since
# metadata and header values come from the traffic.
_KEYS: dict[str, bytes] = {}
_KEPT_KEYS = 1024
_KEY_LENGTH = 32

_NULL = b"0:~"
_TRUE = b"4:true!"
_FALSE = b"5:false!"


class _Encoded:
    """Bytes already in tnetstring form, put into the output as they are."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class _KnownState:
    """Stands in for a connection while its flow's state is taken: its state is already encoded."""

    __slots__ = ("_encoded",)

    def __init__(self, encoded: _Encoded) -> None:
        self._encoded = encoded

    def get_state(self) -> _Encoded:
        return self._encoded


def _put(value: Any, out: list[bytes]) -> int:
    """Append ``value``'s tnetstring pieces to ``out``; return how many bytes they hold."""
    kind = type(value)
    if kind is dict:
        return _put_dict(value, out)
    if kind is list or kind is tuple:
        return _put_list(value, out)
    if kind is _Encoded:
        out.append(value.data)
        return len(value.data)
    if kind is str:
        data = _key(value)
        out.append(data)
        return len(data)
    scalar = _scalar(value, kind)
    if scalar is None:
        return _put_other(value, out)
    out.append(scalar)
    return len(scalar)


def _put_dict(value: dict[Any, Any], out: list[bytes]) -> int:
    """A dictionary's keys and values, last pair first (as mitmproxy writes them), behind their length.

    The state's keys, and the scalars that make most of a flow's state, are
    encoded here without a call each: this loop is most of a record's cost."""
    at = len(out)
    out.append(b"")  # the length, once known
    size = 0
    append = out.append
    for key, item in reversed(value.items()):
        data = _KEYS.get(key) if type(key) is str else None
        if data is None:
            size += _put(key, out)
        else:
            append(data)
            size += len(data)
        kind = type(item)
        if kind is bytes:
            head = b"%d:" % len(item)
            out += (head, item, b",")
            size += len(head) + len(item) + 1
        elif item is None:
            append(_NULL)
            size += 3
        elif kind is str:
            data = _key(item)
            append(data)
            size += len(data)
        elif kind is _Encoded:
            append(item.data)
            size += len(item.data)
        elif kind is float:  # the timestamps
            data = repr(item).encode()
            head = b"%d:" % len(data)
            out += (head, data, b"^")
            size += len(head) + len(data) + 1
        elif kind is bool:
            data = _TRUE if item else _FALSE
            append(data)
            size += len(data)
        else:
            size += _put(item, out)
    head = b"%d:" % size
    out[at] = head
    append(b"}")
    return len(head) + size + 1


def _put_list(values: list[Any] | tuple[Any, ...], out: list[bytes]) -> int:
    """A list's items behind their length; a pair of byte strings (a header) in one piece."""
    at = len(out)
    out.append(b"")  # the length, once known
    size = 0
    for item in values:
        kind = type(item)
        if kind is bytes:
            head = b"%d:" % len(item)
            out += (head, item, b",")
            size += len(head) + len(item) + 1
        elif kind is tuple and len(item) == 2 and type(item[0]) is bytes and type(item[1]) is bytes:
            name, field = item
            data = b"%d:%s,%d:%s," % (len(name), name, len(field), field)
            head = b"%d:" % len(data)
            out += (head, data, b"]")
            size += len(head) + len(data) + 1
        else:
            size += _put(item, out)
    head = b"%d:" % size
    out[at] = head
    out.append(b"]")
    return len(head) + size + 1


def _key(value: str) -> bytes:
    """A text, from the short texts kept encoded (the state's field names above all) if it is one."""
    data = _KEYS.get(value)
    if data is None:
        data = _text(value)
        if len(_KEYS) < _KEPT_KEYS and len(value) <= _KEY_LENGTH:
            _KEYS[value] = data
    return data


def _scalar(value: Any, kind: type) -> bytes | None:
    if kind is str:
        return _text(value)
    if kind is bytes:
        return b"%d:%s," % (len(value), value)
    if value is None:
        return _NULL
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if kind is float:
        data = repr(value).encode()
        return b"%d:%s^" % (len(data), data)
    if kind is int:
        data = b"%d" % value
        return b"%d:%s#" % (len(data), data)
    return None


def _text(value: str) -> bytes:
    data = value.encode("utf8")
    return b"%d:%s;" % (len(data), data)


def _put_other(value: Any, out: list[bytes]) -> int:
    """Numbers, and subclasses of the basic types, in the order mitmproxy's encoder tests them."""
    if isinstance(value, int):
        data, mark = str(value).encode(), b"#"
    elif isinstance(value, float):
        data, mark = repr(value).encode(), b"^"
    elif isinstance(value, bytes):
        data, mark = bytes(value), b","
    elif isinstance(value, str):
        data, mark = value.encode("utf8"), b";"
    elif isinstance(value, (list, tuple)):
        return _put_list(value, out)
    elif isinstance(value, dict):
        return _put_dict(value, out)
    else:
        raise ValueError(f"unserializable object: {value!r} ({type(value)})")
    head = b"%d:" % len(data)
    out += (head, data, mark)
    return len(head) + len(data) + 1


def encode(value: Any) -> bytes:
    """``value`` as a tnetstring: what ``mitmproxy.io.tnetstring.dumps`` returns."""
    out: list[bytes] = []
    _put(value, out)
    return b"".join(out)


class RecordEncoder:
    """Encodes flows into capture records, keeping each connection's encoded state while it holds."""

    def __init__(self) -> None:
        # connection id -> (its fields when encoded, its encoded state)
        self._kept: dict[str, tuple[dict[str, Any], _Encoded]] = {}
        # Whether HTTP flows are written from their fields (see _http): None until the first
        # one shows, compared with mitmproxy's get_state(), that this mitmproxy's layout is it.
        self._direct: bool | None = None

    def record(self, f: mflow.Flow) -> bytes:
        """The bytes ``mitmproxy.io.FlowWriter(...).add(f)`` would write."""
        if getattr(f, "_backup", None) is not None:
            # mitmproxy compares the backup with the state: only the real state will do.
            return encode(f.get_state())
        if self._direct is not False and type(f) is http.HTTPFlow:
            record = self._http(f)
            if record is not None:
                if self._direct is None:  # the first one: is the layout the one this mitmproxy writes?
                    general = self._from_state(f)
                    self._direct = record == general
                    return general
                return record
        return self._from_state(f)

    def _from_state(self, f: mflow.Flow) -> bytes:
        """Any flow, from mitmproxy's ``get_state()``, its connections' states as kept."""
        client, server = f.client_conn, f.server_conn
        try:
            f.client_conn = _KnownState(self._connection(client))  # type: ignore[assignment]
            f.server_conn = _KnownState(self._connection(server))  # type: ignore[assignment]
            state = f.get_state()
        finally:
            f.client_conn, f.server_conn = client, server
        return encode(state)

    def _http(self, f: http.HTTPFlow) -> bytes | None:
        """An HTTP flow's record written straight from its fields, without ``get_state()``;
        None for one this path does not cover (an error, a WebSocket, a field of an unusual type).

        The fields are those of ``Flow.get_state`` and ``HTTPFlow.get_state``,
        last first, as mitmproxy's encoder writes them."""
        if f.error is not None or f.websocket is not None or type(f.request) is not http.Request:
            return None
        response = f.response
        out = [b""]  # the length, once known
        if response is None:
            out.append(b"9:websocket;0:~8:response;0:~7:request;")
        elif type(response) is http.Response and _message(
            vars(response.data), _RESPONSE_FIELDS, out, b"9:websocket;0:~8:response;"
        ):
            out.append(b"7:request;")
        else:
            return None
        if not _message(vars(f.request.data), _REQUEST_FIELDS, out):
            return None
        created, comment, marked, replay = f.timestamp_created, f.comment, f.marked, f.is_replay
        if type(created) is not float or type(comment) is not str or type(marked) is not str:
            return None
        if type(f.intercepted) is not bool or not (replay is None or type(replay) is str) or type(f.id) is not str:
            return None
        stamp = _scalar(created, float)
        out.append(b"6:backup;0:~17:timestamp_created;%s7:comment;%s8:metadata;" % (stamp, _key(comment)))
        _put(f.metadata, out)  # mitmproxy writes a deep copy: the same bytes
        out += (
            b"6:marked;",
            _key(marked),
            b"9:is_replay;",
            _NULL if replay is None else _key(replay),
            b"11:intercepted;",
            _TRUE if f.intercepted else _FALSE,
            b"11:server_conn;",
            self._connection(f.server_conn).data,
            b"11:client_conn;",
            self._connection(f.client_conn).data,
            b"5:error;0:~2:id;",
            _key(f.id),
            _HTTP_FLOW_TAIL,
        )
        out[0] = b"%d:" % sum(map(len, out))
        out.append(b"}")
        return b"".join(out)

    def _connection(self, conn: connection.Connection) -> _Encoded:
        kept = self._kept.get(conn.id)
        if kept is not None and vars(conn) == kept[0]:  # compared in C: the common case costs little
            return kept[1]
        encoded = _Encoded(encode(conn.get_state()))
        self._kept.pop(conn.id, None)
        self._kept[conn.id] = (_fields(conn), encoded)
        if len(self._kept) > _KEPT_CONNECTIONS:
            del self._kept[next(iter(self._kept))]
        return encoded


def _fields(conn: connection.Connection) -> dict[str, Any]:
    """What the connection's state is made of, its lists copied: a list changed
    in place must not look unchanged."""
    return {k: list(v) if type(v) is list else v for k, v in vars(conn).items()}


# The fields of mitmproxy's request and response data, in the order their
# get_state() (a copy of the object's attributes) gives them: the message's, then the request's or response's.
_MESSAGE_FIELDS = ("http_version", "headers", "content", "trailers", "timestamp_start", "timestamp_end")
_REQUEST_FIELDS = (*_MESSAGE_FIELDS, "host", "port", "method", "scheme", "authority", "path")
_RESPONSE_FIELDS = (*_MESSAGE_FIELDS, "status_code", "reason")
_FORMAT_VERSION = b"%d" % mversion.FLOW_FORMAT_VERSION
_HTTP_FLOW_TAIL = b"4:type;4:http;7:version;%d:%s#" % (len(_FORMAT_VERSION), _FORMAT_VERSION)


def _message(fields: dict[str, Any], names: tuple[str, ...], out: list[bytes], before: bytes = b"") -> bool:
    """Append ``before`` and a request's or response's encoded state (``fields``: its data's
    attributes) to ``out``; False, ``out`` untouched, unless its fields are ``names``
    with values of the usual types.

    The body is a piece of its own: a large one is copied once, by the record's final join."""
    if tuple(fields) != names:
        return False
    version, headers, content, trailers, start, end, *own = fields.values()
    if type(version) is not bytes or type(headers) is not http.Headers or type(start) is not float:
        return False
    if not (end is None or type(end) is float) or not (content is None or type(content) is bytes):
        return False
    header_list = _headers(headers)
    trailer_list = _NULL if trailers is None else _headers(trailers)
    if header_list is None or trailer_list is None:
        return False
    first = [b""]  # the length, once known
    for name, value in zip(reversed(names[len(_MESSAGE_FIELDS) :]), reversed(own), strict=True):
        kind = type(value)
        first.append(_key(name))
        if kind is bytes:
            first.append(b"%d:%s," % (len(value), value))
        elif kind is str:
            first.append(_key(value))
        elif kind is int:
            data = b"%d" % value
            first.append(b"%d:%s#" % (len(data), data))
        else:
            return False
    first.append(
        b"13:timestamp_end;%s15:timestamp_start;%s8:trailers;%s7:content;"
        % (_scalar(end, type(end)), _scalar(start, float), trailer_list)
    )
    last = b"7:headers;%s12:http_version;%d:%s,}" % (header_list, len(version), version)
    if content is None:
        first.append(_NULL)
    else:
        first.append(b"%d:" % len(content))
        last = b"," + last
    size = sum(map(len, first)) + len(last) - 1 + (0 if content is None else len(content))
    first[0] = b"%d:" % size
    out.append(before)
    out += first
    if content is not None:
        out.append(content)
    out.append(last)
    return True


def _headers(headers: http.Headers) -> bytes | None:
    """Headers (or trailers) as mitmproxy's state holds them, a list of name-value pairs; None
    for a pair that is not two byte strings."""
    pairs = []
    for pair in headers.fields:
        if len(pair) != 2:
            return None
        name, value = pair
        if type(name) is not bytes or type(value) is not bytes:
            return None
        data = b"%d:%s,%d:%s," % (len(name), name, len(value), value)
        pairs.append(b"%d:%s]" % (len(data), data))
    body = b"".join(pairs)
    return b"%d:%s]" % (len(body), body)
