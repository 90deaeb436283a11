"""Padding cannot hide data (issue 15, item 5), through the real ``flowaudit check``.

The same Mixpanel event, padded with 2 MiB of white space and gzip-compressed
to a few kilobytes on the wire, yields the same finding as without the
padding. A body that is too large to decode even without padding (40 MiB of
JSON) is still scanned, window by window: the canary planted deep inside it
is found, and every format counts the request as not fully decoded, naming
its recipient; the gate never reads as a clean pass on it. The same holds
for a body sent as it is: 20 MiB of JSON, over the bound for decoding a body
whole, with the canary and a second address past that bound. Nor can junk
hide data: 20 MiB of decoy pairs named like data, more than may be kept,
sent before the data, gzip-compressed on the wire. Nor a compression known only
by its magic bytes: a zlib stream sent with no Content-Encoding, padded past
the bound for decoding whole, is read in windows as a declared one is.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from .captures import check_every_format, flow, run_flowaudit, write

EMAIL = "jane.doe@example.com"
DECLARATION = f"app: Acme\nrecipients:\n  - entity: Mixpanel\n    data: [usage]\ncanaries:\n  email: {EMAIL}\n"


def _event(padding: bytes) -> bytes:
    return b'{"event": "Signed up",' + padding + b'"properties": {"$email": "' + EMAIL.encode() + b'"}}'


GZIP = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
JSON = [("Content-Type", "application/json")]
OTHER = "someone.else@example.org"  # no canary: found by its key and format


def _sent_gzipped(body: bytes) -> object:
    """A request whose body mitmproxy gzips as its Content-Encoding says (as a client sends it)."""
    f = flow("https://api.mixpanel.com/track", headers=GZIP, body=body)
    assert f.request.raw_content is not None and f.request.raw_content[:2] == b"\x1f\x8b"
    return f


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("padding")
    padded = _sent_gzipped(_event(b" " * (2 << 20)))
    assert len(padded.request.raw_content) < 8 << 10  # a few KiB on the wire
    write(folder / "plain.mitm", [_sent_gzipped(_event(b""))])
    write(folder / "padded.mitm", [padded])
    rows = ",".join(f'{{"i": {i % 1000}, "note": "reading {i % 97}"}}' for i in range(800_000))
    huge = ('{"rows": [' + rows + f'], "user": "{EMAIL}", "more": [' + rows + "]}").encode()
    assert len(huge) > 40 << 20
    write(folder / "huge.mitm", [_sent_gzipped(huge)])
    filler = ",".join(f'{{"i": {i}, "note": "reading {i % 97}"}}' for i in range(700_000))
    large = f'{{"rows": [{filler}], "user": "{EMAIL}", "contact": {{"email": "{OTHER}"}}}}'.encode()
    assert len(large) > 20 << 20
    write(folder / "large.mitm", [flow("https://api.mixpanel.com/track", headers=JSON, body=large)])
    decoys = ",".join('{"email_hint": "x", "phone_hint": "y"}' for _ in range(600_000))
    crowded = f'{{"rows": [{decoys}], "user": "{EMAIL}", "contact": {{"email": "{OTHER}"}}}}'.encode()
    assert len(crowded) > 20 << 20
    write(folder / "crowded.mitm", [_sent_gzipped(crowded)])
    zlibbed = flow("https://api.mixpanel.com/track", headers=[("Content-Type", "application/octet-stream")])
    # no Content-Encoding: known by its magic only; padded with text, which squeezing cannot remove
    zlibbed.request.raw_content = zlib.compress(_event(b'"pad": "' + b"x" * (20 << 20) + b'",'))
    write(folder / "zlib.mitm", [zlibbed])
    (folder / "flowaudit.yml").write_text(DECLARATION, encoding="utf-8")
    return folder


def _check(folder: Path, name: str, *extra: str) -> dict:
    run = run_flowaudit("check", folder / name, "--declared", folder / "flowaudit.yml", "--format", "json", *extra)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


def _said_in_every_text_format(folder: Path, name: str, out: Path, *phrases: str) -> None:
    """Each phrase in every format a person reads (JSON and SARIF carry the counts as data)."""
    files = check_every_format(folder / name, out, "--declared", folder / "flowaudit.yml")
    for file, text in files.items():
        if file not in ("flowaudit.json", "flowaudit.sarif"):
            said = " ".join(text.split())
            for phrase in phrases:
                assert phrase in said, (file, phrase)


def _undeclared_types(result: dict) -> list[str]:
    return sorted(t for f in result["findings"] if f["rule"] == "undeclared-data-type" for t in f["data_types"])


def test_padding_changes_nothing(folder: Path) -> None:
    plain, padded = _check(folder, "plain.mitm"), _check(folder, "padded.mitm")
    assert "contact.email" in _undeclared_types(plain)
    assert _undeclared_types(padded) == _undeclared_types(plain)
    assert padded["decoding"]["not_fully_decoded"] == 0  # read whole, nothing missing


def test_a_body_too_large_to_decode_is_still_searched_and_named_in_every_format(folder: Path, tmp_path: Path) -> None:
    result = _check(folder, "huge.mitm")
    assert "contact.email" in _undeclared_types(result)  # the canary, found in a window
    found = [e for f in result["findings"] for e in f["evidence"] if e.get("data_type") == "contact.email"]
    assert "body > gzip" in {e["location"].partition(" > window:")[0] for e in found if e["detector"] == "canary"}
    assert all(e["location"].startswith(("body > gzip > window:", "body > gzip > streamed > json:")) for e in found)
    assert result["decoding"]["not_fully_decoded"] == 1
    [gap] = result["decoding"]["reasons"]
    assert gap["recipients"] == ["Mixpanel"] and "scanned in windows" in gap["examples"][0]["how"]
    _said_in_every_text_format(
        folder, "huge.mitm", tmp_path / "out", "1 request could not be fully decoded", "1 to Mixpanel with"
    )


def test_the_gate_never_reads_clean_on_what_was_not_read(folder: Path) -> None:
    run = run_flowaudit("check", folder / "huge.mitm", "--declared", folder / "flowaudit.yml", "--fail-on", "critical")
    text = " ".join(run.stdout.split())
    assert "not failed in what could be read, but 1 request could not be fully decoded" in text


def test_the_end_of_a_body_too_large_to_decode_whole_is_read(folder: Path, tmp_path: Path) -> None:
    result = _check(folder, "large.mitm")
    found = [e for f in result["findings"] for e in f["evidence"] if e.get("data_type") == "contact.email"]
    assert all(e["location"].startswith(("body > window:", "body > streamed > json:")) for e in found)
    assert all({"window", "streamed"} & set(e["decoding"]) for e in found)  # each says it came from a partial scan
    assert {e["detector"] for e in found} >= {"canary"}
    rows = [r for r in result["recipients"] if r["entity"] == "Mixpanel"]
    assert "contact.email" in rows[0]["data_types"]
    [gap] = result["decoding"]["reasons"]
    assert gap["reason"] == "large" and gap["recipients"] == ["Mixpanel"]
    assert gap["examples"][0]["how"].startswith("body of 2")
    assert "all 2" in gap["examples"][0]["how"] and "not decoded whole" in gap["examples"][0]["how"]
    _said_in_every_text_format(
        folder, "large.mitm", tmp_path / "out", "1 to Mixpanel with a body too large to inspect fully"
    )


def test_a_key_and_value_past_the_bound_are_read_without_a_canary(folder: Path) -> None:
    run = run_flowaudit("check", folder / "large.mitm", "--format", "json", "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    [mixpanel] = json.loads(run.stdout)["recipients"]
    assert mixpanel["data_types"] == ["contact.email"]
    [evidence] = mixpanel["evidence"]
    assert evidence["location"] == "body > streamed > json:contact.email"  # read as a stream: its true path
    assert evidence["decoding"] == ["streamed", "json"] and evidence["detector"] == "generic:email"


def test_junk_sent_before_the_data_cannot_hide_it(folder: Path, tmp_path: Path) -> None:
    result = _check(folder, "crowded.mitm")
    found = [e for f in result["findings"] for e in f["evidence"] if e.get("data_type") == "contact.email"]
    assert {e["detector"] for e in found} >= {"canary", "generic:email"}  # the canary, and the other address
    assert all(e["location"].startswith(("body > gzip > window:", "body > gzip > streamed > json:")) for e in found)
    assert {e["location"] for e in found if e["detector"] == "generic:email"} == {
        "body > gzip > streamed > json:contact.email"
    }
    [gap] = result["decoding"]["reasons"]
    assert gap["recipients"] == ["Mixpanel"] and "all 2" in gap["examples"][0]["how"]
    _said_in_every_text_format(
        folder, "crowded.mitm", tmp_path / "out", "1 request could not be fully decoded", "1 to Mixpanel with"
    )


def test_a_stream_known_by_its_magic_alone_is_read_in_windows_too(folder: Path, tmp_path: Path) -> None:
    """It was refused as a bomb and never read: the canary went unseen."""
    result = _check(folder, "zlib.mitm")
    assert "contact.email" in _undeclared_types(result)
    found = [e for f in result["findings"] for e in f["evidence"] if e.get("data_type") == "contact.email"]
    assert found and all(e["location"].startswith("body > deflate > window:") for e in found)
    assert [r["reason"] for r in result["decoding"]["reasons"]] == ["bomb"]  # named, and nothing called opaque
    _said_in_every_text_format(folder, "zlib.mitm", tmp_path / "out", "1 request could not be fully decoded")
