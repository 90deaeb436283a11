"""The fast flow file reader against mitmproxy's: the same observations from every flow file there is.

The fast path reads a record's fields straight from its bytes and hands
everything else to mitmproxy; these tests read each flow file both ways
(every record through mitmproxy, and the fast reader) and require the same
observations, the same custody notes and the same ending, and that the
records mitmproxy 10 to 12 write really are read without mitmproxy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from mitmproxy import flow as mflow
from mitmproxy import http
from mitmproxy.io import FlowWriter, tnetstring
from mitmproxy.test import tflow

from flowaudit.captureformat import PHASE_KEY, UNINSPECTABLE_HOST, UNINSPECTABLE_KEY, UNINSPECTABLE_REASON
from flowaudit.errors import FlowauditError
from flowaudit.inputs import flowfile, mitm
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.records import Decoded
from flowaudit.inputs.sniff import sniff
from flowaudit.inputs.stream import ByteSource, HashingReader, InflatingReader
from flowaudit.model import Observation

from .test_inputs_mitm import records, rewritten

ROOT = Path(__file__).resolve().parents[2]
SHARED_REALWORLD = Path(os.environ.get("FLOWAUDIT_SHARED", ROOT.parent / "shared")) / "realworld"

Reader = Callable[[ByteSource, str, CaptureNotes], Generator[Observation, None, str | None]]
Outcome = tuple[list[Observation], str | None, CaptureNotes] | str


def flow_files(folder: Path) -> list[Path]:
    """Every flow file under ``folder``, found by content as the CLI finds them."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and ".venv" not in path.parts and sniff(path).format == "mitm":
            found.append(path)
    return found


def read_with(reader: Reader, path: Path) -> Outcome:
    """Observations, how reading ended and the notes; or the error's message."""
    notes = CaptureNotes()
    observations: list[Observation] = []
    with path.open("rb") as raw:
        source: ByteSource = HashingReader(raw)
        if sniff(path).compressed:
            source = InflatingReader(source)
        reading = reader(source, path.name, notes)
        try:
            while True:
                observations.append(next(reading))
        except StopIteration as done:
            return observations, done.value, notes
        except FlowauditError as e:
            return f"{e.message} | {e.hint}"


def assert_same_both_ways(path: Path) -> Outcome:
    fast = read_with(flowfile.read_flow_file, path)
    assert fast == read_with(mitm.read_with_mitmproxy, path)
    return fast


TEST_FLOW_FILES = flow_files(ROOT / "tests")


def test_the_test_data_holds_flow_files_of_every_kind() -> None:
    """Not vacuous: old and current formats, gzipped, and the captures of every corpus."""
    names = {str(p.relative_to(ROOT)) for p in TEST_FLOW_FILES}
    assert {"tests/data/realworld/mitmproxy-testdata/dumpfile-7.mitm", "tests/corpus/posthog/flows.mitm"} <= names
    assert len(TEST_FLOW_FILES) >= 25


@pytest.mark.parametrize("path", TEST_FLOW_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flow_file_in_the_tests_reads_the_same_both_ways(path: Path) -> None:
    assert_same_both_ways(path)


@pytest.mark.needs_shared
@pytest.mark.skipif(not SHARED_REALWORLD.is_dir(), reason="../shared/realworld is not beside the checkout")
def test_every_flow_file_in_shared_realworld_reads_the_same_both_ways() -> None:
    paths = flow_files(SHARED_REALWORLD)
    assert len(paths) >= 20
    for path in paths:
        assert_same_both_ways(path)


def no_mitmproxy(record: bytes, name: str, n: int) -> Decoded:
    raise AssertionError(f"record {n} of {name} went to mitmproxy")


@pytest.mark.parametrize(
    "path",
    [p for p in TEST_FLOW_FILES if "mitmproxy-testdata" not in p.parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_captures_of_current_mitmproxy_never_need_mitmproxy(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mitm, "decode_with_mitmproxy", no_mitmproxy)
    observations, problem, _ = read_with(flowfile.read_flow_file, path)  # type: ignore[misc]
    assert observations and problem is None


def test_reading_a_current_capture_does_not_load_mitmproxys_flow_code() -> None:
    script = (
        "import sys\nfrom flowaudit.inputs import open_inputs\n"
        f"assert len(list(open_inputs([{str(ROOT / 'tests/data/realworld/browser/mixpanel/flows.mitm')!r}]))) == 5\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mitmproxy.io', 'mitmproxy.http', 'mitmproxy.flow'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def every_kind_of_flow() -> Iterator[mflow.Flow]:
    """Flows of every type and shape mitmproxy writes, made by mitmproxy's own test helpers."""
    yield tflow.tflow(resp=True)
    yield tflow.tflow()  # no response
    yield tflow.tflow(err=True)
    yield tflow.twebsocketflow()
    h2 = tflow.tflow(resp=True)
    h2.request.http_version = "HTTP/2.0"
    h2.request.authority = "api.example.com:8443"
    yield h2
    h2_no_authority = tflow.tflow(resp=True)
    h2_no_authority.request.http_version = "HTTP/2.0"
    h2_no_authority.request.authority = ""
    h2_no_authority.request.headers["Host"] = "named.example"
    yield h2_no_authority
    two_hosts = tflow.tflow()
    two_hosts.request.headers.add("Host", "other.example")
    yield two_hosts
    odd = tflow.tflow(resp=True)
    odd.request.headers["X-Latin"] = "caf\xe9".encode("latin-1")  # type: ignore[assignment]
    odd.request.raw_content = bytes(range(256))
    odd.request.path = "/p\udcff?q=1"  # not UTF-8 on the wire
    odd.request.method = "post"
    odd.metadata[PHASE_KEY] = "consent-granted"
    odd.metadata["nested"] = {"a": [1, 2.5, None, True, b"x"]}
    yield odd
    yield tflow.ttcpflow()
    yield tflow.ttcpflow(err=True)
    yield tflow.tudpflow()
    yield tflow.tdnsflow(resp=True)
    nowhere = tflow.ttcpflow()
    nowhere.server_conn.address = None
    nowhere.server_conn.sni = None
    nowhere.client_conn.sni = None
    yield nowhere
    refused = tflow.ttcpflow()
    refused.messages = []
    refused.error = mflow.Error("TLS handshake refused by the client: pinned")
    refused.metadata[UNINSPECTABLE_KEY] = {UNINSPECTABLE_HOST: "pinned.example", UNINSPECTABLE_REASON: "pinned"}
    yield refused
    odd_note = tflow.ttcpflow(err=True)
    odd_note.metadata[UNINSPECTABLE_KEY] = ["not", "a", "dict"]
    yield odd_note


def test_every_kind_of_flow_reads_the_same_both_ways_and_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kinds.mitm"
    with path.open("wb") as out:
        writer = FlowWriter(out)
        for f in every_kind_of_flow():
            writer.add(f)
    observations, problem, _ = assert_same_both_ways(path)  # type: ignore[misc]
    assert problem is None
    assert {o.kind for o in observations} == {"http", "tcp", "udp", "tls", "dns"}
    assert len(observations) == 14  # every flow but the TCP flow with nowhere to go
    monkeypatch.setattr(mitm, "decode_with_mitmproxy", no_mitmproxy)
    assert read_with(flowfile.read_flow_file, path)[0] == observations  # type: ignore[index]


SEGMENT = ROOT / "tests/data/realworld/sdk/segment/flows.mitm"


@pytest.mark.parametrize(
    "change",
    [
        {"version": 999},  # newer than mitmproxy reads
        {"version": 17},  # older: migrated by mitmproxy
        {"type": "nonsense"},
        {"surplus": 1},  # a field mitmproxy does not know
        {"metadata": {1: "key that is no text"}},
        {"metadata": ["not", "a", "dict"]},
        {"timestamp_created": "soon"},
        {"request": {"host": "only a host"}},
        {"response": {"status_code": "200"}},
    ],
    ids=lambda c: ",".join(f"{k}={v!r}"[:30] for k, v in c.items()),
)
def test_odd_records_are_judged_by_mitmproxy(tmp_path: Path, change: dict[str, object]) -> None:
    """Whatever mitmproxy makes of a record the fast path does not expect, the reader makes of it too."""
    first, second = records(SEGMENT)
    path = tmp_path / "odd.mitm"
    path.write_bytes(first + rewritten(second, change))
    assert_same_both_ways(path)
    path.write_bytes(rewritten(second, change) + first)
    assert_same_both_ways(path)


def request_changed(record: bytes, **change: object) -> bytes:
    state = tnetstring.loads(record)
    assert isinstance(state, dict)
    state["request"].update(change)
    return tnetstring.dumps(state)


@pytest.mark.parametrize(
    "change",
    [
        {"port": "443"},
        {"headers": [[b"a"]]},
        {"headers": [["text", b"v"]]},
        {"headers": [[b"a", b"b", b"c"]]},  # a header of three items
        {"headers": [[]]},
        {"headers": [[b"a", 1]]},
        {"headers": [(b"a", b"b"), [b"c", "d"]]},
        {"headers": [[b"", b""], [b"x-empty", b""]]},  # well-formed: read on the fast path
        {"headers": [[b"x,5:y", b"v"], [b"a,", b","], [b"ok", b"1"]]},  # commas in names: read item by item
        {"headers": []},
        {"content": "text"},
        {"extra": 1},
    ],
    ids=str,
)
def test_requests_of_the_wrong_shape_are_judged_by_mitmproxy(tmp_path: Path, change: dict[str, object]) -> None:
    first, second = records(SEGMENT)
    path = tmp_path / "odd.mitm"
    path.write_bytes(first + request_changed(second, **change))
    assert_same_both_ways(path)


@pytest.mark.parametrize("field", [b"4:host;", b"25:4:Host,"], ids=["request host", "Host header value"])
def test_a_corrupt_inner_length_is_judged_by_mitmproxy(tmp_path: Path, field: bytes) -> None:
    first, second = records(SEGMENT)
    at = second.index(field) + len(field)
    broken = second[:at] + b"9" + second[at + 1 :]  # the host's (or the next header's) length prefix, now wrong
    path = tmp_path / "odd.mitm"
    path.write_bytes(first + broken)
    observations, problem, _ = assert_same_both_ways(path)  # type: ignore[misc]
    assert len(observations) == 1 and problem is not None


def test_http_request_fields(tmp_path: Path) -> None:
    f = tflow.tflow(resp=True)
    f.request = http.Request.make("PUT", "http://Example.COM.:8080/a%20b?x=1", b"body")
    f.request.headers["Host"] = "Example.COM."
    path = tmp_path / "one.mitm"
    with path.open("wb") as out:
        FlowWriter(out).add(f)
    (obs,), problem, _ = assert_same_both_ways(path)  # type: ignore[misc]
    assert (obs.method, obs.scheme, obs.host, obs.port, obs.path, obs.body, obs.status) == (
        "PUT", "http", "example.com", 8080, "/a%20b?x=1", b"body", 200,
    )  # fmt: skip
    assert ("Host", "Example.COM.") in obs.request_headers
