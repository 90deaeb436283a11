"""Padding cannot hide data (issue 15, item 5), through the real ``flowaudit check``.

The same Mixpanel event, padded with 2 MiB of white space and gzip-compressed
to a few kilobytes on the wire, yields the same finding as without the
padding. A body that is too large to decode even without padding (40 MiB of
JSON) is still scanned, window by window: the canary planted deep inside it
is found, and every format counts the request as not fully decoded, naming
its recipient; the gate never reads as a clean pass on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .captures import check_every_format, flow, run_flowaudit, write

EMAIL = "jane.doe@example.com"
DECLARATION = f"app: Acme\nrecipients:\n  - entity: Mixpanel\n    data: [usage]\ncanaries:\n  email: {EMAIL}\n"


def _event(padding: bytes) -> bytes:
    return b'{"event": "Signed up",' + padding + b'"properties": {"$email": "' + EMAIL.encode() + b'"}}'


GZIP = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]


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
    (folder / "flowaudit.yml").write_text(DECLARATION, encoding="utf-8")
    return folder


def _check(folder: Path, name: str, *extra: str) -> dict:
    run = run_flowaudit("check", folder / name, "--declared", folder / "flowaudit.yml", "--format", "json", *extra)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


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
    [where] = {
        e["location"] for f in result["findings"] for e in f["evidence"] if e.get("data_type") == "contact.email"
    }
    assert where.startswith("body > gzip > window:")
    assert result["decoding"]["not_fully_decoded"] == 1
    [gap] = result["decoding"]["reasons"]
    assert gap["recipients"] == ["Mixpanel"] and "scanned in windows" in gap["examples"][0]["how"]
    files = check_every_format(folder / "huge.mitm", tmp_path / "out", "--declared", folder / "flowaudit.yml")
    for name, text in files.items():
        if name not in ("flowaudit.json", "flowaudit.sarif"):
            assert "1 request could not be fully decoded" in " ".join(text.split()), name
            assert "1 to Mixpanel with" in " ".join(text.split()), name


def test_the_gate_never_reads_clean_on_what_was_not_read(folder: Path) -> None:
    run = run_flowaudit("check", folder / "huge.mitm", "--declared", folder / "flowaudit.yml", "--fail-on", "critical")
    text = " ".join(run.stdout.split())
    assert "not failed in what could be read, but 1 request could not be fully decoded" in text
