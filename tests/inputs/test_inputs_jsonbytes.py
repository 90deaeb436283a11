"""HAR bytes made parseable: lone surrogate escapes, as mitmproxy and browsers write them."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from flowaudit.inputs.jsonbytes import JsonBytes
from flowaudit.safetext import mend_surrogates

from .conftest import REALWORLD, Read


@pytest.mark.parametrize(
    ("json_text", "mended"),
    [
        (rb'"a\udc88b"', rb'"a\ufffdb"'),  # a byte mitmproxy could not decode
        (rb'"\uDC88"', rb'"\ufffd"'),
        (rb'"\ud83d\ude00"', rb'"\ud83d\ude00"'),  # an emoji: a valid pair, kept
        (rb'"\ud83dx"', rb'"\ufffdx"'),  # half an emoji
        (rb'"\ude00\ud83d"', rb'"\ufffd\ufffd"'),  # the halves the wrong way round
        (rb'"\udc88\udc89"', rb'"\ufffd\ufffd"'),
        (rb'"\\udc88"', rb'"\\udc88"'),  # an escaped backslash, then the text "udc88"
        (rb'"\\\udc88"', rb'"\\\ufffd"'),  # an escaped backslash, then an escape
        (rb'"\u00e9\u2603"', rb'"\u00e9\u2603"'),  # ordinary escapes untouched
    ],
)
def test_lone_surrogate_escapes_are_replaced(json_text: bytes, mended: bytes) -> None:
    assert mend_surrogates(json_text, final=True) == (mended, b"")


class Trickle:
    """A byte source handing out its data in small chunks of random size."""

    def __init__(self, data: bytes, rng: random.Random) -> None:
        self._data, self._rng, self._at = data, rng, 0

    def read(self, n: int, /) -> bytes:
        size = min(n, self._rng.randint(1, 20))
        chunk = self._data[self._at : self._at + size]
        self._at += len(chunk)
        return chunk


def read_all(source: JsonBytes) -> bytes:
    out = b""
    while chunk := source.read(64):
        out += chunk
    return out


@pytest.mark.parametrize("seed", range(20))
def test_any_chunking_gives_the_same_valid_json(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["a", "\\", "\\\\", "\udc88", "\ud83d", "\ude00", "\U0001f600", "\u00e9", '"', "u", "d", "c8"]
    strings = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(40)]
    raw = json.dumps({"log": {"entries": strings}}).encode("ascii")  # lone surrogates escaped
    source = JsonBytes(Trickle(b"\xef\xbb\xbf" + raw, rng))
    parsed = json.loads(read_all(source))
    assert source.at_end
    expected = [s.encode("utf-16", "surrogatepass").decode("utf-16", "replace") for s in strings]
    assert parsed["log"]["entries"] == expected


def test_har_with_an_unlabelled_gzip_body(read: Read, tmp_path: Path) -> None:
    # An SDK gzips its JSON without saying so. mitmproxy's HAR export writes
    # a body its declared charset cannot decode as surrogate-escaped UTF-8
    # (Message.get_text(strict=False)), i.e. as lone surrogate escapes, which
    # ijson alone cannot read: neither that entry nor any after it.
    har = json.loads((REALWORLD / "sdk/segment/flows.har").read_text())
    post_data = har["log"]["entries"][0]["request"]["postData"]
    post_data["text"] = gzip.compress(post_data["text"].encode()).decode("utf-8", "surrogateescape")
    path = tmp_path / "hardump.har"
    path.write_text(json.dumps(har))
    assert "\\udc8b" in path.read_text()

    observations, (info,) = read(path)
    assert info.complete and len(observations) == 2
    assert observations[0].body.startswith(b"\x1f\xef\xbf\xbd\x08")  # 1f 8b 08: 8b is no UTF-8
    assert b"jane.doe@example.com" in observations[1].body
