"""decode_request on what real SDKs and browsers sent (tests/data/realworld, see its README)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request

from .conftest import REALWORLD, messages

EMAIL = "jane.doe@example.com"


def _found(obs: Observation, value: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(x.location, x.decoding) for x in decode_request(obs).leaves if x.value == value]


@pytest.mark.parametrize("fmt", ["mitm", "har"])
def test_mixpanel_python_form_of_url_encoded_json(realworld, fmt: str) -> None:
    track, engage = realworld(f"sdk/mixpanel/flows.{fmt}")
    assert _found(track, EMAIL) == [("body > form:data > json:properties.$email", ("form", "json"))]
    assert _found(track, "type 2 diabetes") == [("body > form:data > json:properties.condition", ("form", "json"))]
    assert _found(engage, EMAIL) == [("body > form:data > json:$set.$email", ("form", "json"))]


@pytest.mark.parametrize("fmt", ["mitm", "har"])
def test_segment_json_batch(realworld, fmt: str) -> None:
    identify, track = realworld(f"sdk/segment/flows.{fmt}")
    assert _found(identify, EMAIL) == [("body > json:batch[0].traits.email", ("json",))]
    assert _found(track, "type 2 diabetes") == [("body > json:batch[0].properties.condition", ("json",))]
    assert _found(identify, "SEGMENT_WRITE_KEY_abc123:") == [("header:Authorization > base64", ("base64",))]


@pytest.mark.parametrize(
    ("capture", "chain"),
    [
        ("sdk/sentry/flows.mitm", ("br",)),  # Content-Encoding: br
        ("sdk/sentry-gzip/flows.mitm", ("gzip",)),
        ("sdk/sentry/flows.har", ()),  # HAR bodies are stored decoded, the header notwithstanding
    ],
)
def test_sentry_compressed_envelope(realworld, capture: str, chain: tuple[str, ...]) -> None:
    (envelope,) = realworld(capture)
    prefix = " > ".join(("body", *chain))
    decoded = decode_request(envelope)
    assert decoded.problems == ()
    leaves = {x.location: (x.value, x.decoding) for x in decoded.leaves}
    assert leaves[f"{prefix} > envelope:line 3 > json:user.email"] == (EMAIL, (*chain, "envelope", "json"))
    assert leaves[f"{prefix} > envelope:line 3 > json:contexts.patient.condition"][0] == "type 2 diabetes"
    assert leaves[f"{prefix} > envelope:line 2 > json:type"][0] == "event"


def test_browser_mixpanel_page_url_and_email(realworld) -> None:
    flows = realworld("browser/mixpanel/flows.mitm")
    track = next(o for o in flows if o.path.startswith("/track/"))
    engage = next(o for o in flows if o.path.startswith("/engage/"))
    assert _found(track, "http://127.0.0.1:8000/mixpanel.html")[0] == (
        "body > form:data > json:[0].properties.$current_url",
        ("form", "json"),
    )
    assert _found(engage, EMAIL) == [("body > form:data > json:[1].$set.$email", ("form", "json"))]
    assert ("header:referer", ()) in _found(track, "http://127.0.0.1:8000/")


@pytest.mark.parametrize(
    ("fmt", "chain"),
    [("mitm", ("gzip", "protobuf")), ("har", ("latin1", "protobuf"))],
)
def test_chrome_sync_protobuf_holds_a_gmail_address(realworld, fmt: str, chain: tuple[str, ...]) -> None:
    """diff_data: gzip'd protobuf on the wire; the HAR stored the (decoded) binary as Latin-1 text."""
    sync = next(o for o in realworld(f"mitmproxy-testdata/flows/diff_data.{fmt}") if "chrome-sync" in o.path)
    prefix = " > ".join(("body", *chain[:-1]))
    assert _found(sync, "stanleygvi@gmail.com") == [(f"{prefix} > protobuf:1", chain)]
    assert (f"{prefix} > protobuf:4.1.7", chain) in _found(sync, "MacBook-Pro")


def test_realworld_gzip_cut_short_is_reported(realworld) -> None:
    """The sentry-gzip envelope cut in half: what was there is read, the damage reported."""
    (envelope,) = realworld("sdk/sentry-gzip/flows.mitm")
    cut = replace(envelope, body=envelope.body[: len(envelope.body) // 2])
    decoded = decode_request(cut)
    assert messages(decoded) == ("gzip data at body is damaged (stream truncated): read as far as it goes",)
    assert any(x.location.startswith("body > gzip > envelope:line 1 > json:") for x in decoded.leaves)


@pytest.mark.parametrize("fmt", ["mitm", "har"])
def test_corrupted_gzip_capture_does_not_crash(realworld, fmt: str) -> None:
    """The corrupted gzip of this capture is in the response; the request itself is a bare GET."""
    (flow,) = realworld(f"mitmproxy-testdata/flows/corrupted_gzip_body.{fmt}")
    decoded = decode_request(flow)
    assert decoded.problems == ()
    assert [x.location for x in decoded.leaves] == ["header:User-Agent"]


# The files of mitmproxy's test data that are not captures flowaudit can read,
# on purpose: the reader tests check each one's error message.
NOT_READABLE = {
    "mitmproxy-testdata/dumpfile-010.mitm",  # mitmproxy 0.10's format, too old to convert
    "mitmproxy-testdata/har_extractor.har",  # a HAR-extractor result, not a HAR
    "mitmproxy-testdata/corrupted_har/brokenfile.har",  # corrupted on purpose
}


def _every_capture() -> list[str]:
    return sorted(
        str(p.relative_to(REALWORLD))
        for p in REALWORLD.rglob("*")
        if p.is_file() and p.suffix in (".mitm", ".har", ".zhar")
    )


def test_only_the_known_bad_files_are_unreadable() -> None:
    for capture in sorted(NOT_READABLE):
        with pytest.raises(FlowauditError):
            list(open_inputs([str(REALWORLD / capture)]))


@pytest.mark.parametrize("capture", [c for c in _every_capture() if c not in NOT_READABLE])
def test_every_real_request_decodes_without_error(capture: str) -> None:
    flows = list(open_inputs([str(REALWORLD / capture)]))  # a reader error fails here: it is not a skip
    assert flows
    for obs in flows:
        decoded = decode_request(obs)
        assert all(x.part in ("url", "query", "header", "cookie", "body") for x in decoded.leaves)
        assert all(x.value for x in decoded.leaves)


def test_real_binary_body_in_no_known_format_is_reported(realworld) -> None:
    """mitmproxy's test data, flow 5: a 188-byte binary body to mtalk.google.com (Google's push
    channel, its own framing): searched whole for canaries, and reported as not fully decoded, not
    passed over in silence. (9gag's api.assertcom.de bodies were such a case until LZ4 was read.)"""
    obs = next(o for o in realworld("mitmproxy-testdata/flows/diff_data.mitm") if o.index == 5)
    decoded = decode_request(obs)
    assert [p.reason for p in decoded.problems] == ["opaque"]
    assert decoded.problems[0].message == "body holds 188 bytes of binary data in no format flowaudit reads"
    assert any(layer.location == "body" for layer in decoded.layers)
