"""Format detection looks at content: real captures, renamed files, and things that are not captures."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from flowaudit.inputs.sniff import sniff

from .conftest import REALWORLD, TESTDATA

REAL_MITM = sorted(REALWORLD.glob("**/*.mitm"))
REAL_HAR = sorted(p for p in REALWORLD.glob("**/*.har") if p.name != "brokenfile.har")


@pytest.mark.parametrize("path", REAL_MITM, ids=lambda p: str(p.relative_to(REALWORLD)))
def test_every_real_flow_file_sniffs_as_mitm(path: Path) -> None:
    assert sniff(path).format == "mitm"


@pytest.mark.parametrize(
    "path",
    [p for p in REAL_HAR if p.name != "har_extractor.har"],
    ids=lambda p: str(p.relative_to(REALWORLD)),
)
def test_every_real_har_sniffs_as_har(path: Path) -> None:
    sniffed = sniff(path)
    assert (sniffed.format, sniffed.compressed) == ("har", False)


def test_the_name_does_not_matter(tmp_path: Path) -> None:
    renamed_mitm = tmp_path / "capture.har"
    renamed_har = tmp_path / "capture.txt"
    shutil.copy(REALWORLD / "sdk/segment/flows.mitm", renamed_mitm)
    shutil.copy(REALWORLD / "sdk/segment/flows.har", renamed_har)
    assert sniff(renamed_mitm).format == "mitm"
    assert sniff(renamed_har).format == "har"


def test_mitmproxy_zhar_is_zlib_compressed_har() -> None:
    sniffed = sniff(TESTDATA / "flows/compressed.zhar")
    assert (sniffed.format, sniffed.compressed) == ("har", True)


def test_gzipped_flow_file_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "flows.mitm.gz"
    path.write_bytes(gzip.compress((REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes()))
    sniffed = sniff(path)
    assert (sniffed.format, sniffed.compressed) == ("mitm", True)


def test_har_after_byte_order_mark_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"\xef\xbb\xbf \n\t " + (REALWORLD / "sdk/segment/flows.har").read_bytes())
    assert sniff(path).format == "har"
    assert sniff(TESTDATA / "har_files/with-bom.har").format == "har"


@pytest.mark.parametrize(
    ("path", "found"),
    [
        (REALWORLD / "browser/mixpanel/page.html", "HTML or XML"),
        (REALWORLD / "sdk/mixpanel/client.py", "text starting 'from mixpanel import Mixpanel'"),
        (TESTDATA / "LICENSE", "text starting 'Copyright (c) 2013, Aldo Cortesi."),
        (TESTDATA / "har_extractor.har", 'its first key is "test_response"'),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_real_files_that_are_not_captures(path: Path, found: str) -> None:
    sniffed = sniff(path)
    assert sniffed.format is None
    assert found in sniffed.found


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "an empty file"),
        (b"12:30 meeting notes\n", "text starting '12:30 meeting notes'"),
        (b"[1, 2, 3]", "a JSON array"),
        (b'{"entries": []}', 'no top-level "log" object (its first key is "entries")'),
        (b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", "pcap packet capture"),
        (b"\x28\xb5\x2f\xfd\x00\x00", "zstd-compressed"),
        (bytes(range(256)), "binary data"),
        (gzip.compress(b"just some text"), "compressed data holding text starting 'just some text'"),
    ],
)
def test_what_was_found_is_described(tmp_path: Path, content: bytes, found: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    sniffed = sniff(path)
    assert sniffed.format is None
    assert found in sniffed.found
    assert sniffed.empty is (content == b"")


def test_flow_file_cut_inside_its_first_key_still_sniffs_as_mitm(tmp_path: Path) -> None:
    # A truncated capture must reach the reader, which reports it as incomplete.
    path = tmp_path / "cut.mitm"
    path.write_bytes((REALWORLD / "sdk/mixpanel/flows.mitm").read_bytes()[:8])
    assert sniff(path).format == "mitm"


def test_text_that_starts_like_zlib_is_judged_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x^2 + y^2 = r^2\n")  # "x^" is a valid zlib header
    sniffed = sniff(path)
    assert sniffed.format is None
    assert sniffed.found == "text starting 'x^2 + y^2 = r^2'"
