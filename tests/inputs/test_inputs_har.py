"""Reading HAR files from every exporter at hand, and HAR files that are broken."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import brotli
import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import fields
from flowaudit.inputs.fields import MAX_BODY
from flowaudit.model import Observation

from .conftest import REALWORLD, TESTDATA, Read
from .test_inputs_mitm import REALWORLD_TRAFFIC


def request_line(o: Observation) -> tuple[object, ...]:
    return (o.kind, o.method, o.scheme, o.host, o.port, o.path, o.status)


def write_har(path: Path, entries: list[Any]) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


def entry(url: str, **request: Any) -> dict[str, Any]:
    return {
        "startedDateTime": "2024-05-01T10:00:00Z",
        "request": {"method": "POST", "url": url, **request},
        "response": {"status": 200},
    }


@pytest.mark.parametrize("capture", sorted(REALWORLD_TRAFFIC))
def test_realworld_har_matches_its_flow_file(read: Read, capture: str) -> None:
    har_path = REALWORLD / capture / "flows.har"
    from_har, (info,) = read(har_path)
    from_mitm, _ = read(REALWORLD / capture / "flows.mitm")
    assert [request_line(o) for o in from_har] == [request_line(o) for o in from_mitm]
    assert [o.request_headers for o in from_har] == [o.request_headers for o in from_mitm]
    assert [o.timestamp for o in from_har] == pytest.approx([o.timestamp for o in from_mitm])
    assert [o.ref for o in from_har] == [f"{har_path}#{n}" for n in range(1, len(from_har) + 1)]
    assert (info.format, info.flows, info.complete) == ("har", len(from_har), True)
    assert info.sha256 == hashlib.sha256(har_path.read_bytes()).hexdigest()


def test_har_bodies_are_already_decoded(read: Read) -> None:
    (from_har,), _ = read(REALWORLD / "sdk/sentry/flows.har")
    (from_mitm,), _ = read(REALWORLD / "sdk/sentry/flows.mitm")
    assert ("Content-Encoding", "br") in from_har.request_headers  # kept, though no longer true
    assert from_har.body_decoded and not from_mitm.body_decoded
    assert from_har.body == brotli.decompress(from_mitm.body)
    assert b'"email":"jane.doe@example.com"' in from_har.body


def test_form_and_json_bodies_equal_the_wire_bytes(read: Read) -> None:
    for capture in ("sdk/mixpanel", "sdk/segment", "browser/mixpanel"):
        from_har, _ = read(REALWORLD / capture / "flows.har")
        from_mitm, _ = read(REALWORLD / capture / "flows.mitm")
        assert [o.body for o in from_har] == [o.body for o in from_mitm]


def test_mitmproxy_testdata_pairs_agree(read: Read) -> None:
    for har_path in sorted((TESTDATA / "flows").glob("*.har")):
        from_har, _ = read(har_path)
        from_mitm, _ = read(har_path.with_suffix(".mitm"))
        http = [o for o in from_mitm if o.kind == "http"]  # HAR holds no raw TCP
        assert [request_line(o) for o in from_har] == [request_line(o) for o in http], har_path.name


# Browser and tool exports: (entries, (method, host, port) of the first, hosts seen).
EXPORTS = {
    "charles.har": (1, ("GET", "mitmproxy.org", 443), {"mitmproxy.org"}),
    "chrome.har": (3, ("GET", "mitmproxy.org", 443), {"mitmproxy.org", "www.google.com"}),
    "firefox.har": (14, ("GET", "mitmproxy.org", 443), {"mitmproxy.org", "s3-us-west-2.amazonaws.com"}),
    "head-content-length.har": (1, ("HEAD", "files.pythonhosted.org", 443), {"files.pythonhosted.org"}),
    "insomnia.har": (1, ("GET", "mitm.it", 80), {"mitm.it"}),
    "postdata.har": (
        1,
        ("POST", "signal-metrics-collector-beta.s-onetag.com", 443),
        {"signal-metrics-collector-beta.s-onetag.com"},
    ),
    "safari.har": (19, ("GET", "mitmproxy.org", 443), {"mitmproxy.org", "s3-us-west-2.amazonaws.com"}),
    "with-bom.har": (
        1,
        ("POST", "signal-metrics-collector-beta.s-onetag.com", 443),
        {"signal-metrics-collector-beta.s-onetag.com"},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exports_from_browsers_and_tools(read: Read, name: str) -> None:
    observations, (info,) = read(TESTDATA / "har_files" / name)
    count, first, hosts = EXPORTS[name]
    assert len(observations) == count == info.flows
    assert (observations[0].method, observations[0].host, observations[0].port) == first
    assert {o.host for o in observations} == hosts
    assert info.complete


def test_exports_cover_every_file() -> None:
    assert {p.name for p in (TESTDATA / "har_files").glob("*.har")} == set(EXPORTS)


def test_byte_order_mark_is_ignored(read: Read) -> None:
    with_bom, _ = read(TESTDATA / "har_files/with-bom.har")
    without, _ = read(TESTDATA / "har_files/postdata.har")
    assert [(request_line(o), o.body, o.request_headers) for o in with_bom] == [
        (request_line(o), o.body, o.request_headers) for o in without
    ]
    assert b'"pageViewId":1689428126308' in with_bom[0].body


def test_chrome_pseudo_headers_are_dropped_and_status_zero_means_none(read: Read) -> None:
    observations, _ = read(TESTDATA / "har_files/chrome.har")
    raw = json.loads((TESTDATA / "har_files/chrome.har").read_text())["log"]["entries"]
    assert any(h["name"] == ":authority" for h in raw[0]["request"]["headers"])
    assert not any(name.startswith(":") for o in observations for name, _ in o.request_headers)
    assert raw[1]["response"]["status"] == 0 and observations[1].status is None


def test_timestamps_with_zone_offsets(read: Read) -> None:
    (charles,), _ = read(TESTDATA / "har_files/charles.har")  # 2023-03-29T17:37:42.482-07:00
    assert charles.timestamp == pytest.approx(1680136662.482)


def test_zhar_reads_like_the_har_it_compresses(read: Read) -> None:
    packed, (info,) = read(TESTDATA / "flows/compressed.zhar")
    plain, _ = read(TESTDATA / "flows/successful_log.har")
    assert [(request_line(o), o.body) for o in packed] == [(request_line(o), o.body) for o in plain]
    assert (info.format, info.complete) == ("har", True)


def test_params_rebuild_a_form_body_when_text_is_missing(read: Read, tmp_path: Path) -> None:
    har = json.loads((REALWORLD / "sdk/mixpanel/flows.har").read_text())
    post_data = har["log"]["entries"][0]["request"]["postData"]
    del post_data["text"]
    path = tmp_path / "params.har"
    path.write_text(json.dumps(har))
    (first, _), _ = read(path)
    assert first.body_decoded
    (data,) = parse_qs(first.body.decode("ascii"))["data"]
    assert json.loads(data)["properties"]["$email"] == "jane.doe@example.com"


def test_base64_post_data(read: Read, tmp_path: Path) -> None:
    path = write_har(
        tmp_path / "b64.har",
        [
            entry("https://a.example/x", postData={"text": "AAEC/w==", "encoding": "base64"}),
            entry("https://a.example/y", postData={"text": "not base64!", "_encoding": "base64"}),
        ],
    )
    first, second = read(path)[0]
    assert first.body == b"\x00\x01\x02\xff"
    assert second.body == b"not base64!"


def test_entries_without_a_network_url_are_skipped_keeping_positions(read: Read, tmp_path: Path) -> None:
    path = write_har(
        tmp_path / "mixed.har",
        [
            entry("data:text/plain,hello"),
            {"request": {"method": "GET"}},
            "not an entry",
            entry("https://a.example:99999/"),
            entry("wss://Live.Example./socket?x=1#frag"),
            {"request": {"url": "http://[2001:db8::1]:8080"}},
        ],
    )
    observations, (info,) = read(path)
    assert [(o.index, o.method, o.scheme, o.host, o.port, o.path) for o in observations] == [
        (5, "POST", "https", "live.example", 443, "/socket?x=1"),
        (6, "GET", "http", "2001:db8::1", 8080, "/"),
    ]
    assert [o.status for o in observations] == [200, None]
    assert [o.timestamp for o in observations] == [pytest.approx(1714557600.0), None]
    assert info.complete and info.flows == 2


def test_header_pairs_and_odd_values(read: Read, tmp_path: Path) -> None:
    path = write_har(
        tmp_path / "headers.har",
        [
            entry(
                "https://a.example/",
                headers=[
                    ["X-Pair", "1"],
                    {"name": "X-Num", "value": 5},
                    {"name": "X-Null", "value": None},
                    {"value": "nameless"},
                    7,
                ],
            ),
        ],
    )
    (o,), _ = read(path)
    assert o.request_headers == (("X-Pair", "1"), ("X-Num", "5"), ("X-Null", ""))


def test_huge_body_is_cut_and_flagged(read: Read, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_BODY >= 512 << 20  # kept whole up to here; a smaller bound stands in for it below
    monkeypatch.setattr(fields, "MAX_BODY", 1 << 20)
    path = write_har(tmp_path / "big.har", [entry("https://a.example/", postData={"text": "x" * ((1 << 20) + 10)})])
    (o,), _ = read(path)
    assert len(o.body) == 1 << 20 and o.body_truncated


def test_truncated_har_yields_entries_before_the_break(read: Read, tmp_path: Path) -> None:
    source = TESTDATA / "har_files/firefox.har"
    data = source.read_bytes()
    path = tmp_path / "cut.har"
    path.write_bytes(data[: len(data) // 2])
    observations, (info,) = read(path)
    full, _ = read(source)
    assert 0 < len(observations) < len(full)
    assert [request_line(o) for o in observations] == [request_line(o) for o in full[: len(observations)]]
    assert not info.complete
    assert info.problem == f"truncated after entry #{len(observations)}: parse error: premature EOF"
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_gzip_of_several_members_reads_whole(read: Read, tmp_path: Path) -> None:
    data = (TESTDATA / "har_files/firefox.har").read_bytes()
    path = tmp_path / "two-members.har.gz"
    path.write_bytes(gzip.compress(data[:100_000]) + gzip.compress(data[100_000:]))
    packed, (info,) = read(path)
    plain, _ = read(TESTDATA / "har_files/firefox.har")
    assert [request_line(o) for o in packed] == [request_line(o) for o in plain]
    assert info.complete


def test_truncated_zhar_is_incomplete(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "cut.zhar"
    path.write_bytes((TESTDATA / "flows/compressed.zhar").read_bytes()[:-200])
    observations, (info,) = read(path)
    assert len(observations) < 2
    assert info.problem is not None and info.problem.startswith("truncated after entry #")


def test_garbage_after_the_document_is_incomplete(read: Read, tmp_path: Path) -> None:
    path = tmp_path / "tail.har"
    path.write_bytes((REALWORLD / "sdk/segment/flows.har").read_bytes() + b"\n}garbage")
    observations, (info,) = read(path)
    assert len(observations) == 2
    assert info.problem == "unreadable data after entry #2: parse error: trailing garbage"


def test_corrupt_gzip_data_after_good_entries_is_incomplete(read: Read, tmp_path: Path) -> None:
    packed = bytearray(gzip.compress((TESTDATA / "har_files/firefox.har").read_bytes()))
    packed[-2000:-1000] = bytes(1000)
    path = tmp_path / "broken.har.gz"
    path.write_bytes(bytes(packed))
    observations, (info,) = read(path)
    assert len(observations) > 0
    assert info.problem is not None and "compressed data is corrupt" in info.problem


def test_mitmproxy_corrupted_har_is_an_error(read: Read) -> None:
    path = TESTDATA / "corrupted_har/brokenfile.har"
    with pytest.raises(FlowauditError) as caught:
        read(path)
    assert str(caught.value) == f'{path}: not a valid HAR file: "log" is not an object'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"log": {"version": "1.2"}}', 'not a valid HAR file: it has no "log.entries" list'),
        ('{"log": {"entries": {"a": 1}}}', 'not a valid HAR file: "log.entries" is not a list'),
        ('{"log": {"entries": [}', "not a readable HAR file: parse error: unallowed token at this point in JSON text"),
    ],
    ids=["no-entries", "entries-not-list", "bad-json"],
)
def test_not_a_valid_har(read: Read, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(FlowauditError) as caught:
        read(path)
    assert caught.value.message == message
    assert caught.value.path == str(path)


def test_empty_entries_list_reads_as_zero_flows(read: Read, tmp_path: Path) -> None:
    observations, (info,) = read(write_har(tmp_path / "none.har", []))
    assert observations == []
    assert (info.flows, info.complete) == (0, True)


def test_http_toolkit_shape(read: Read, tmp_path: Path) -> None:
    """HTTP Toolkit writes decoded body text beside an empty ``params: []``,
    lower-case headers, and status 0 for aborted exchanges (facts from
    https://github.com/httptoolkit/httptoolkit-ui/blob/main/src/model/http/har.ts)."""
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "HTTP Toolkit", "version": "1.19.0"},
            "pages": [
                {"id": "Python", "title": "Python", "startedDateTime": "2024-05-01T10:00:00.000Z", "pageTimings": {}}
            ],
            "entries": [
                {
                    "pageref": "Python",
                    "startedDateTime": "2024-05-01T10:00:00.000Z",
                    "time": -1,
                    "request": {
                        "method": "POST",
                        "url": "https://api.segment.io/v1/batch",
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": [
                            {"name": "content-type", "value": "application/json"},
                            {"name": "content-encoding", "value": "gzip"},
                        ],
                        "queryString": [],
                        "postData": {"mimeType": "application/json", "text": '{"userId":"user-4242"}', "params": []},
                        "headersSize": -1,
                        "bodySize": 41,
                    },
                    "response": {
                        "status": 0,
                        "statusText": "",
                        "httpVersion": "",
                        "headers": [],
                        "cookies": [],
                        "content": {"size": 0, "mimeType": "application/x-unknown"},
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": -1,
                    },
                    "cache": {},
                    "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": 0, "receive": 0},
                }
            ],
        }
    }
    path = tmp_path / "httptoolkit.har"
    path.write_text(json.dumps(har))
    (o,), (info,) = read(path)
    assert (o.host, o.path, o.status) == ("api.segment.io", "/v1/batch", None)
    assert o.body == b'{"userId":"user-4242"}' and o.body_decoded
    assert ("content-encoding", "gzip") in o.request_headers
    assert info.complete


def test_flowaudit_own_records_in_a_har_export_are_skipped(read: Read, tmp_path: Path) -> None:
    """A HAR exported from a flowaudit capture holds its metadata record and
    markers (requests to the reserved host): they are not the app's traffic."""
    path = write_har(
        tmp_path / "export.har",
        [entry("http://flowaudit.invalid/capture"), entry("https://api.segment.io/v1/batch")],
    )
    observations, (info,) = read(path)
    assert [o.host for o in observations] == ["api.segment.io"]
    assert observations[0].ref.endswith("#2")  # positions are kept
    assert info.complete


def test_har_pages_and_capture_record_are_noted(read: Read, tmp_path: Path) -> None:
    record = {"status": 200, "content": {"text": 'flowaudit capture record (not app traffic):\n{"app": "Acme"}\n'}}
    path = tmp_path / "pages.har"
    path.write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "pages": [{"id": "page_1", "title": "https://Shop.Example.com/cart"}, {"title": "Checkout"}],
                    "entries": [
                        {**entry("http://flowaudit.invalid/capture"), "response": record},
                        entry("https://api.segment.io/v1/batch"),
                    ],
                }
            }
        )
    )
    _, (info,) = read(path)
    assert info.page_hosts == ("shop.example.com",)
    assert info.app == "Acme"


def test_cookies_listed_only_in_cookies_are_read_as_a_cookie_header(read: Read, tmp_path: Path) -> None:
    """chrome-har (puppeteer) lists a request's cookies in ``cookies[]`` and sends no Cookie header."""
    cookies = [
        {"name": "c_user", "value": "199712934", "domain": ".facebook.com"},
        {"name": "datr", "value": "z-c7ZEfzpO"},
        {"name": "bad;name", "value": "x"},
        {"name": "fr", "value": None},
        "not a cookie",
    ]
    path = write_har(tmp_path / "c.har", [entry("https://www.facebook.com/tr/", headers=[], cookies=cookies)])
    (o,), _ = read(path)
    assert o.request_headers == (("Cookie", "c_user=199712934; datr=z-c7ZEfzpO"),)


def test_a_cookie_in_both_places_is_read_once(read: Read, tmp_path: Path) -> None:
    """Chrome's own export lists cookies twice: in the Cookie header and in ``cookies[]``."""
    headers = [{"name": "cookie", "value": "IDE=AHWqTUk; test_cookie=CheckForPermission"}]
    cookies = [{"name": "IDE", "value": "AHWqTUk"}, {"name": "DSID", "value": "NO_DATA"}]
    path = write_har(
        tmp_path / "c.har", [entry("https://cm.g.doubleclick.net/pixel", headers=headers, cookies=cookies)]
    )
    (o,), _ = read(path)
    assert o.request_headers == (
        ("cookie", "IDE=AHWqTUk; test_cookie=CheckForPermission"),
        ("Cookie", "DSID=NO_DATA"),
    )


def test_real_chrome_har_cookie_list(read: Read) -> None:
    """fb-pixel-inspector (chrome-har via puppeteer): facebook.com cookies only in request.cookies[]."""
    path = Path(__file__).resolve().parents[1] / "corpus/external/pixelinspector-oraquick/capture.har"
    raw = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"][11]["request"]
    assert not any(h["name"].lower() == "cookie" for h in raw["headers"])
    observations, _ = read(path)
    (o,) = [o for o in observations if o.index == 12]
    (cookie,) = [value for name, value in o.request_headers if name == "Cookie"]
    assert [piece.partition("=")[0] for piece in cookie.split("; ")] == [c["name"] for c in raw["cookies"]]


class _Sizes:
    """A byte source that records the size of every read asked of it."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at, self.asked = data, 0, []

    def read(self, n: int, /) -> bytes:
        self.asked.append(n)
        chunk = self._data[self._at : self._at + n]
        self._at += len(chunk)
        return chunk


def test_a_long_value_is_read_in_growing_chunks() -> None:
    """ijson's C parser reads a token cut by a chunk's end again from its start: a 60 MiB body read
    in 64 KiB chunks cost 9 s of parsing, quadratic in its length. While no entry completes the reads
    double, and once one does they are small again, so small entries are still read as they stream.
    Long strings no longer reach the parser (see test_inputs_longstrings.py): the long value here
    is a number, 2.6 million digits of it. (The streaming reader: read_har parses entries like these whole,
    see test_inputs_harsplit.py.)"""
    from flowaudit.inputs.har import read_har_streamed
    from flowaudit.inputs.stream import CHUNK

    def entry(text: str) -> dict[str, Any]:
        post = {"mimeType": "text/plain", "text": text}
        request = {"method": "POST", "url": "https://api.example/e", "headers": [], "postData": post}
        return {"startedDateTime": "2026-12-03T10:00:00Z", "request": request, "response": {"status": 200}}

    small = [entry(f"small {n}") for n in range(4000)]  # each chunk of these completes entries
    document = {"log": {"version": "1.2", "entries": [{**entry("long"), "time": 0.5}, *small]}}
    data = json.dumps(document).encode().replace(b'"time": 0.5', b'"time": 0.' + b"0" * 40 * CHUNK + b"5", 1)
    source = _Sizes(data)
    read = list(read_har_streamed(source, "grow.har"))
    assert len(read) == 4001 and read[0].body == b"long"
    asked = source.asked
    top = max(asked)
    growing = asked[: asked.index(top) + 1]
    assert growing == [CHUNK * 2**i for i in range(len(growing))] and len(growing) >= 4
    rest = asked[len(growing) :]
    at_top = next(i for i, n in enumerate(rest) if n != top)
    assert rest[at_top] == CHUNK  # small again once the long entry completed


def test_a_truncated_har_yields_every_batch_before_the_break(read: Read, tmp_path: Path) -> None:
    """Observations are yielded in batches: a break far into the file still yields every entry before it."""
    from flowaudit.inputs.har import _BATCH

    entries = [entry(f"https://a.example/{n}") for n in range(1, 2 * _BATCH + 11)]
    data = json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()
    path = tmp_path / "cut.har"
    path.write_bytes(data[: data.index(b'/%d"' % len(entries))])  # inside the last entry
    observations, (info,) = read(path)
    assert [o.path for o in observations] == [f"/{n}" for n in range(1, len(entries))]
    assert [o.ref for o in observations] == [f"{path}#{n}" for n in range(1, len(entries))]
    assert info.problem == f"truncated after entry #{len(entries) - 1}: parse error: premature EOF"


def test_batches_are_bounded_by_the_bytes_read() -> None:
    """The first observations come after about _BATCH_BYTES of the file, not at its end."""
    from flowaudit.inputs.har import _BATCH_BYTES, read_har
    from flowaudit.inputs.stream import CHUNK

    big = [entry("https://a.example/e", headers=[{"name": "X-Pad", "value": "p" * 4000}]) for _ in range(2000)]
    data = json.dumps({"log": {"version": "1.2", "entries": big}}).encode()
    assert len(data) > 6 * _BATCH_BYTES
    source = _Sizes(data)
    reading = read_har(source, "big.har")
    next(reading)
    assert sum(source.asked) <= _BATCH_BYTES + 2 * CHUNK
    assert len(list(reading)) == len(big) - 1


def test_observations_are_as_checking_their_texts_makes_them(read: Read, tmp_path: Path) -> None:
    """An all-ASCII request is made without the dataclass's check of its texts
    (:mod:`flowaudit.inputs.checked`): every observation of every real HAR, and of one whose
    URL and headers are not ASCII, equals the observation the check makes of its fields."""
    from dataclasses import fields as dataclass_fields

    odd = write_har(
        tmp_path / "odd.har",
        [entry("https://b\u00fccher.example/caf\u00e9?q=\u00e9t\u00e9", headers=[{"name": "X-N", "value": "\u00e9"}])],
    )
    external = sorted((REALWORLD.parents[1] / "corpus" / "external").glob("*/capture.har"))
    made = 0
    for har in [*sorted(REALWORLD.glob("**/*.har")), *external, odd]:
        try:
            observations, _ = read(har)
        except FlowauditError:
            continue  # not a HAR, or a broken one (tested above)
        for o in observations:
            assert o == Observation(*[getattr(o, f.name) for f in dataclass_fields(Observation)]), o.ref
            made += 1
    assert made > 1000
    (o,), _ = read(odd)
    assert o.path == "/caf\u00e9?q=\u00e9t\u00e9" and o.request_headers == (("X-N", "\u00e9"),)
