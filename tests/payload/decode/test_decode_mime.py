"""Content-Type parameters and multipart bodies (RFC 2045, 2046, 2231, 7578)."""

from __future__ import annotations

import base64
import gc

import pytest

from flowaudit.payload.decode import decode_request
from flowaudit.payload.decode.mime import MAX_PARTS, ContentType, parse_content_type, split_multipart

from .conftest import messages

# The boundary shape Chromium and WebKit send: mixed case, so lower-casing it breaks every browser request.
BOUNDARY = "----WebKitFormBoundaryKWJEtAtrCOTbUZ6U"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


def body(*parts: tuple[str, bytes], boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """A multipart body of ``(header lines, content)`` parts, CRLF-delimited as browsers write it."""
    out = b"".join(
        b"--" + boundary.encode() + b"\r\n" + head.encode() + b"\r\n\r\n" + data + b"\r\n" for head, data in parts
    )
    return out + (b"--" + boundary.encode() + b"--\r\n" if close else b"")


def field(name: str, value: bytes, extra: str = "") -> tuple[str, bytes]:
    return (f'Content-Disposition: form-data; name="{name}"{extra}', value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORM, ContentType("multipart/form-data", BOUNDARY)),
        (f'Multipart/Form-Data; BOUNDARY="{BOUNDARY}"', ContentType("multipart/form-data", BOUNDARY)),
        ("multipart/form-data; charset=utf-8; boundary=AbC", ContentType("multipart/form-data", "AbC", "utf-8")),
        ('multipart/form-data; boundary="a;b=c"', ContentType("multipart/form-data", "a;b=c")),
        ("application/json;charset=ISO-8859-1", ContentType("application/json", None, "iso8859-1")),
        ("text/plain; charset=no-such-charset", ContentType("text/plain")),
        ("not a type", ContentType()),
        ("", ContentType()),
    ],
)
def test_content_type_parameters(value: str, expected: ContentType) -> None:
    """Parameter names in any case, values as written: only the media type is lower-cased."""
    assert parse_content_type(value) == expected


def test_a_mixed_case_boundary_splits_and_each_part_keeps_its_name(request_with) -> None:
    data = body(field("id", b"504825774037444"), field("ev", b"SubscribedButtonClick"), field("rl", b""))
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert [(x.location, x.key, x.value) for x in decoded.leaves if x.part == "body"] == [
        ("body > multipart:id", "id", "504825774037444"),
        ("body > multipart:ev", "ev", "SubscribedButtonClick"),
    ]
    assert decoded.problems == ()


def test_each_part_is_read_by_its_own_headers(request_with) -> None:
    data = body(
        field(
            "data", b'{"customer_properties": {"$email": "jane.doe@example.com"}}', "\r\nContent-Type: application/json"
        ),
        field("note", "Besançon".encode("latin-1"), "\r\nContent-Type: text/plain; charset=ISO-8859-1"),
        (
            "Content-Disposition: form-data; name*=UTF-8''caf%C3%A9\r\nContent-Transfer-Encoding: base64",
            base64.b64encode(b"type 2 diabetes"),
        ),
        ('Content-Disposition: form-data; filename="log.txt"', b"line one\r\nline two"),
    )
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    found = {x.value: (x.location, x.decoding, x.key) for x in decoded.leaves}
    assert found["jane.doe@example.com"] == (
        "body > multipart:data > json:customer_properties.$email",
        ("multipart", "json"),
        "$email",
    )
    assert found["Besançon"] == ("body > multipart:note", ("multipart",), "note")
    assert found["type 2 diabetes"] == ("body > multipart:café", ("multipart",), "café")
    assert found["line one\r\nline two"][0] == "body > multipart:log.txt"
    assert decoded.problems == ()


def test_a_body_that_does_not_follow_its_boundary_is_reported(request_with) -> None:
    data = body(field("ev", b"PageView"), boundary="SomethingElse")
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert [p.reason for p in decoded.problems] == ["multipart"]
    assert messages(decoded) == ("multipart data at body does not follow its boundary: read as one value",)
    assert any("PageView" in x.value for x in decoded.leaves)  # still searchable, as one value


def test_a_boundary_of_other_case_is_another_boundary(request_with) -> None:
    """RFC 2046 5.1.1: the boundary is compared as written."""
    data = body(field("ev", b"PageView"), boundary=BOUNDARY.lower())
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert [p.reason for p in decoded.problems] == ["multipart"]


def test_a_cut_body_yields_its_parts_and_is_reported(request_with) -> None:
    data = body(field("id", b"504825774037444"), field("ev", b"Purchase"), close=False)[:-9]
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert [x.value for x in decoded.leaves if x.part == "body"][:1] == ["504825774037444"]
    assert [p.reason for p in decoded.problems] == ["truncated"]


def test_damaged_base64_part_is_reported(request_with) -> None:
    data = body(
        ("Content-Disposition: form-data; name=x\r\nContent-Transfer-Encoding: base64", b"dHlwZSAy!!!ZGlhYmV0ZXM")
    )
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert "base64" in [p.reason for p in decoded.problems]


def test_part_count_is_bounded() -> None:
    data = body(*(field(f"f{n}", b"v") for n in range(MAX_PARTS + 50)))
    found = split_multipart(data, parse_content_type(FORM), "body")
    assert found is not None
    assert len(found.parts) == MAX_PARTS
    assert [p.reason for p in found.problems] == ["bound"]


def test_a_body_of_a_million_parts_is_not_cut_up_to_find_it_too_long() -> None:
    """The plain-form reading counts the delimiters before it splits the body: a hostile body of
    a million two-byte parts (8 MB) would otherwise be copied and made a million objects."""
    import tracemalloc

    from flowaudit.payload.decode.mime import _plain_form

    data = b"--x\r\n" + b"ab\r\n--x\r\n" * 1_000_000 + b"ab\r\n--x--"
    tracemalloc.start()
    try:
        assert _plain_form(data, b"--x") is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_nested_multipart_parts_are_named_by_their_path(request_with) -> None:
    inner = body(field("a", b"nested value"), boundary="InNer")
    data = body(field("files", inner, "\r\nContent-Type: multipart/mixed; boundary=InNer"))
    decoded = decode_request(request_with(data, (("Content-Type", FORM),)))
    assert [(x.location, x.decoding) for x in decoded.leaves if x.value == "nested value"] == [
        ("body > multipart:files > multipart:a", ("multipart", "multipart"))
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"--", b"--" + BOUNDARY.encode(), b"\r\n\r\n" * 100, b"--" + BOUNDARY.encode() + b"\r\n\x00\xff" * 500],
)
def test_garbage_never_raises(request_with, data: bytes) -> None:
    decode_request(request_with(data, (("Content-Type", FORM),)))


# -- real browser requests (tests/corpus/external, fb-pixel-inspector, ISC) ------------------------------


def test_real_meta_pixel_multipart_post(external) -> None:
    """oraquick.com: Chrome's Meta Pixel POST to www.facebook.com/tr, boundary ----WebKitFormBoundary<mixed case>."""
    obs = external("pixelinspector-oraquick", 12)
    assert "boundary=----WebKitFormBoundary" in dict(obs.request_headers)["Content-Type"]
    decoded = decode_request(obs)
    found = {x.location: x.value for x in decoded.leaves if x.part == "body"}
    assert found["body > multipart:ev"] == "SubscribedButtonClick"
    assert found["body > multipart:dl"] == "https://oraquick.com/"
    assert found["body > multipart:cd[buttonFeatures] > json:destination"] == "https://oraquick.com/about-hiv"
    assert found["body > multipart:fbp"].startswith("fb.1.")
    assert decoded.problems == ()


def test_real_klaviyo_multipart_event(external) -> None:
    """mylabbox.com: Klaviyo's /api/track event, one multipart field "data" holding JSON."""
    decoded = decode_request(external("pixelinspector-mylabbox", 5))
    found = {x.location: x.value for x in decoded.leaves if x.part == "body"}
    assert found["body > multipart:data > json:event"] == "__activity__"
    assert found["body > multipart:data > json:customer_properties.$email"] == "test@gmail.com"
    assert decoded.problems == ()


def test_a_multipart_body_leaves_no_garbage_in_reference_cycles() -> None:
    """Each header the parser reads once made a new class, garbage in a cycle (see mime._http_policy):
    hundreds per body, for the cycle collector to find in the middle of an audit."""
    from flowaudit.payload.decode.mime import _parsed, _plain_form

    data = body(field("a", b"1"), field("file", b"x", '; filename="f.txt"'), ("Content-Type: text/plain", b"y"))
    content_type = ContentType("multipart/form-data", BOUNDARY)
    delimiter = b"--" + BOUNDARY.encode()
    assert _plain_form(data, delimiter) is None  # a part without a name: read by the parser
    assert split_multipart(data, content_type, "body") is not None  # the first imports the parser and makes its classes
    gc.collect()
    gc.disable()
    try:
        split = _parsed(data, content_type, "body", delimiter)
        freed = gc.collect()
    finally:
        gc.enable()
    assert split is not None and len(split.parts) == 3
    assert freed == 0


def _content_types() -> set[str]:
    """Every request content type of the corpus, and variations on the simple ones."""
    import json
    import re
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    found: set[str] = set()
    for har in corpus.glob("**/*.har"):
        text = har.read_text("utf-8-sig")
        found.update(re.findall(r'"(?:mimeType|value)": ?"([a-zA-Z]+/[^"\\]*)"', text))
        json.loads(text)  # a corpus file that is no JSON would hide content types
    variants = {
        "application/json",
        "Application/JSON",
        "text/plain;charset=UTF-8",
        "text/plain; Charset=utf8",
        "text/plain ;  CHARSET = latin-1",
        "text/plain; charset=nonesuch",
        "text/plain; charset=",
        "text/plain; charset=base64",
        "text/plain; charset=utf-8 ",
        " text/plain",
        "text/plain;",
        'text/plain; charset="utf-8"',
        "text/plain; charset*=utf-8''x",
        "text/plain; charset=utf-8; charset=latin-1",
        "text/plain; boundary=x",
        "text\\plain",
        "text/plain/x",
        "text/",
        "/plain",
        "text/pla\u00efn",
        "text/plain; chars\u0131t=utf-8",
        "text/plain; char\u017fet=utf-8",
        "text/plain;\tcharset=utf-8",
        "text/plain\n; charset=utf-8",
        "a_b/c.d+e; charset=x_y:z",
    }
    return found | variants


def test_simple_content_types_read_as_the_mime_parser_reads_them() -> None:
    """A media type with at most a plain charset is read without :mod:`email`, to the same value."""
    from flowaudit.payload.decode.mime import _parse, _parse_mime

    values = sorted(_content_types())
    assert len(values) > 40
    assert [_parse(value) for value in values] == [_parse_mime(value) for value in values]


def _real_forms() -> list[tuple[bytes, str]]:
    """Every multipart body of the captures under tests/ and ../shared/realworld, with its content type."""
    from pathlib import Path

    from flowaudit.errors import FlowauditError
    from flowaudit.inputs import open_inputs

    roots = [Path(__file__).resolve().parents[2], Path(__file__).resolve().parents[4] / "shared" / "realworld"]
    found: list[tuple[bytes, str]] = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix in (".har", ".mitm") and ".npm" not in p.parts):
            try:
                observations = list(open_inputs([str(path)], True))
            except FlowauditError:  # a file the corpus holds to be refused (a broken HAR, a too old format)
                continue
            for obs in observations:
                kind = next((v for k, v in obs.request_headers if k.lower() == "content-type"), "")
                if "multipart/" in kind.lower():
                    found.append((bytes(obs.body), kind))
    return found


def _made_forms(count: int) -> list[tuple[bytes, str]]:
    """Forms made up of plain and odd pieces: names with quotes, spaces, encoded words; content
    types plain and not; contents holding line ends, dashes and the boundary; bodies with a
    preamble, an epilogue, LF line ends or no closing delimiter. Half are made of plain pieces
    only (their contents as odd as the rest), so that both readings are compared on many."""
    import random

    rng = random.Random(7578)
    plain_names = ["a", "data", "cd[content_ids]", "a;b", "a=b", "a b", "%41", "n*", "!#$&'()*+,-./:<>?@[]^_`{|}~"]
    odd_names = [" a", "a ", "=?utf-8?q?x?=", "\u00fc", 'q"q', "x\\y", "", "a\tb"]
    plain_filenames = [None, None, "", "f.txt", " f.txt ", "f;x.txt", "C:/f"]
    odd_filenames = ["=?x?=", "C:\\f", "\u00e9.png", 'a"b']
    plain_kinds = [None, None, "text/plain", "application/json;charset=UTF-8", "Text/Plain", "image/png"]
    odd_kinds = ["text/plain; name=x", "multipart/mixed; boundary=zz", "text/plain;charset=utf-8 ", "text/plain; q=1"]
    boundaries = ["----WebKitFormBoundaryKWJEtAtrCOTbUZ6U", "x", "a b", "AaB03x", "--"]
    pieces = [b"v", b"1", b"\r\n", b"\n", b"\r", b"-", b"--", b" ", b"\x00", b"\xff\xfe", b'{"a":1}', b"=?q?="]
    forms: list[tuple[bytes, str]] = []
    for _ in range(count):
        plain = rng.random() < 0.5
        odd = 0.0 if plain else 0.3
        boundary = rng.choice(boundaries)
        delimiter = b"--" + boundary.encode()
        newline = b"\n" if rng.random() < odd / 3 else b"\r\n"
        out = b"preamble\r\n" if rng.random() < odd / 3 else b""
        for _ in range(rng.randint(1, 4)):
            name = rng.choice(odd_names if rng.random() < odd else plain_names)
            filename = rng.choice(odd_filenames if rng.random() < odd else plain_filenames)
            kind = rng.choice(odd_kinds if rng.random() < odd else plain_kinds)
            disposition = "content-disposition" if rng.random() < odd / 3 else "Content-Disposition"
            head = f'{disposition}: form-data; name="{name}"'
            head += "" if filename is None else f'; filename="{filename}"'
            if kind is not None:
                head += f"\r\nContent-Type: {kind}"
            if rng.random() < odd / 3:
                head += "\r\nContent-Transfer-Encoding: base64"
            content = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            if rng.random() < odd / 3:
                content += rng.choice([b"\n", b"\r", b"\r\n", b"x"]) + delimiter
            out += delimiter + newline + head.encode("utf-8").replace(b"\r\n", newline) + newline * 2
            out += content + newline
        if rng.random() < odd / 3:
            out = out[: -len(newline)]
        else:
            ending = rng.choice([b"", b"\r\n"] + ([b"\r\nepilogue", b"  \r\n", b"\n"] if not plain else []))
            out += delimiter + b"--" + ending
        forms.append((out, f'multipart/form-data; boundary="{boundary}"'))
    return forms


def test_plain_forms_read_as_the_mime_parser_reads_them() -> None:
    """A form as browsers send it is split without :mod:`email`, to the parts the parser gives;
    every other body goes to the parser. Real forms, then made ones: many of each are taken."""
    from flowaudit.payload.decode.mime import _parsed, _plain_form

    real = _real_forms()
    for forms, least in ((real, 8), (_made_forms(3000), 1000)):
        taken = 0
        for data, kind in forms:
            content_type = parse_content_type(kind)
            assert content_type.boundary
            delimiter = b"--" + content_type.boundary.encode("utf-8", "surrogateescape")
            plain = _plain_form(data, delimiter)
            if plain is not None:
                taken += 1
                assert plain == _parsed(data, content_type, "body", delimiter), data
        assert taken >= least


def test_a_browser_form_is_split_without_the_mime_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowaudit.payload.decode import mime

    def parser_used(*args: object) -> None:
        raise AssertionError("read by the MIME parser")

    monkeypatch.setattr(mime, "_parsed", parser_used)
    data = body(field("id", b"123"), field("ev", b"PageView\r\n--x"), field("f", b"\xff", '; filename="a.bin"'))
    split = split_multipart(data, parse_content_type(FORM), "body")
    assert split is not None and [(p.names, p.filename, p.content) for p in split.parts] == [
        (("id",), None, b"123"),
        (("ev",), None, b"PageView\r\n--x"),
        (("f",), "a.bin", b"\xff"),
    ]
