from __future__ import annotations

from pathlib import Path

import publicsuffixlist
import pytest
from publicsuffixlist import PublicSuffixList

from flowaudit.catalog import registrable_domain
from flowaudit.catalog.domains import _psl, ip_literal, normalize_host, psl_rules


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("o123456.ingest.us.sentry.io", "sentry.io"),
        ("api.mixpanel.com", "mixpanel.com"),
        ("mixpanel.com", "mixpanel.com"),
        ("foo.co.uk", "foo.co.uk"),
        ("www.foo.co.uk", "foo.co.uk"),
        ("a.b.github.io", "b.github.io"),
        ("d123.cloudfront.net", "d123.cloudfront.net"),
        ("update.googleapis.com", "update.googleapis.com"),  # googleapis.com is a public suffix
        ("API.Mixpanel.COM.", "mixpanel.com"),
        ("github.io", "github.io"),  # a public suffix itself stays as it is
        ("localhost", "localhost"),
        ("192.0.2.7", "192.0.2.7"),
        ("[2001:DB8::1]", "2001:db8::1"),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


def test_normalize_host() -> None:
    assert normalize_host(" Api.Segment.IO. ") == "api.segment.io"
    assert normalize_host("[::1]") == "::1"


def test_ip_literal() -> None:
    assert ip_literal("10.0.0.1") == "10.0.0.1"
    assert ip_literal("2001:0db8:0000::1") == "2001:db8::1"
    assert ip_literal("10.0.0.1.example") is None
    assert ip_literal("api.stripe.com") is None


def test_the_kept_rules_give_the_library_s_own_answers() -> None:
    """The rules flowaudit keeps (with punycode forms), parsed per top-level domain, read exactly as the
    library reads its whole bundled list: every rule, an exception, a wildcard and each internationalised
    rule in both forms, one and two levels below; a top-level domain the list lacks, a name with an empty
    label, a bare suffix."""
    bundled = PublicSuffixList()
    hosts = [
        host
        for rule in psl_rules(Path(publicsuffixlist.PSLFILE).read_bytes())
        for name in (rule.lstrip("!").replace("*", "w"),)
        for host in (name, f"a.{name}", f"b.a.{name}")
    ]
    hosts += ["a.b.example-not-a-tld", "example-not-a-tld", "a..com", "com", "b.a.kobe.jp", "city.kobe.jp"]
    assert len(hosts) > 30_000
    assert [_psl(h.rpartition(".")[2]).privatesuffix(h) for h in hosts] == [bundled.privatesuffix(h) for h in hosts]
    assert (registrable_domain("b.a.xn--55qx5d.cn"), registrable_domain("b.a.公司.cn")) == (
        "a.xn--55qx5d.cn",
        "a.公司.cn",
    )
