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
once, so a large body is copied once, not once per nesting level.

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

from mitmproxy import connection
from mitmproxy import flow as mflow

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

    def record(self, f: mflow.Flow) -> bytes:
        """The bytes ``mitmproxy.io.FlowWriter(...).add(f)`` would write."""
        if getattr(f, "_backup", None) is not None:
            # mitmproxy compares the backup with the state: only the real state will do.
            return encode(f.get_state())
        client, server = f.client_conn, f.server_conn
        try:
            f.client_conn = _KnownState(self._connection(client))  # type: ignore[assignment]
            f.server_conn = _KnownState(self._connection(server))  # type: ignore[assignment]
            state = f.get_state()
        finally:
            f.client_conn, f.server_conn = client, server
        return encode(state)

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
