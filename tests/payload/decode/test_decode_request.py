"""decode_request on crafted requests: each encoding, the location and decoding chain of what it finds,
and the bounds that keep hostile input from costing more than it should."""

from __future__ import annotations

import base64
import gzip
import json
import resource
import struct
import time
import zlib
from collections.abc import Container, Sequence
from urllib.parse import quote, quote_plus

import brotli
import pytest
import zstandard

from flowaudit.payload.decode import DEFAULT_LIMITS, DecodeLimits, decode_request
from flowaudit.payload.decode.walker import Keep, WindowPair
from flowaudit.payload.model import DecodedRequest

from .conftest import messages

EMAIL = "jane.doe@example.com"
EVENT = {"event": "Symptom Logged", "properties": {"$email": EMAIL, "condition": "type 2 diabetes"}}


def where(decoded: DecodedRequest, value: str) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    """(part, location, decoding, key) of every leaf holding exactly ``value``."""
    return [(x.part, x.location, x.decoding, x.key) for x in decoded.leaves if x.value == value]


# -- containers ----------------------------------------------------------------


def test_json_body_paths(request_with) -> None:
    body = json.dumps({"batch": [{"traits": {"email": EMAIL}, "n": 3, "ok": True, "none": None}]}).encode()
    decoded = decode_request(request_with(body, (("Content-Type", "application/json"),)))
    assert where(decoded, EMAIL) == [("body", "body > json:batch[0].traits.email", ("json",), "email")]
    assert where(decoded, "3") == [("body", "body > json:batch[0].n", ("json",), "n")]
    assert where(decoded, "true") == [("body", "body > json:batch[0].ok", ("json",), "ok")]
    assert not any(x.location.endswith(".none") for x in decoded.leaves)  # null carries nothing
    assert [(y.location, y.decoding) for y in decoded.layers] == [("body", ())]


def test_form_with_url_encoded_json_array_of_json_strings(request_with) -> None:
    """Twice-nested JSON inside a form field: a JSON array whose items are JSON strings."""
    inner = json.dumps(EVENT)
    body = ("data=" + quote_plus(json.dumps([inner])) + "&verbose=1").encode()
    decoded = decode_request(request_with(body, (("content-type", "application/x-www-form-urlencoded"),)))
    assert where(decoded, EMAIL) == [
        ("body", "body > form:data > json:[0] > json:properties.$email", ("form", "json", "json"), "$email")
    ]
    assert where(decoded, "1") == [("body", "body > form:verbose", ("form",), "verbose")]
    assert [y.location for y in decoded.layers] == ["body", "body > form:data", "body > form:data > json:[0]"]


def test_bracketed_form_keys_are_shown_as_written(request_with) -> None:
    body = b"ud%5Bem%5D=abc123&cd[value]=9.99&ep.plan=gold"
    decoded = decode_request(request_with(body, (("Content-Type", "application/x-www-form-urlencoded"),)))
    assert where(decoded, "abc123") == [("body", "body > form:ud[em]", ("form",), "ud[em]")]
    assert where(decoded, "9.99")[0][1] == "body > form:cd[value]"
    assert where(decoded, "gold")[0][1] == "body > form:ep.plan"


def test_form_content_type_with_unencoded_spaces(request_with) -> None:
    decoded = decode_request(
        request_with(b"note=felt dizzy&n=2", (("Content-Type", "application/x-www-form-urlencoded"),))
    )
    assert where(decoded, "felt dizzy") == [("body", "body > form:note", ("form",), "note")]


def test_form_without_a_form_content_type_and_form_lines(request_with) -> None:
    decoded = decode_request(request_with(b"en=page_view&dl=x", (("Content-Type", "text/plain"),)))
    assert where(decoded, "page_view") == [("body", "body > form:en", ("form",), "en")]
    ga4 = b"en=scroll&epn.percent_scrolled=90\r\nen=page_view&ep.search=diabetes+diet\r\n"
    decoded = decode_request(request_with(ga4, (("Content-Type", "text/plain;charset=UTF-8"),)))
    assert where(decoded, "diabetes diet") == [
        ("body", "body > lines:line 2 > form:ep.search", ("lines", "form"), "ep.search")
    ]


def test_query_path_headers_and_cookies(request_with) -> None:
    obs = request_with(
        path="/v1/u/user-4242/track?ud[em]=abc&dl=https%3A%2F%2Fshop.example%2Fp%3Fq%3Dinsulin&e",
        headers=(
            ("Host", "collector.example"),
            ("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8)"),
            ("Cookie", "_ga=GA1.2.1478153842.1693348042; em=jane.doe%40example.com"),
            ("Authorization", "Basic " + base64.b64encode(b"SEGMENT_WRITE_KEY_abc123:").decode()),
            ("Content-Length", "0"),
        ),
    )
    decoded = decode_request(obs)
    assert where(decoded, "user-4242") == [("url", "url:path[2]", (), None)]
    assert where(decoded, "abc") == [("query", "query:ud[em]", ("query",), "ud[em]")]
    page = "https://shop.example/p?q=insulin"
    assert where(decoded, page) == [("query", "query:dl", ("query",), "dl")]  # a page URL is kept whole ...
    assert where(decoded, "insulin") == [("query", "query:dl > query:q", ("query", "query"), "q")]  # ... and opened
    assert where(decoded, EMAIL) == [("cookie", "cookie:em", ("cookie",), "em")]
    assert where(decoded, "SEGMENT_WRITE_KEY_abc123:") == [
        ("header", "header:Authorization > base64", ("base64",), "Authorization")
    ]
    assert where(decoded, "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8)")[0][:2] == ("header", "header:User-Agent")
    assert not any(x.key in ("Host", "Content-Length") for x in decoded.leaves)  # transport headers skipped
    assert [y.location for y in decoded.layers] == ["query"]


def test_matrix_parameters_in_the_path(request_with) -> None:
    """Quantcast's ``/pixel;labels=…;url=…`` and DoubleClick's ``/activityi;src=…;u1=…`` (RFC 3986 3.3)."""
    decoded = decode_request(
        request_with(path="/pixel;r=991;labels=_fp.event.Sign%20up;url=https%3A%2F%2Fa.example%2F")
    )
    assert where(decoded, "pixel") == [("url", "url:path[0]", (), None)]
    assert where(decoded, "_fp.event.Sign up") == [("url", "url:path[0] > form:labels", ("form",), "labels")]
    assert where(decoded, "https://a.example/") == [("url", "url:path[0] > form:url", ("form",), "url")]


def test_a_url_encoded_twice_is_read_as_the_url(request_with) -> None:
    """Nativo's ``ntv_url=https%253A%252F%252F9gag.com%252F`` is ``https%3A%2F%2F9gag.com%2F`` once decoded."""
    decoded = decode_request(request_with(path="/t?ntv_url=https%253A%252F%252Fshop.example%252Fs%253Fq%253Dflu"))
    url = "https://shop.example/s?q=flu"
    assert where(decoded, url) == [("query", "query:ntv_url > urldecode", ("query", "urldecode"), "ntv_url")]
    assert where(decoded, "flu")[0][1] == "query:ntv_url > urldecode > query:q"
    plain = decode_request(request_with(path="/t?v=http%253A"))  # no URL inside: kept as sent
    assert where(plain, "http%3A") == [("query", "query:v", ("query",), "v")]


def test_a_relative_url_with_a_query_is_walked_like_a_url(request_with) -> None:
    """Meta's Graph batch item ``relative_url`` is "<app>/activities?advertiser_id=...": its
    parameters are values of the request like a full URL's; text with a question mark is not."""
    item = "138566025676/activities?event=CUSTOM_APP_EVENTS&advertiser_id=8309e2d7"
    body = json.dumps({"batch": [{"relative_url": item}, {"note": "why? because=no"}, {"q": "a/b?"}]}).encode()
    decoded = decode_request(request_with(body, (("Content-Type", "application/json"),)))
    assert where(decoded, item) == [("body", "body > json:batch[0].relative_url", ("json",), "relative_url")]
    assert where(decoded, "8309e2d7") == [
        ("body", "body > json:batch[0].relative_url > query:advertiser_id", ("json", "query"), "advertiser_id")
    ]
    assert where(decoded, "why? because=no") == [("body", "body > json:batch[1].note", ("json",), "note")]
    assert where(decoded, "a/b?") == [("body", "body > json:batch[2].q", ("json",), "q")]
    walked = {x.location.partition(" > query:")[0] for x in decoded.leaves if " > query:" in x.location}
    assert walked == {"body > json:batch[0].relative_url"}


def test_multipart_parts_are_decoded_by_their_own_content(request_with) -> None:
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="event"\r\nContent-Type: application/json\r\n\r\n'
        + json.dumps(EVENT).encode()
        + b'\r\n--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\nfelt dizzy\r\n--xyz--\r\n'
    )
    decoded = decode_request(request_with(body, (("Content-Type", "multipart/form-data; boundary=xyz"),)))
    assert where(decoded, EMAIL) == [
        ("body", "body > multipart:event > json:properties.$email", ("multipart", "json"), "$email")
    ]
    assert where(decoded, "felt dizzy") == [("body", "body > multipart:note", ("multipart",), "note")]


def test_ndjson_lines(request_with) -> None:
    body = "\n".join(json.dumps({"i": i, "email": EMAIL}) for i in range(3)).encode()
    decoded = decode_request(request_with(body, (("Content-Type", "application/x-ndjson"),)))
    assert [x[1:3] for x in where(decoded, EMAIL)] == [
        (f"body > ndjson:line {n} > json:email", ("ndjson", "json")) for n in (1, 2, 3)
    ]


def test_sentry_envelope_recognised_without_its_content_type(request_with) -> None:
    body = b"\n".join(
        [
            json.dumps({"event_id": "9ec79c33ec9942ab8353589fcb2e04dc", "sent_at": "2026-01-01T00:00:00Z"}).encode(),
            json.dumps({"type": "attachment", "length": 10}).encode(),
            b"plain text",
            json.dumps({"type": "event"}).encode(),
            json.dumps({"user": {"email": EMAIL}}).encode(),
        ]
    )
    decoded = decode_request(request_with(gzip.compress(body)))
    assert where(decoded, EMAIL) == [
        ("body", "body > gzip > envelope:line 5 > json:user.email", ("gzip", "envelope", "json"), "email")
    ]
    assert where(decoded, "plain text") == [("body", "body > gzip > envelope:line 3", ("gzip", "envelope"), None)]


# -- compression, by header and by sniffing ------------------------------------


@pytest.mark.parametrize(
    ("header", "pack", "step"),
    [
        ("gzip", gzip.compress, "gzip"),
        ("x-gzip", gzip.compress, "gzip"),
        ("deflate", zlib.compress, "deflate"),
        ("br", brotli.compress, "br"),
        ("zstd", zstandard.ZstdCompressor().compress, "zstd"),
    ],
)
def test_content_encoding_header(request_with, header: str, pack, step: str) -> None:
    body = pack(json.dumps(EVENT).encode())
    decoded = decode_request(request_with(body, (("Content-Encoding", header),)))
    assert where(decoded, EMAIL) == [("body", f"body > {step} > json:properties.$email", (step, "json"), "$email")]
    assert decoded.problems == ()


@pytest.mark.parametrize(
    ("pack", "step"),
    [(gzip.compress, "gzip"), (zlib.compress, "deflate"), (zstandard.ZstdCompressor().compress, "zstd")],
)
def test_compression_without_a_header_is_sniffed(request_with, pack, step: str) -> None:
    decoded = decode_request(request_with(pack(json.dumps(EVENT).encode()), (("Content-Type", "text/plain"),)))
    assert where(decoded, EMAIL)[0][1:3] == (f"body > {step} > json:properties.$email", (step, "json"))


def test_brotli_without_a_header_is_a_last_resort(request_with) -> None:
    decoded = decode_request(request_with(brotli.compress(json.dumps(EVENT).encode())))
    assert where(decoded, EMAIL)[0][1:3] == ("body > br > json:properties.$email", ("br", "json"))


def test_har_body_already_decoded_despite_its_header(request_with) -> None:
    """HAR exports keep Content-Encoding on text that is already decoded: sniff, don't fail."""
    decoded = decode_request(request_with(json.dumps(EVENT).encode(), (("content-encoding", "gzip"),), har=True))
    assert where(decoded, EMAIL)[0][1:3] == ("body > json:properties.$email", ("json",))
    assert decoded.problems == ()


def test_wrong_content_encoding_header_the_body_is_read_as_sent(request_with) -> None:
    """Bytes without the gzip magic under a gzip header are not compressed: read whole, nothing was lost."""
    decoded = decode_request(request_with(json.dumps(EVENT).encode(), (("Content-Encoding", "gzip"),)))
    assert where(decoded, EMAIL)[0][1] == "body > json:properties.$email"
    assert decoded.problems == ()


def test_gzip_that_is_not_what_its_magic_says_is_reported(request_with) -> None:
    decoded = decode_request(request_with(b"\x1f\x8b" + b"not a deflate stream", (("Content-Encoding", "gzip"),)))
    assert [p.reason for p in decoded.problems] == ["compression"]
    assert messages(decoded)[0].startswith("gzip data at body could not be decoded")


def test_unsupported_content_encoding(request_with) -> None:
    decoded = decode_request(request_with(b'{"a": "b"}', (("Content-Encoding", "compress"),)))
    assert messages(decoded) == ("Content-Encoding 'compress' is not supported: body read as sent",)
    assert where(decoded, "b")  # still read


def test_damaged_gzip_is_read_as_far_as_it_goes(request_with) -> None:
    packed = gzip.compress(("\n".join(json.dumps({"i": i, "email": EMAIL}) for i in range(200))).encode())
    decoded = decode_request(request_with(packed[: len(packed) * 2 // 3], (("Content-Encoding", "gzip"),)))
    assert any("gzip data at body is damaged" in p for p in messages(decoded))
    assert len(where(decoded, EMAIL)) > 10  # the lines before the cut


# -- strings holding encodings ---------------------------------------------------


def test_base64_json_and_base64_gzip_in_fields(request_with) -> None:
    as_b64 = base64.b64encode(json.dumps(EVENT).encode()).decode()
    gz_b64 = base64.urlsafe_b64encode(gzip.compress(json.dumps(EVENT).encode())).decode()
    decoded = decode_request(request_with(json.dumps({"a": as_b64, "b": gz_b64}).encode()))
    assert [x[1:3] for x in where(decoded, EMAIL)] == [
        ("body > json:a > base64 > json:properties.$email", ("json", "base64", "json")),
        ("body > json:b > base64url > gzip > json:properties.$email", ("json", "base64url", "gzip", "json")),
    ]


def test_ids_and_tokens_are_not_decoded(request_with) -> None:
    values = {
        "insert_id": "vop6n1ubf1iux41j",
        "token": "0123456789abcdef0123456789abcdef",
        "device": "e94f7cdf-a501-4762-90bb-9118d0ca52cb",
        "key": "AIzaSyDyT5W0Jh49F30Pqqtyfdf7pDLFKLJoAnw",  # base64-looking, decodes to binary
        "hash": base64.b64encode(bytes(range(200, 232))).decode(),  # base64 of binary: kept as is
    }
    decoded = decode_request(request_with(json.dumps(values).encode()))
    assert sorted((x.key, x.value) for x in decoded.leaves if x.part == "body") == sorted(values.items())


def test_jwt_payload_is_walked(request_with) -> None:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'RS256'})}.{part({'sub': 'user-4242', 'email': EMAIL})}.c2ln"
    decoded = decode_request(request_with(headers=(("Authorization", f"Bearer {token}"),)))
    assert where(decoded, EMAIL) == [("header", "header:Authorization > jwt > json:email", ("jwt", "json"), "email")]


def test_url_encoded_json_in_a_json_string(request_with) -> None:
    decoded = decode_request(request_with(json.dumps({"payload": quote(json.dumps(EVENT))}).encode()))
    assert where(decoded, EMAIL)[0][1:3] == (
        "body > json:payload > urldecode > json:properties.$email",
        ("json", "urldecode", "json"),
    )


# -- protobuf ----------------------------------------------------------------------


def _pb(number: int, wire: int, payload: bytes) -> bytes:
    return bytes([number << 3 | wire]) + payload


def _pb_str(number: int, text: bytes) -> bytes:
    return _pb(number, 2, bytes([len(text)]) + text)


def test_gzipped_protobuf_without_any_header(request_with) -> None:
    """Firebase app-measurement batches: gzip'd protobuf sent as form-urlencoded, nested messages."""
    param = _pb_str(1, b"condition") + _pb_str(2, b"type 2 diabetes")
    event = _pb(2, 2, bytes([len(param)]) + param) + _pb_str(3, b"log_reading") + _pb(4, 0, b"\x05")
    bundle = _pb(1, 0, b"\x01") + _pb(2, 2, bytes([len(event)]) + event) + _pb(7, 1, struct.pack("<d", 48.8566))
    body = gzip.compress(_pb(1, 2, bytes([len(bundle)]) + bundle))
    decoded = decode_request(request_with(body, (("Content-Type", "application/x-www-form-urlencoded"),)))
    assert where(decoded, "type 2 diabetes") == [("body", "body > gzip > protobuf:1.2.2.2", ("gzip", "protobuf"), "2")]
    assert where(decoded, "log_reading")[0][1] == "body > gzip > protobuf:1.2.3"
    assert where(decoded, "5")[0][1] == "body > gzip > protobuf:1.2.4"
    assert where(decoded, "48.8566")[0][1] == "body > gzip > protobuf:1.7"


# -- bounds --------------------------------------------------------------------------


def _gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes (a multiple of 1 MiB), built without ever holding or compressing them all.

    After a full flush a deflate stream starts afresh, so the compressed form
    of one MiB of zeros can be repeated. The CRC is left at 0: a decoder that
    respects its bounds stops long before it would check it.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    deflate = block * (size >> 20) + packer.flush()
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + deflate + struct.pack("<II", 0, size & 0xFFFFFFFF)


def test_decompression_bomb_is_refused_with_bounded_time_and_memory(request_with) -> None:
    bomb = _gzip_of_zeros(1 << 30)  # 1 GiB of zeros in about 1 MiB
    assert len(bomb) < 2 << 20
    assert zlib.decompressobj(31).decompress(bomb, 1 << 20) == bytes(1 << 20)  # it is a real gzip of zeros
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()  # CPU time: the machine may be shared
    decoded = decode_request(request_with(bomb, (("Content-Encoding", "gzip"),), path="/"))
    elapsed = time.process_time() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert messages(decoded) == (
        "decompression bomb refused at body > gzip: more than 100:1 and over 1 MiB; the first 512 MiB scanned in"
        " windows for canaries, key terms and key/value pairs (0 kept), not decoded whole",
    )
    assert decoded.leaves == () and decoded.layers == ()  # zeros: nothing to keep
    assert elapsed < 8.0  # stops at 512 MiB of output (about 2.5 s) instead of inflating 1 GiB
    assert grown_mib < 300


def _brotli_of_zeros(size: int) -> bytes:
    packer = brotli.Compressor(quality=4)
    block = bytes(1 << 20)
    return b"".join(packer.process(block) for _ in range(size >> 20)) + packer.finish()


def _zstd_of_zeros(size: int) -> bytes:
    packer = zstandard.ZstdCompressor().compressobj()
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(size >> 20)) + packer.flush()


@pytest.mark.parametrize("pack", [_brotli_of_zeros, _zstd_of_zeros], ids=["br", "zstd"])
def test_bombs_in_other_formats_and_inside_base64(request_with, pack) -> None:
    """Past 512 MiB of output, even padding is no longer read (a bomb of zeros), and that is said."""
    decoded = decode_request(request_with(pack(600 << 20)))
    assert any(p.startswith("decompression bomb refused at body > ") for p in messages(decoded))
    nested = json.dumps({"blob": base64.b64encode(_gzip_of_zeros(600 << 20)).decode()}).encode()
    decoded = decode_request(request_with(nested))
    assert messages(decoded) == (
        "decompression bomb refused at body > json:blob > base64 > gzip: more than 100:1 and over 1 MiB; the"
        " first 512 MiB scanned in windows for canaries, key terms and key/value pairs (0 kept), not decoded whole",
    )


def test_a_bomb_of_padding_alone_is_read_whole(request_with) -> None:
    """50 MiB of NUL bytes (under the 512 MiB scanned at most) say nothing: read whole, nothing is missing."""
    decoded = decode_request(request_with(_gzip_of_zeros(50 << 20), (("Content-Encoding", "gzip"),)))
    assert decoded.problems == () and [leaf for leaf in decoded.leaves if leaf.part == "body"] == []


def test_a_legitimate_large_body_within_the_ratio_is_decoded(request_with) -> None:
    rows = [{"i": i, "note": f"reading {i * 7919 % 10007}", "email": EMAIL} for i in range(20_000)]
    text = json.dumps(rows).encode()
    body = gzip.compress(text)
    assert len(text) > 1 << 20 and len(text) < 100 * len(body)
    decoded = decode_request(request_with(body, (("Content-Encoding", "gzip"),)), DecodeLimits(max_values=100_000))
    assert decoded.problems == ()
    assert len(where(decoded, EMAIL)) == 20_000


def test_decoded_size_budget(request_with) -> None:
    limits = DecodeLimits(max_decoded_bytes=1000)
    body = gzip.compress(json.dumps([EVENT] * 50).encode())
    decoded = decode_request(request_with(body), limits)
    assert messages(decoded) == (
        "decoded-size bound of 0 MiB reached at body > gzip; all 0.0 MiB scanned in windows for canaries,"
        " key terms and key/value pairs (0 kept), not decoded whole",
    )


def test_depth_bound(request_with) -> None:
    value: str = EMAIL
    for _ in range(12):
        value = base64.b64encode(json.dumps({"v": value}).encode()).decode()
    decoded = decode_request(request_with(json.dumps({"v": value}).encode()))
    assert any(
        p.startswith("decoding stopped at body > json:v") and p.endswith("8 layers deep") for p in messages(decoded)
    )
    assert max(len(x.decoding) for x in decoded.leaves) <= DEFAULT_LIMITS.max_depth
    assert where(decoded, EMAIL) == []  # beyond the bound: not reached


def test_json_nesting_bound(request_with) -> None:
    deep = "[" * 100 + '"x"' + "]" * 100
    decoded = decode_request(request_with(deep.encode()))
    assert messages(decoded) == ("JSON nested over 64 levels at body > json:" + "[0]" * 65 + ": not walked further",)


def test_value_bound(request_with) -> None:
    decoded = decode_request(request_with(json.dumps(list(range(50))).encode(), path="/"), DecodeLimits(max_values=10))
    assert len(decoded.leaves) + len(decoded.layers) == 10
    assert messages(decoded) == ("more than 10 values in this request: stopped at body > json:[9]",)


@pytest.mark.parametrize(
    "garbage",
    [
        bytes(range(256)) * 4,
        b"\x1f\x8b\x08\x00garbage after a gzip magic",
        b"\x28\xb5\x2f\xfdnot zstd",
        b'{"unterminated": [1, 2',
        b"\xff\xfe\x00\x00" * 100,
        "naïve café ünïcödé".encode("latin-1"),
        b"[" * 5000,
    ],
)
def test_garbage_bodies_never_raise(request_with, garbage: bytes) -> None:
    for headers in ((), (("Content-Encoding", "gzip"),), (("Content-Type", "multipart/form-data; boundary=x"),)):
        decode_request(request_with(garbage, headers))


def test_latin1_text_is_read_as_text(request_with) -> None:
    decoded = decode_request(request_with("nom=José&ville=Besançon".encode("latin-1")))
    assert where(decoded, "Besançon") == [("body", "body > form:ville", ("form",), "ville")]


def test_media_bodies_are_left_alone(request_with) -> None:
    decoded = decode_request(request_with(b"\x89PNG\r\n\x1a\n" + bytes(5000), path="/"))
    assert decoded.leaves == () and decoded.layers == () and decoded.problems == ()


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        (b'{"event": "Purchase", "value": ', True),  # cut mid-object
        (b"undefined", True),  # what a script sends when its payload was never built
        (b'"a JSON string"', False),
        (b"42", False),
        (b"event=Purchase&value=9", False),  # mislabelled, but read whole as a form: nothing lost
    ],
)
def test_invalid_json_under_a_json_content_type_is_reported(request_with, body: bytes, reported: bool) -> None:
    decoded = decode_request(request_with(body, (("Content-Type", "application/json; charset=utf-8"),)))
    assert [p.reason for p in decoded.problems] == (["json"] if reported else [])
    assert decoded.leaves or decoded.layers  # what was there is still searchable


def test_json_too_deep_for_the_parser_is_reported(request_with) -> None:
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    decoded = decode_request(request_with(deep, (("Content-Type", "application/json"),)))
    assert messages(decoded) == ("JSON at body nested too deep to parse: read as text",)  # not "invalid"
    assert [p.reason for p in decoded.problems] == ["bound"]


# -- bodies too large to decode: padding squeezed out, windows scanned ---------------


def _holding(*marks: str) -> Keep:
    """A judge (see ``Keep``) that names each mark a window's text holds ("text <mark>"), and each
    mark its pairs hold ("pair <mark>"), with the pairs holding it."""

    def keep(text: str, pairs: Sequence[WindowPair], shown: Container[str]) -> dict[str, list[int]]:
        new: dict[str, list[int]] = {f"text {mark}": [] for mark in marks if mark in text}
        for mark in marks:
            holding = [n for n, (_, _, _, value) in enumerate(pairs) if mark in value]
            if holding:
                new[f"pair {mark}"] = holding
        return {reason: found for reason, found in new.items() if reason not in shown}

    return keep


def test_json_padded_with_white_space_is_decoded_whole(request_with) -> None:
    """2 MiB of white space inside a JSON body compress to a few kilobytes: over the bomb ratio, yet
    the body says nothing more than the JSON does. It is read with the padding squeezed out."""
    text = b'{"event": "Signed up",' + b" " * (2 << 20) + b'"properties": {"$email": "' + EMAIL.encode() + b'"}}'
    body = gzip.compress(text, 9)
    assert len(body) < 8 << 10  # a few KiB on the wire
    decoded = decode_request(request_with(body, (("Content-Encoding", "gzip"),)))
    assert decoded.problems == ()
    assert [(leaf.location, leaf.decoding) for leaf in decoded.leaves if leaf.value == EMAIL] == [
        ("body > gzip > unpadded > json:properties.$email", ("gzip", "unpadded", "json"))
    ]


_FORM = "multipart/form-data; boundary=----WebKitFormBoundaryKWJEtAtrCOTbUZ6U"
_DELIMITER = b"------WebKitFormBoundaryKWJEtAtrCOTbUZ6U"


def _form(*fields: tuple[str, bytes]) -> bytes:
    parts = [
        _DELIMITER + b'\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (n.encode(), v) for n, v in fields
    ]
    return b"".join(parts) + _DELIMITER + b"--\r\n"


@pytest.mark.parametrize("compressed", [False, True], ids=["over the body bound", "a bomb of padding"])
def test_a_form_padded_with_white_space_is_read_as_a_form(request_with, compressed: bool) -> None:
    """A multipart form is read by its delimiter lines: with its padding squeezed out, it is still
    read as the form it is, its fields by name (its line ends are no padding to squeeze)."""
    form = _form(("ev", b"Lead" + b" " * (9 << 20)), ("email", EMAIL.encode()))
    body = gzip.compress(form, 9) if compressed else form
    headers = (("Content-Type", _FORM),) + ((("Content-Encoding", "gzip"),) if compressed else ())
    decoded = decode_request(request_with(body, headers))
    inner = ("gzip", "unpadded", "multipart") if compressed else ("unpadded", "multipart")
    assert [(leaf.location, leaf.decoding) for leaf in decoded.leaves if leaf.value == EMAIL] == [
        (" > ".join(("body", *inner[:-1], "multipart:email")), inner)
    ]
    assert decoded.problems == ()  # nothing is missing: the whole form was read


def test_a_form_of_a_million_fields_is_not_read_as_one_text_with_nothing_said(request_with) -> None:
    """Padding made of fields rather than white space (9 MB of two-byte fields, then an email):
    squeezing its line ends out left one text of 7 MB, in which the fields were no longer fields,
    decoded whole with nothing said. Read as the form it is, its part bound is reached and reported."""
    body = b"--x\r\n" + b"ab\r\n--x\r\n" * 1_000_000
    body += b'Content-Disposition: form-data; name="email"\r\n\r\n' + EMAIL.encode() + b"\r\n--x--\r\n"
    decoded = decode_request(request_with(body, (("Content-Type", "multipart/form-data; boundary=x"),)))
    assert messages(decoded) == ("multipart data at body > unpadded has over 1000 parts: the rest not read",)


def test_a_body_too_large_to_decode_is_scanned_in_windows(request_with) -> None:
    """Past the decoded-size bound, a stream is read in windows and the ones that hold what the caller
    looks for are kept as text; the request is still counted as not fully decoded."""
    limits = DecodeLimits(max_decoded_bytes=1 << 20, window=4096)
    filler = ",".join(f'"k{i}": "v{i * 7919 % 10007}"' for i in range(200_000))
    text = ("{" + filler + f', "hidden": "{EMAIL}", ' + filler.replace('"k', '"m') + "}").encode()
    decoded = decode_request(
        request_with(gzip.compress(text), (("Content-Encoding", "gzip"),)), limits, keep=_holding("@")
    )
    [kept] = [layer for layer in decoded.layers if EMAIL in layer.text]
    assert kept.location.startswith("body > gzip > window:") and kept.decoding == ("gzip", "window")
    offset = int(kept.location.rpartition(":")[2])
    assert offset <= text.index(EMAIL.encode()) < offset + 4096 + 256
    assert len(decoded.layers) == 1  # only the window that holds it
    [problem] = messages(decoded)
    assert problem.startswith("decoded-size bound of 1 MiB reached at body > gzip; all ")
    assert problem.endswith("in windows for canaries, key terms and JSON values by path (1 kept), not decoded whole")
    [leaf] = [leaf for leaf in decoded.leaves if leaf.value == EMAIL]  # read as a stream: its true place
    assert (leaf.location, leaf.decoding) == ("body > gzip > streamed > json:hidden", ("gzip", "streamed", "json"))


def test_junk_before_the_data_cannot_crowd_it_out(request_with) -> None:
    """An app that wants to hide data puts junk that looks worth keeping first: 3 MiB of decoy pairs
    (a form: read in windows), three times the decoded-size bound, then the data. Every window is
    judged, and only those that show something no kept window shows are kept: the first decoy window,
    and the one with the data, whose pair is read; the 900 decoy windows between them are dropped, so
    memory does not grow with them."""
    limits = DecodeLimits(max_decoded_bytes=1 << 20, window=4096)
    decoys = "&".join(f"email_hint=x{i}" for i in range(250_000))
    text = (decoys + f"&email={EMAIL}").encode()
    assert len(text) > 3 << 20
    body = gzip.compress(text)
    decoded = decode_request(request_with(body, (("Content-Encoding", "gzip"),)), limits, keep=_holding("x1", EMAIL))
    assert len(decoded.layers) == 2 and EMAIL in decoded.layers[1].text
    [leaf] = [leaf for leaf in decoded.leaves if leaf.value == EMAIL]
    assert leaf.location.startswith("body > gzip > window:") and leaf.location.endswith(" > form:email")
    assert leaf.decoding == ("gzip", "window", "form")
    body_leaves = [leaf for leaf in decoded.leaves if leaf.part == "body"]
    assert len(body_leaves) == 1 + 4  # the data, and the first 4 decoy pairs holding "x1"
    offset = int(leaf.location.split(" > ")[2].partition(":")[2])
    assert offset <= text.index(EMAIL.encode()) < offset + 4096 + 256  # a reader finds it where it says
    [problem] = messages(decoded)
    assert problem.endswith("in windows for canaries, key terms and key/value pairs (2 kept), not decoded whole")


def test_a_value_cut_by_a_window_edge_is_found_whole(request_with) -> None:
    limits = DecodeLimits(max_decoded_bytes=4096, window=1024)
    text = b"x" * 1020 + EMAIL.encode() + b"y" * 20_000
    decoded = decode_request(request_with(gzip.compress(text)), limits, keep=_holding(EMAIL))
    assert [layer.location for layer in decoded.layers] == ["body > gzip > window:1024"]
