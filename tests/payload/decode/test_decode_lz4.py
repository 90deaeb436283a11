"""LZ4 frames (by magic number) and bare blocks (by a clean decode that ends at the body's end), bounded."""

from __future__ import annotations

import os
from collections.abc import Callable

import lz4.block
import lz4.frame
import pytest

from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request
from flowaudit.payload.decode.lz4 import decode_frame, find_block
from flowaudit.payload.model import DecodedRequest

from .conftest import MakeRequest, messages

EVENT = b'{"event": "page_view", "page": "https://shop.example/cart", "clientUUID": "718ca1fb-0fdb-4c3d-b45c"}'
TEXT = b'{"user": {"email": "jane.doe@example.com"}, "events": [' + b", ".join([EVENT] * 8) + b"]}"


def _values(decoded: DecodedRequest) -> dict[str, str]:
    return {leaf.location: leaf.value for leaf in decoded.leaves}


def test_a_frame_is_read_by_its_magic_number(request_with: MakeRequest) -> None:
    decoded = decode_request(request_with(lz4.frame.compress(TEXT)))
    assert _values(decoded)["body > lz4 > json:user.email"] == "jane.doe@example.com"
    assert not decoded.problems


def test_a_frame_of_linked_blocks_and_checksums_is_read_whole() -> None:
    data = os.urandom(300_000).hex().encode()  # compressible text over several 64 KiB blocks
    packed = lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True, content_checksum=True)
    assert decode_frame(packed, 1 << 20) == (data, None)


def test_a_damaged_or_cut_frame_is_reported_not_raised(request_with: MakeRequest) -> None:
    packed = lz4.frame.compress(TEXT * 50)
    cut = messages(decode_request(request_with(packed[: len(packed) // 2])))
    assert any("lz4 data at body" in message for message in cut)
    broken = messages(decode_request(request_with(packed[:4] + b"\xff" * 40)))
    assert any("lz4 data at body could not be decoded" in message for message in broken)


def test_a_frame_past_the_bound_is_refused() -> None:
    packed = lz4.frame.compress(b"\0" * (4 << 20))
    assert decode_frame(packed, 1 << 20) == (b"", "over the limit")


@pytest.mark.parametrize("prefix", [b"", b"\x7c\x00\x00\x08\xa8", (len(TEXT)).to_bytes(4, "little")])
def test_a_bare_block_is_found_behind_a_senders_few_bytes(request_with: MakeRequest, prefix: bytes) -> None:
    body = prefix + lz4.block.compress(TEXT, store_size=False)
    decoded = decode_request(request_with(body, headers=(("Content-Type", "text/plain"),)))
    assert _values(decoded)["body > lz4 > json:user.email"] == "jane.doe@example.com"


def test_random_bytes_are_no_block() -> None:
    """No magic number: a guess must decode cleanly, end exactly at the end and grow; noise never does."""
    for seed in range(200):
        noise = bytes((seed * 7919 + i * 104729) % 251 for i in range(64 + seed))
        assert find_block(noise, 1 << 20) is None
    assert find_block(os.urandom(4096), 1 << 20) is None


def test_a_block_that_decodes_to_binary_is_left_alone(request_with: MakeRequest) -> None:
    """The caller keeps a bare block only when it is text: binary output is no evidence of LZ4."""
    body = lz4.block.compress(bytes(range(256)) * 4, store_size=False)
    decoded = decode_request(request_with(body))
    assert not [leaf for leaf in decoded.leaves if "lz4" in leaf.location]


def test_assertive_yields_pageview_is_decoded(external: Callable[[str, int], Observation]) -> None:
    """reporthar-9gag entry 64: api.assertcom.de/pageview, an LZ4 block of JSON behind five bytes."""
    values = _values(decode_request(external("reporthar-9gag", 64)))
    assert values["body > latin1 > lz4 > json:host"] == "9gag.com"
    assert values["body > latin1 > lz4 > json:clientUUID"] == "718ca1fb-0fdb-4c3d-b45c-d90eed4023cc"


@pytest.mark.parametrize("size", [4096, 64 << 10, 1 << 20])
def test_a_block_of_the_greatest_growth_is_found(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of one repeated byte grows as much as the format allows (255 bytes per byte of a
    match length): found whole, the decoder given no more room than 255 bytes a byte, and 64."""
    data = b"a" * size
    packed = lz4.block.compress(data, store_size=False)
    rooms: list[int] = []
    decompress = lz4.block.decompress

    def recorded(source: memoryview, uncompressed_size: int) -> bytes:
        rooms.append(uncompressed_size)
        out: bytes = decompress(source, uncompressed_size=uncompressed_size)
        return out

    monkeypatch.setattr(lz4.block, "decompress", recorded)
    assert find_block(packed, 4 << 20) == data
    assert rooms and all(room <= 255 * len(packed) + 64 for room in rooms)
    assert find_block(packed, size - 1) is None  # past the caller's limit: none, as before
