"""Identifying values kept compactly: each reads back exactly as it was remembered."""

from __future__ import annotations

import sys

import pytest

from flowaudit.engine import idvalues
from flowaudit.engine.idvalues import Identifier, IdentifierValues
from flowaudit.model import Evidence


def _evidence(ref: str, request: str, location: str = "query:cid") -> Evidence:
    return Evidence(
        flow=ref, location=location, decoding=("json",), data_type="identifiers.device_id", how="a client id",
        excerpt="59… (20 chars)",
        request=request, detector="adapter:ga4", source="https://example.org/doc", property="client id",
    )  # fmt: skip


def test_every_value_reads_back_as_the_identifier_of_its_first_request() -> None:
    kept = IdentifierValues()
    expected: dict[str, Identifier] = {}
    hit = "POST https://region1.google-analytics.com/g/collect?v=2&tid=G-ACME&cid={n}.17950&_p={n}"
    cases = [
        ("app.mitm#7", hit.format(n=1), "region1.google-analytics.com"),
        ("app.mitm#7", hit.format(n=1), "region1.google-analytics.com"),  # a second value of one request
        ("app.mitm#9", hit.format(n=2), "region1.google-analytics.com"),  # deflated against the first
        ("other.har#09", "GET https://a.example/é?\udcff", "a.example"),  # a reference not "file#n", any code point
        ("app.mitm#²", "GET https://a.example/x", "a.example"),
        ("app.mitm#10", "GET https://b.example/" + "z" * 300, "b.example"),
        ("app.mitm#11", "DNS A c.example", "c.example"),
    ]
    for n, (ref, request, host) in enumerate(cases):
        evidence = _evidence(ref, request, location=f"query:v{n % 2}")
        kept.add(f"value-{n}", host, evidence)
        expected[f"value-{n}"] = Identifier(
            "identifiers.device_id", host, ref, request, f"query:v{n % 2}", ("json",), "a client id",
            "adapter:ga4", "https://example.org/doc", "client id",
        )  # fmt: skip
    assert dict(kept) == expected
    assert list(kept) == list(expected) and len(kept) == len(cases) and "value-3" in kept
    assert kept.kind("value-2") == ("identifiers.device_id", "region1.google-analytics.com")


def test_a_request_line_repeated_to_one_host_is_not_kept_again() -> None:
    kept = IdentifierValues()
    line = "POST https://region1.google-analytics.com/g/collect?v=2&tid=G-ACME123456&ul=en-us&sr=1920x1080" * 3
    kept.add("first", "region1.google-analytics.com", _evidence("app.mitm#1", line))
    before = sys.getsizeof(line)
    for n in range(2, 200):
        kept.add(f"v{n}", "region1.google-analytics.com", _evidence(f"app.mitm#{n}", line.replace("G-ACME", f"G-{n}")))
    assert kept["v150"].request == line.replace("G-ACME", "G-150") and kept["v150"].flow == "app.mitm#150"
    held = len(kept._lines) - len(line)  # what the store holds past the first line, kept whole
    assert held < 198 * before / 4


class _Colliding(str):
    """A value whose hash is that of every other: each lookup walks the table past the others."""

    def __hash__(self) -> int:
        return 7


def test_values_are_found_exactly_however_many_and_whatever_their_hashes() -> None:
    kept = IdentifierValues()
    values = [f"id-{n}" for n in range(3000)] + ["\ud83d\ude00 pair", "lone \udcff", "é", ""]
    values += [_Colliding(f"same-hash-{n}") for n in range(40)]
    for n, value in enumerate(values):
        kept.add(value, "a.example", _evidence(f"app.mitm#{n}", f"GET https://a.example/{n}"))
    assert list(kept) == values and len(kept) == len(values)
    assert all(value in kept for value in values)
    assert kept["lone \udcff"].request == "GET https://a.example/3001"
    assert kept[_Colliding("same-hash-39")].flow == f"app.mitm#{len(values) - 1}"
    for absent in ("id-3000", "id-", "\ud83d", _Colliding("same-hash-40"), 5):
        assert absent not in kept
    with pytest.raises(KeyError):
        kept["id-3000"]


def test_a_store_of_many_values_is_a_few_buffers_not_an_object_per_value() -> None:
    kept = IdentifierValues()
    for n in range(2000):
        kept.add(
            f"38400000-8cf0-11bd-b23e-{n:012d}", "a.example", _evidence(f"app.mitm#{n}", f"GET https://a.example/{n}")
        )
    held = sum(sys.getsizeof(getattr(kept, name)) for name in IdentifierValues.__slots__)
    assert held < 2000 * 100  # a str key, its dict entry and number alone were about 150 bytes a value


def test_the_values_found_last_are_remembered_within_their_bound() -> None:
    kept = IdentifierValues()
    for n in range(500):
        kept.add(f"v{n}", "a.example", _evidence(f"app.mitm#{n}", "GET https://a.example/"))
    for _ in range(2):
        assert all(f"v{n}" in kept for n in range(500)) and "v500" not in kept
    assert 0 < len(kept._recent) <= idvalues._RECENT
