"""A header walked once is added again to the next request that sends it (payload.decode.request._WALKED).

What a request decodes to must not depend on the requests read before it: every test here
compares with a walk from nothing kept.
"""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.model import Headers, Observation
from flowaudit.payload.decode import DEFAULT_LIMITS, decode_request
from flowaudit.payload.decode import request as decode_module
from flowaudit.payload.decode.walker import Walker
from flowaudit.payload.model import DecodedRequest

from .conftest import REALWORLD

ROOT = Path(__file__).resolve().parents[3]
CAPTURES = sorted(
    [*(ROOT / "tests/corpus/external").glob("*/capture.*"), *REALWORLD.glob("**/*.har"), *REALWORLD.glob("**/*.mitm")]
)


def _forget() -> None:
    decode_module._WALKED.clear()
    decode_module._walked_chars = decode_module._walked_values = 0


def _cold(obs: Observation) -> DecodedRequest:
    """The request decoded with no header kept from an earlier one."""
    _forget()
    return decode_request(obs)


def _request(n: int, headers: Headers, path: str = "/collect") -> Observation:
    return Observation(
        ref=f"crafted#{n}", source="crafted", index=n, kind="http", method="GET", scheme="https",
        host="tracker.example", port=443, path=path, request_headers=headers,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    _forget()


def test_every_real_request_decodes_as_from_nothing_kept() -> None:
    """Every request of every real capture, read in order (its headers kept from the requests
    before it, as an audit reads them), decodes to what it decodes to alone."""
    assert len(CAPTURES) > 40
    requests = reused = 0
    for capture in CAPTURES:
        try:
            observations = list(open_inputs([str(capture)]))
        except FlowauditError:
            continue  # the corpus's broken files: their readers' tests cover them
        for obs in observations:
            keys = [(None if name.lower() == "cookie" else name, value) for name, value in obs.request_headers]
            reused += any(key in decode_module._WALKED for key in keys)
            warm = decode_request(obs)
            kept = dict(decode_module._WALKED), decode_module._walked_chars, decode_module._walked_values
            assert warm == _cold(obs), (capture.name, obs.ref)
            _forget()  # what was kept before, kept again for the next request
            decode_module._WALKED.update(kept[0])
            decode_module._walked_chars, decode_module._walked_values = kept[1], kept[2]
            requests += 1
    assert requests > 3000 and reused > requests // 2


def test_a_header_is_walked_again_where_fewer_values_are_left_than_it_holds() -> None:
    cookies = ("Cookie", "a=1; b=2; c=3")
    decode_request(_request(1, (cookies,)))
    assert decode_module._WALKED  # the cookies' three values are kept
    room = DEFAULT_LIMITS.max_values
    query = "&".join(f"k{n}=v" for n in range(room - 3))  # the path's value, the query's layer and values: one left
    crowded = _request(2, (cookies,), path=f"/collect?{query}")
    warm = decode_request(crowded)
    assert warm == _cold(crowded)
    assert [leaf.location for leaf in warm.leaves if leaf.part == "cookie"] == ["cookie:a"]
    assert any("stopped at cookie:b" in p.message for p in warm.problems)


def test_a_header_whose_walk_reported_a_problem_is_walked_each_time() -> None:
    damaged = gzip.compress(b'{"email": "jane@example.com", "pad": "' + b"x" * 200 + b'"}')[:-20]
    header = ("X-Payload", base64.b64encode(damaged).decode())
    first, second = (decode_request(_request(n, (header,))) for n in (1, 2))
    assert not decode_module._WALKED
    assert first.problems == second.problems and "is damaged" in first.problems[0].message


def test_a_walk_with_a_problem_asked_again_or_bytes_decoded_is_not_kept() -> None:
    walker = Walker(DEFAULT_LIMITS)
    walker.problem("bound", "a problem already reported")
    mark = walker.mark()
    walker.leaf("header", "header:X-A", (), "X-A", "value")
    walker.problem("bound", "a problem already reported")  # left out as a repeat: still asked
    assert walker.walked_since(mark) is None
    mark = walker.mark()
    walker.string("header", "header:X-B", (), "X-B", base64.b64encode(b"plain text inside").decode())
    assert walker.walked_since(mark) is None  # base64 decoded: bytes of this request's budget spent
    mark = walker.mark()
    walker.leaf("header", "header:X-C", (), "X-C", "value")
    walked = walker.walked_since(mark)
    assert walked is not None and [leaf.location for leaf in walked.leaves] == ["header:X-C"]


def test_what_is_kept_stays_bounded() -> None:
    long = "x" * (decode_module._WALKED_VALUE + 1)
    decode_request(_request(1, (("X-Long", long),)))
    assert not decode_module._WALKED  # a long value is walked each time
    value = "y" * 1000
    for n in range(2 * decode_module._WALKED_CHARS // len(value)):
        decode_request(_request(n, (("X-Id", f"{n}:{value}"),)))
        assert decode_module._walked_chars <= decode_module._WALKED_CHARS + decode_module._WALKED_VALUE
    assert 0 < len(decode_module._WALKED) <= decode_module._WALKED_CHARS // len(value) + 1


def test_a_header_of_many_short_values_counts_its_values() -> None:
    """A Cookie header of short cookies holds a value per few characters, each value a few hundred
    bytes of leaf: the bound counts the values, not only the characters."""
    cookies = "; ".join(f"c{n}=v" for n in range(300))  # 1,888 characters, 300 values
    for n in range(3 * decode_module._WALKED_VALUES // 300):
        decode_request(_request(n, (("Cookie", f"{cookies}; id={n}"),)))
        kept = sum(len(walked.leaves) + len(walked.layers) for walked in decode_module._WALKED.values())
        assert kept <= decode_module._WALKED_VALUES + 301
        assert decode_module._walked_values == kept
