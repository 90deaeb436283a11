"""The nesting guard: JSON bytes bounded in depth before the HAR parser sees them.

Its fast judgement (whole-chunk bytes operations) must never miss a value
nested too deep, however strings, escapes and chunk boundaries fall; these
tests hold its output to a plain recursive reference.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flowaudit.inputs.nesting import NestingGuard

EXTERNAL = Path(__file__).resolve().parents[1] / "corpus" / "external"
MARKER = "[too deep]"


class Chunks:
    """A byte source that hands out the given sizes in turn (the last repeats)."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self._data = io.BytesIO(data)
        self._sizes = sizes
        self._next = 0

    def read(self, n: int, /) -> bytes:
        size = self._sizes[min(self._next, len(self._sizes) - 1)]
        self._next += 1
        return self._data.read(min(n, size))


def guarded(data: bytes, limit: int, sizes: list[int]) -> tuple[bytes, int]:
    cuts: list[None] = []
    guard = NestingGuard(Chunks(data, sizes), limit, json.dumps(MARKER).encode(), lambda: cuts.append(None))
    out = b"".join(iter(lambda: guard.read(64 * 1024), b""))
    return out, len(cuts)


def bounded(value: Any, limit: int, depth: int = 0) -> tuple[Any, int]:
    """The reference: every list or object that would open level ``limit + 1`` replaced by the marker."""
    if isinstance(value, (list, dict)):
        if depth == limit:
            return MARKER, 1
        items = value.items() if isinstance(value, dict) else enumerate(value)
        cuts = 0
        kept: dict[Any, Any] = {}
        for key, item in items:
            kept[key], n = bounded(item, limit, depth + 1)
            cuts += n
        return (kept if isinstance(value, dict) else list(kept.values())), cuts
    return value, 0


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


# Text that stresses the judgement: quotes, backslashes and brackets inside strings.
texts = st.text(alphabet=st.sampled_from('ab"\\[]{}/\n\u00e9\u2603\U0001f600'), max_size=12)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=values,
    limit=st.integers(min_value=0, max_value=6),
    sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8),
    ascii_only=st.booleans(),
    indent=st.sampled_from([None, 1]),
)
@example(value=[[["\\"]]], limit=2, sizes=[3, 1], ascii_only=True, indent=None)
@example(value={'"]': [[1]]}, limit=1, sizes=[2], ascii_only=True, indent=None)
def test_the_guard_cuts_exactly_what_is_too_deep(
    value: Any, limit: int, sizes: list[int], ascii_only: bool, indent: int | None
) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    out, cuts = guarded(data, limit, sizes)
    assert (json.loads(out), cuts) == bounded(value, limit)
    if not cuts:
        assert out == data  # untouched, byte for byte


@pytest.mark.parametrize("har", sorted(EXTERNAL.glob("*/capture.har")), ids=lambda p: p.parent.name)
def test_real_exports_pass_untouched_and_their_depth_is_seen(har: Path) -> None:
    data = har.read_bytes()
    deepest = depth_of(json.loads(data.decode("utf-8-sig")))
    assert guarded(data, deepest, [64 * 1024]) == (data, 0)
    out, cuts = guarded(data, deepest - 1, [64 * 1024])
    assert cuts and depth_of(json.loads(out.decode("utf-8-sig"))) == deepest - 1


def test_a_value_left_out_across_many_chunks_leaves_its_marker_once() -> None:
    data = b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b', "b": [1]}'
    out, cuts = guarded(data, 3, [1000])
    assert (json.loads(out), cuts) == ({"a": [[MARKER]], "b": [1]}, 1)  # the object is level 1
