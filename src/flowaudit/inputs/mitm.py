"""Reading mitmproxy flow files, one flow at a time.

A flow file is a plain concatenation of tnetstrings, one per flow:
``<length>:<payload><type>``, the type of a flow always ``}`` (dictionary).
The framing is done here rather than by ``mitmproxy.io.FlowReader`` because
the reader must tell *why* a file ends early: a capture cut short (the
proxy was killed, the disk filled, a download stopped) is still evidence
and is audited up to the break, while bytes that are not a flow file at all
are a user error. mitmproxy's own reader reports both as "Invalid data
format" and gives up. Decoding, migration of older flow formats and
building flow objects stay mitmproxy's job, so every format the installed
mitmproxy understands is read the way mitmproxy reads it.

This is the only module that imports mitmproxy.

References are positions: flow *n* is the *n*-th record in the file, so
``capture.mitm#7`` names the same flow in every report even though not
every record becomes an observation:

* DNS flows are skipped: a lookup sends nothing to the looked-up party, and
  whatever the app then sends to it is its own flow;
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
(``flowaudit.phase`` in the flow's metadata, set by the addon), and the
reference of the marker record that started it. The capture record's app
and device are gathered into :class:`~flowaudit.inputs.notes.CaptureNotes`.
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from dataclasses import replace

from mitmproxy import flow as mflow
from mitmproxy import http, tcp, udp
from mitmproxy import version as mversion
from mitmproxy.io import compat, tnetstring
from mitmproxy.net.http import url

from flowaudit.captureformat import (
    CAPTURE_KEY,
    MARKER_KEY,
    MARKER_NAME,
    PHASE_KEY,
    RESERVED_HOST,
    UNINSPECTABLE_HOST,
    UNINSPECTABLE_KEY,
    UNINSPECTABLE_REASON,
)
from flowaudit.errors import FlowauditError
from flowaudit.inputs.fields import MAX_BODY, bound_body, normalize_host
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.stream import CHUNK, ByteSource, CorruptStream
from flowaudit.model import Observation

__all__ = ["PHASE_KEY", "observe", "read_mitm"]

_MAX_PREFIX = 12  # digits of a length prefix; mitmproxy's own limit too
_READ_AT_MOST = 8 * 1024 * 1024  # per read while filling a large record

# Metadata mitmproxy's migration (compat.convert_11_12) sets on the second
# copy of a WebSocket upgrade request it builds from a pre-7 message record.
_MIGRATION_COPY = "duplicated"

_UPGRADE_HINT = "upgrade mitmproxy: pip install -U mitmproxy"


class _Stop(Exception):
    """The file stops being a flow file here; ``truncated`` says whether it was cut short."""

    def __init__(self, detail: str, *, truncated: bool) -> None:
        super().__init__(detail)
        self.truncated = truncated


def read_mitm(
    source: ByteSource, name: str, notes: CaptureNotes | None = None
) -> Generator[Observation, None, str | None]:
    """Yield the observations of a flow file; return why reading stopped early, or None.

    ``notes`` gathers what the capture says about itself (the capture
    record's app and device, where each phase marker sits); each observation
    made in a marked phase cites that marker's record (``phase_ref``).

    A break after at least one record yields everything before it and is
    returned as the problem. Unreadable data from the very first record,
    or a flow format the installed mitmproxy cannot read, raises
    :class:`FlowauditError`.
    """
    records = _Records(source)
    n = 0
    while True:
        try:
            record = records.next()
            if record is None:
                return None
            # The flow object is dropped before the observation is handed on.
            flow = _decode(record, name, n + 1)
            if notes is not None:
                _take_notes(flow, f"{name}#{n + 1}", notes)
            observation = observe(flow, name, n + 1)
            del flow
        except (_Stop, CorruptStream) as e:
            truncated = isinstance(e, _Stop) and e.truncated
            if n == 0 and not truncated:
                raise FlowauditError(f"not a readable mitmproxy flow file: {e}", path=name) from e
            what = "truncated" if truncated else "unreadable data"
            return f"{what} after flow #{n}: {e}"
        n += 1
        # Flow objects rebuilt by mitmproxy end up in reference cycles (a frame
        # kept by an exception its state setter catches), so only the cycle
        # collector frees them. It runs after so many new *objects*, not bytes:
        # flows with large bodies would pile up, megabytes each, between its
        # runs. Sweeping the young generations here keeps memory at one flow;
        # measured, it costs nothing noticeable (4000 flows: 1.6 s either way).
        gc.collect(1)
        if observation is not None:
            if notes is not None and observation.phase:
                observation = replace(observation, phase_ref=notes.marker_ref(observation.phase))
            yield observation


def _take_notes(f: mflow.Flow, ref: str, notes: CaptureNotes) -> None:
    """The capture record's facts and where each phase marker sits."""
    if CAPTURE_KEY in f.metadata:
        notes.take_record(f.metadata[CAPTURE_KEY])
    marker = f.metadata.get(MARKER_KEY)
    if isinstance(marker, dict):
        notes.take_marker(marker.get(MARKER_NAME), ref)


class _Records:
    """Splits a byte stream into tnetstring records, reading only what each needs."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._buf = bytearray()
        self._offset = 0  # position of _buf[0] in the stream

    def next(self) -> bytes | None:
        """The next whole record, or None at a clean end of the stream."""
        colon = self._find_colon()
        if colon is None:
            return None
        length = int(self._buf[:colon])
        end = colon + 1 + length + 1  # payload and type byte
        self._fill(end)
        if len(self._buf) < end:
            raise _Stop(
                f"the record at byte {self._offset} announces {length} bytes, "
                f"the file ends {end - len(self._buf)} bytes short of that",
                truncated=True,
            )
        if self._buf[end - 1 : end] != b"}":
            raise _Stop(f"the record at byte {self._offset} is not a flow", truncated=False)
        with memoryview(self._buf) as view:
            record = bytes(view[:end])  # one copy, not a slice and then a copy
        del self._buf[:end]
        self._offset += end
        return record

    def _find_colon(self) -> int | None:
        while True:
            colon = self._buf.find(b":", 0, _MAX_PREFIX + 1)
            digits = self._buf[:colon] if colon >= 0 else self._buf[: _MAX_PREFIX + 1]
            if not digits.isdigit() and (digits or colon >= 0):
                raise _Stop(f"no record length at byte {self._offset}", truncated=False)
            if colon >= 0:
                return colon
            if len(digits) > _MAX_PREFIX:
                raise _Stop(f"absurd record length at byte {self._offset}", truncated=False)
            more = self._source.read(CHUNK)
            if not more:
                if not self._buf:
                    return None
                raise _Stop(f"the file ends inside a record length at byte {self._offset}", truncated=True)
            self._buf += more

    def _fill(self, size: int) -> None:
        # Chunked, so a corrupt length of a terabyte costs only the bytes that exist.
        while len(self._buf) < size:
            more = self._source.read(min(size - len(self._buf), _READ_AT_MOST))
            if not more:
                return
            self._buf += more


def _decode(record: bytes, name: str, n: int) -> mflow.Flow:
    # Records are untrusted bytes: whatever mitmproxy's parser, migrations or
    # state setters raise for one (ValueError, KeyError, RecursionError...),
    # it means the same thing here: this record cannot be rebuilt.
    try:
        state = tnetstring.loads(record)
    except Exception as e:
        # (mitmproxy's message quotes a memoryview object, not the data: not worth showing)
        raise _Stop(f"flow #{n} is not valid tnetstring data", truncated=False) from e
    if not isinstance(state, dict):
        raise _Stop(f"flow #{n} is not a flow", truncated=False)
    _check_version(state.get("version", state.get(b"version")), name)
    try:
        return mflow.Flow.from_state(compat.migrate_flow(state))
    except Exception as e:
        raise _Stop(f"flow #{n} cannot be rebuilt ({type(e).__name__}: {e})", truncated=False) from e


def _check_version(found: object, name: str) -> None:
    """Refuse, with the fix, a flow format the installed mitmproxy cannot read.

    Since mitmproxy 4 the format version is an integer; before, it was the
    release's (major, minor) pair, and only pairs mitmproxy still has a
    converter for can be read.
    """
    current = mversion.FLOW_FORMAT_VERSION
    if isinstance(found, int) and found > current:
        raise FlowauditError(
            f"this file uses flow format version {found}; the installed mitmproxy "
            f"{mversion.VERSION} reads versions up to {current}",
            path=name,
            hint=_UPGRADE_HINT,
        )
    if isinstance(found, (list, tuple)) and tuple(found[:2]) not in compat.converters:
        oldest = min(k for k in compat.converters if isinstance(k, tuple))
        raise FlowauditError(
            f"this file uses the flow format of mitmproxy {_dotted(found)}; the installed "
            f"mitmproxy {mversion.VERSION} converts formats from {_dotted(oldest)} on",
            path=name,
            hint="record the traffic again with a current mitmproxy",
        )


def _dotted(version: tuple[object, ...] | list[object]) -> str:
    return ".".join(str(part) for part in version[:2])


def observe(f: mflow.Flow, name: str, n: int) -> Observation | None:
    """The observation of flow ``n`` of ``name``, or None for a record that is
    not the app's traffic (see the module docstring). Also used on live flows
    while recording, so the live view counts exactly what the audit will."""
    if _MIGRATION_COPY in f.metadata or CAPTURE_KEY in f.metadata or MARKER_KEY in f.metadata:
        return None
    if isinstance(f, http.HTTPFlow):
        observation = _observe_http(f, name, n)
        return None if observation.host == RESERVED_HOST else observation
    if isinstance(f, tcp.TCPFlow) and UNINSPECTABLE_KEY in f.metadata:
        return _observe_uninspectable(f, name, n)
    if isinstance(f, (tcp.TCPFlow, udp.UDPFlow)):
        return _observe_raw(f, name, n)
    return None  # DNS: see the module docstring


def _observe_http(f: http.HTTPFlow, name: str, n: int) -> Observation:
    request = f.request
    body, cut = bound_body(request.raw_content or b"")
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind="http",
        method=request.method,
        scheme=request.scheme,
        host=normalize_host(_addressed_host(request)),
        port=request.port,
        path=request.path,
        request_headers=tuple((_text(k), _text(v)) for k, v in request.headers.fields),
        body=body,
        body_decoded=False,
        body_truncated=cut,
        status=f.response.status_code if f.response is not None else None,
        timestamp=request.timestamp_start,
        phase=_phase(f),
    )


def _addressed_host(request: http.Request) -> str:
    """The host the client addressed: its Host header or :authority, when well-formed.

    In transparent mode ``request.host`` is only the IP address connected
    to; the name is in the header. mitmproxy's ``pretty_host`` would return
    a malformed header verbatim, port and all.
    """
    authority = request.host_header
    if authority:
        try:
            return url.parse_authority(authority, check=True)[0]
        except ValueError:
            pass  # not a host name: fall back to where the connection went
    return request.host


def _observe_raw(f: tcp.TCPFlow | udp.UDPFlow, name: str, n: int) -> Observation | None:
    address = f.server_conn.address
    host = f.server_conn.sni or f.client_conn.sni or (address[0] if address else "")
    if not host:
        return None
    body, cut = bound_body(_sent_bytes(f.messages))
    kind = "tcp" if isinstance(f, tcp.TCPFlow) else "udp"
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind=kind,
        method="",
        scheme=kind,
        host=normalize_host(host),
        port=address[1] if address else 0,
        path="",
        body=body,
        body_truncated=cut,
        timestamp=f.timestamp_created,
        phase=_phase(f),
    )


def _observe_uninspectable(f: tcp.TCPFlow, name: str, n: int) -> Observation | None:
    about = f.metadata[UNINSPECTABLE_KEY]
    about = about if isinstance(about, dict) else {}
    address = f.server_conn.address
    host = about.get(UNINSPECTABLE_HOST)
    host = host if isinstance(host, str) and host else f.client_conn.sni or (address[0] if address else "")
    reason = about.get(UNINSPECTABLE_REASON)
    if not host:
        return None
    return Observation(
        ref=f"{name}#{n}",
        source=name,
        index=n,
        kind="tls",
        method="",
        scheme="tls",
        host=normalize_host(host),
        port=address[1] if address else 443,
        path="",
        timestamp=f.timestamp_created,
        phase=_phase(f),
        error=reason if isinstance(reason, str) else (f.error.msg if f.error is not None else None),
    )


def _sent_bytes(messages: list[tcp.TCPMessage] | list[udp.UDPMessage]) -> bytes:
    """What the client sent, stopping once past the body bound."""
    sent = bytearray()
    for m in messages:
        if m.from_client:
            sent += m.content
            if len(sent) > MAX_BODY:
                break
    return bytes(sent)


def _phase(f: mflow.Flow) -> str | None:
    phase = f.metadata.get(PHASE_KEY)
    return phase if isinstance(phase, str) else None


def _text(raw: bytes) -> str:
    """Header bytes as text: UTF-8 when valid, else Latin-1, which maps every byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
