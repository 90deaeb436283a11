"""Identifying values kept compactly: each reads back exactly as it was remembered."""

from __future__ import annotations

import sys

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
        expected[f"value-{n}"] = Identifier.of("identifiers.device_id", host, evidence)
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
    held = sum(sys.getsizeof(packed) for packed in kept._lines[1:])  # what the store holds
    assert held < 198 * before / 4
