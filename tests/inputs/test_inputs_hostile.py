"""Reader guarantees on crafted hostile captures, whatever reader reads them.

Each test writes a small file of one class of hostile input (invalid
Unicode, malformed URLs, deep nesting, metadata of the wrong type) and
states what reading it must give: never a crash, never an entry lost whole.
"""

from __future__ import annotations

import base64
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import io
from mitmproxy.io import tnetstring
from mitmproxy.test import tflow

from flowaudit.errors import FlowauditError
from flowaudit.inputs.har import MAX_NESTING, TOO_DEEP

from .conftest import Read


def har(path: Path, entries: list[Any], **log: Any) -> Path:
    """A HAR file with ``log.entries`` last, as every exporter writes it (``log.pages`` is read before it)."""
    path.write_text(json.dumps({"log": {"version": "1.2", **log, "entries": entries}}))
    return path


def entry(url: str, text: str | None = None, headers: list[Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST", "url": url, "headers": headers or []}
    if text is not None:
        request["postData"] = {"mimeType": "application/json", "text": text}
    return {"startedDateTime": "2024-05-01T10:00:00Z", "request": request, "response": {"status": 200}}


def flow_file(path: Path, **state: Any) -> Path:
    """A flow file of one real mitmproxy flow, with top-level state fields replaced."""
    flow = tflow.tflow(resp=True)
    flow.request.host = "api.mixpanel.com"
    record = flow.get_state()
    record.update(state)
    path.write_bytes(tnetstring.dumps(record))
    return path


def test_raw_bytes_in_a_request_path_read_as_replacement_characters(read: Read, tmp_path: Path) -> None:
    flow = tflow.tflow(resp=True)
    flow.request.data.path = b"/track?name=Jos\xe9&x=\xff"  # Latin-1, not UTF-8
    path = tmp_path / "raw.mitm"
    with path.open("wb") as out:
        io.FlowWriter(out).add(flow)
    (obs,), _ = read(path)
    assert obs.path == "/track?name=Jos\ufffd&x=\ufffd"


def test_invalid_utf8_in_a_har_is_replaced_and_every_entry_read(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "bytes.har"
    doc = har(
        path, [entry("https://a.example/1", headers=[{"name": "X-A", "value": "QQ"}]), entry("https://b.example/2")]
    )
    path.write_bytes(doc.read_bytes().replace(b"QQ", b"Q\xff\xc3"))  # a stray byte, a cut sequence
    observations, (info,) = read(path)
    assert [o.host for o in observations] == ["a.example", "b.example"] and info.complete
    assert ("X-A", "Q\ufffd\ufffd") in observations[0].request_headers


def test_lone_surrogate_escapes_in_har_text_are_replaced(read: Read, tmp_path: Path) -> None:
    path = har(tmp_path / "half.har", [entry("https://a.example/\ud83d", headers=[{"name": "X", "value": "\ud83d"}])])
    (obs,), _ = read(path)
    assert (obs.path, dict(obs.request_headers)["X"]) == ("/\ufffd", "\ufffd")


@pytest.mark.parametrize(
    ("url", "host"),
    [("https://[shop/cart", "[shop"), ("http://[::1/x", "[::1"), ("https://exa\uff0fmple.com/x", "exa\uff0fmple.com")],
)
def test_malformed_request_urls_are_audited_not_skipped(read: Read, tmp_path: Path, url: str, host: str) -> None:
    (obs,), _ = read(har(tmp_path / "url.har", [entry(url)]))
    assert obs.host == host


def test_malformed_page_urls_are_passed_over(read: Read, tmp_path: Path) -> None:
    pages = [{"title": "https://[shop/cart"}, {"title": "https://shop.example/"}]
    (_,), (info,) = read(har(tmp_path / "pages.har", [entry("https://a.example/")], pages=pages))
    assert info.page_hosts == ("[shop", "shop.example")


def test_deep_nesting_in_a_har_is_read_as_a_marker_and_reading_goes_on(read: Read, tmp_path: Path) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    entries = [
        f'{{"request": {{"url": "https://a.example/", "headers": [{{"name": "X", "value": {deep}}}]}}}}',
        '{"request": {"url": "https://b.example/"}}',
    ]
    path = tmp_path / "deep.har"
    path.write_text(f'{{"log": {{"pages": {deep}, "entries": [{", ".join(entries)}]}}}}')
    (first, second), (info,) = read(path)
    assert TOO_DEEP in dict(first.request_headers)["X"] and second.host == "b.example"
    assert info.complete
    assert info.warnings == (f"a value nested more than {MAX_NESTING} levels deep was read as {TOO_DEEP!r}",) * 2


def test_deep_nesting_in_a_har_takes_little_memory(tmp_path: Path) -> None:
    """80 KB of ``[`` in log.pages took 3.9 GB before depth was bounded (ijson's prefixes grow quadratically)."""
    path = tmp_path / "deep.har"
    levels = 80 * 1024
    path.write_text('{"log": {"entries": [], "pages": ' + "[" * levels + "]" * levels + "}}")  # 160 KB
    script = (
        "import resource, sys\n"
        "from flowaudit.inputs import open_inputs\n"
        "list(open_inputs([sys.argv[1]]))\nprint('read')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    limit = 1024 * 1024 * 1024  # 1 GiB of address space: the old reader could not finish within it
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
    )
    kind, peak_kb = done.stdout.split()
    assert kind == "read", done.stderr
    assert int(peak_kb) < 200 * 1024, f"peak {int(peak_kb) // 1024} MiB"


def test_deeply_nested_header_values_read_as_text(read: Read, tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    (obs,), _ = read(
        har(tmp_path / "header.har", [entry("https://a.example/", headers=[{"name": "X", "value": deep}])])
    )
    assert dict(obs.request_headers)["X"].startswith("[[[")


@pytest.mark.parametrize("metadata", ["a string", 1.5, ["a", "list"], 7])
def test_flow_metadata_of_the_wrong_type_is_read_around(read: Read, tmp_path: Path, metadata: object) -> None:
    (obs,), (info,) = read(flow_file(tmp_path / "meta.mitm", metadata=metadata))
    assert obs.host == "api.mixpanel.com" and info.complete
    assert info.warnings == (f"flow #1: its metadata is a {type(metadata).__name__}, not a mapping: read without it",)


@pytest.mark.parametrize("version", ["21", 21.0, [], {"a": 1}, [True, False], b"21"])
def test_a_flow_format_version_of_the_wrong_type_is_read_as_current(
    read: Read, tmp_path: Path, version: object
) -> None:
    (obs,), (info,) = read(flow_file(tmp_path / "version.mitm", version=version))
    assert obs.host == "api.mixpanel.com"
    assert "its format version is a" in info.warnings[0]


def test_metadata_values_of_the_wrong_type_are_ignored(read: Read, tmp_path: Path) -> None:
    metadata = {"flowaudit.phase": ["x"], "flowaudit.capture": "s", "flowaudit.marker": 3}
    observations, (info,) = read(flow_file(tmp_path / "values.mitm", metadata=metadata))
    assert info.complete and [o.phase for o in observations] in ([], [None])


def test_a_first_record_that_is_not_a_flow_is_still_an_error(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "list.mitm"
    path.write_bytes(tnetstring.dumps([1, 2]))
    with pytest.raises(FlowauditError):
        read(path)


def test_a_flow_nested_past_the_recursion_limit_ends_reading_cleanly(read: Read, tmp_path: Path) -> None:
    """A record nested 3,000 levels deep (mitmproxy's writer cannot write it: it is written by hand)."""
    good = flow_file(tmp_path / "good.mitm").read_bytes()
    nested = b"1:x,"
    for _ in range(3000):
        nested = b"%d:%s]" % (len(nested), nested)
    metadata = b"1:a;" + nested
    payload = good.split(b":", 1)[1][:-1].replace(b"8:metadata;0:}", b"8:metadata;%d:%s}" % (len(metadata), metadata))
    path = tmp_path / "deep.mitm"
    path.write_bytes(good + b"%d:%s}" % (len(payload), payload))
    (obs,), (info,) = read(path)
    assert obs.host == "api.mixpanel.com"
    assert not info.complete and "flow #2" in (info.problem or "")


_PEAK_SCRIPT = """
import sys
from flowaudit.inputs import open_inputs
from flowaudit.payload.analyze import analyze

def status(field):
    return int([l for l in open("/proc/self/status") if l.startswith(field)][0].split()[1]) * 1024

before = status("VmRSS:")
for obs in open_inputs([sys.argv[1]]):
    size, found = len(obs.body), analyze(obs)
    del obs
print(size, any(d.data_type == "contact.email" for d in found), status("VmHWM:") - before)
"""


@pytest.mark.parametrize("kind", ["mitm", "har", "har-base64"])
def test_a_large_body_is_held_once(tmp_path: Path, kind: str) -> None:
    """A body is held once, whatever reads it, and its end is still searched (issue 15, item 10).

    Peak memory is measured in a process of its own (its own high-water mark,
    past what it held before reading), for a body of 64 MiB with an e-mail
    address at its very end: a reader that copied the body, or decoded it whole,
    would need twice its size or more."""
    size = 64 << 20
    tail = b'", "email": "jane.doe@example.com"}'
    head = b'{"event": "upload", "blob": "'
    body = head + b"x" * (size - len(head) - len(tail)) + tail
    path = tmp_path / f"large.{kind.partition('-')[0]}"
    if kind == "mitm":
        flow = tflow.tflow(resp=True)
        flow.request.host, flow.request.content = "api.mixpanel.com", body
        with path.open("wb") as out:
            io.FlowWriter(out).add(flow)
    else:
        post = {"mimeType": "application/json", "text": ""}
        if kind == "har-base64":
            post["encoding"] = "base64"
        text = base64.b64encode(body) if kind == "har-base64" else body.replace(b'"', b'\\"')
        document = {"log": {"entries": [entry("https://api.mixpanel.com/track")]}}
        document["log"]["entries"][0]["request"]["postData"] = post
        start, end = json.dumps(document).split('"text": ""')
        path.write_bytes(start.encode() + b'"text": "' + text + b'"' + end.encode())
    del body
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True, text=True, timeout=300)
    read, found, grown = done.stdout.split()
    assert int(read) == size and found == "True", done.stderr
    # A flow file's body is the reader's own buffer (1.33 times measured, the rest is the reader's
    # chunk and the decoder's windows). A HAR's long string never reaches the JSON parser: it is
    # decoded from the bytes into the body's buffer, base64 as it is read (1.3 times measured for
    # both; before, the parser's buffers, a str and the body took 4.0 and 3.8 times).
    assert int(grown) < 1.6 * size, f"peak {int(grown) / size:.2f} times the body"
