"""Reading flow records with mitmproxy's own code: the path every record can take.

Records of older flow formats need mitmproxy's migrations, and a record the
fast path (:mod:`flowaudit.inputs.flowfile`) finds odd is best judged by the
parser that wrote it. Here a record is parsed, migrated and rebuilt into a
flow object the way mitmproxy reads it, so every format the installed
mitmproxy understands is read the way mitmproxy reads it, and what
mitmproxy cannot rebuild is reported as such. The flow is then observed
with the same rules as the fast path (:mod:`flowaudit.inputs.flowobs`).

Live flows while recording are observed here too (:func:`observe`), so the
live view counts exactly what the audit will.
"""

from __future__ import annotations

import gc
from collections.abc import Generator

from mitmproxy import dns, http, tcp, udp
from mitmproxy import flow as mflow
from mitmproxy import version as mversion
from mitmproxy.io import compat, tnetstring

from flowaudit.captureformat import RESERVED_HOST, UNINSPECTABLE_KEY
from flowaudit.errors import FlowauditError
from flowaudit.inputs.flowobs import (
    Metadata,
    addressed_host,
    connect_observation,
    dns_observation,
    http_observation,
    is_bookkeeping,
    raw_observation,
    uninspectable_observation,
)
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.records import Decoded, Stop, read_records
from flowaudit.inputs.stream import ByteSource
from flowaudit.model import Observation

__all__ = ["decode_with_mitmproxy", "is_app_request", "observe", "read_with_mitmproxy"]

_UPGRADE_HINT = "upgrade mitmproxy: pip install -U mitmproxy"


def read_with_mitmproxy(
    source: ByteSource, name: str, notes: CaptureNotes | None = None
) -> Generator[Observation, None, str | None]:
    """Every record through mitmproxy (see :func:`flowaudit.inputs.records.read_records`):
    what the fast reader is compared with."""
    return read_records(source, name, decode_with_mitmproxy, notes)


def decode_with_mitmproxy(record: bytes | bytearray, name: str, n: int) -> Decoded:
    """Record ``n`` rebuilt by mitmproxy, then observed.

    Raises :class:`Stop` for a record mitmproxy cannot rebuild and
    :class:`FlowauditError` for a flow format the installed mitmproxy cannot read.
    """
    warnings: list[str] = []
    flow = _decode(record, name, n, warnings)
    decoded = Decoded(flow.metadata if isinstance(flow.metadata, dict) else {}, observe(flow, name, n), tuple(warnings))
    del flow
    # Flow objects rebuilt by mitmproxy end up in reference cycles (a frame
    # kept by an exception its state setter catches), so only the cycle
    # collector frees them. It runs after so many new *objects*, not bytes:
    # flows with large bodies would pile up, megabytes each, between its
    # runs. Sweeping the young generations here keeps memory at one flow.
    gc.collect(1)
    return decoded


def _decode(record: bytes | bytearray, name: str, n: int, warnings: list[str]) -> mflow.Flow:
    # Records are untrusted bytes: whatever mitmproxy's parser, migrations or
    # state setters raise for one (ValueError, KeyError, RecursionError...),
    # it means the same thing here: this record cannot be rebuilt.
    try:
        state = tnetstring.pop(memoryview(record))[0]  # loads(), typed for bytes alone
    except Exception as e:
        # (mitmproxy's message quotes a memoryview object, not the data: not worth showing)
        raise Stop(f"flow #{n} is not valid tnetstring data", truncated=False) from e
    if not isinstance(state, dict):
        raise Stop(f"flow #{n} is not a flow", truncated=False)
    warnings += _mend_types(state)
    _check_version(state.get("version", state.get(b"version")), name)
    try:
        return mflow.Flow.from_state(compat.migrate_flow(state))
    except Exception as e:
        raise Stop(f"flow #{n} cannot be rebuilt ({type(e).__name__}: {e})", truncated=False) from e


def _mend_types(state: dict[object, object]) -> list[str]:
    """Drop what has the wrong type for mitmproxy to rebuild the flow from
    (another tool's addon may write anything into a flow file); say what.
    The flow is still the app's traffic, and is read without it.

    ``metadata`` must be a mapping; ``version`` an integer, or the
    (major, minor) pair of files before mitmproxy 4. A version of another
    type is taken to be the current one: if the flow is not in the current
    format after all, rebuilding it fails and says so.
    """
    said = []
    metadata = state.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        state["metadata"] = {}
        said.append(f"its metadata is a {type(metadata).__name__}, not a mapping: read without it")
    version = state.get("version")
    pair = isinstance(version, (list, tuple)) and len(version) >= 2 and all(_integer(p) for p in version[:2])
    if "version" in state and not (_integer(version) or pair):
        state["version"] = mversion.FLOW_FORMAT_VERSION
        said.append(
            f"its format version is a {type(version).__name__}, not a number: "
            f"read as version {mversion.FLOW_FORMAT_VERSION}"
        )
    return said


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    not the app's traffic (see :mod:`flowaudit.inputs.flowobs`). Metadata
    that is not a dictionary (a hostile record) is taken as none."""
    metadata = _metadata(f)
    if is_bookkeeping(metadata):
        return None
    if isinstance(f, http.HTTPFlow) and f.request.method.upper() == "CONNECT":
        return connect_observation(
            name,
            n,
            metadata,
            host=f.request.host,
            port=f.request.port,
            status=f.response.status_code if f.response is not None else None,
            reason=f.response.reason if f.response is not None else "",
            error=f.error.msg if f.error is not None else None,
            server_error=f.server_conn.error,
            timestamp=f.request.timestamp_start,
        )
    if isinstance(f, http.HTTPFlow):
        request = f.request
        return http_observation(
            name,
            n,
            metadata,
            method=request.data.method,
            scheme=request.data.scheme,
            host=request.host,
            port=request.port,
            path=request.data.path,
            http_version=request.data.http_version,
            authority=request.data.authority,
            headers=request.headers.fields,
            content=request.raw_content,
            status=f.response.status_code if f.response is not None else None,
            timestamp=request.timestamp_start,
        )
    address = f.server_conn.address
    if isinstance(f, tcp.TCPFlow) and UNINSPECTABLE_KEY in metadata:
        return uninspectable_observation(
            name,
            n,
            metadata,
            about=metadata[UNINSPECTABLE_KEY],
            client_sni=f.client_conn.sni,
            address=address,
            error=f.error.msg if f.error is not None else None,
            timestamp=f.timestamp_created,
        )
    if isinstance(f, (tcp.TCPFlow, udp.UDPFlow)):
        return raw_observation(
            name,
            n,
            metadata,
            kind="tcp" if isinstance(f, tcp.TCPFlow) else "udp",
            server_sni=f.server_conn.sni,
            client_sni=f.client_conn.sni,
            address=address,
            messages=((m.from_client, m.content) for m in f.messages),
            timestamp=f.timestamp_created,
        )
    if isinstance(f, dns.DNSFlow):
        return dns_observation(
            name,
            n,
            metadata,
            questions=((q.name, q.type) for q in f.request.questions),
            error=f.error.msg if f.error is not None else None,
            response_code=f.response.response_code if f.response is not None else None,
            timestamp=f.request.timestamp,
        )
    return None


def is_app_request(f: mflow.Flow) -> bool | None:
    """For an HTTP request (not a CONNECT): whether :func:`observe` makes it an observation
    of the app's traffic, decided as it decides but without making one; None for any
    other flow, which only :func:`observe` tells about.

    While recording with no live view drawn, every flow is only counted, on
    the proxy's thread, before its client is answered: an observation made
    for each (its headers decoded, its fields copied) would be thrown away."""
    if not isinstance(f, http.HTTPFlow) or f.request.method.upper() == "CONNECT":
        return None
    if is_bookkeeping(_metadata(f)):
        return False
    request = f.request  # the fields observe() hands http_observation
    return addressed_host(request.data.http_version, request.data.authority, request.headers.fields, request.host) != (
        RESERVED_HOST
    )


def _metadata(f: mflow.Flow) -> Metadata:
    return f.metadata if isinstance(f.metadata, dict) else {}
