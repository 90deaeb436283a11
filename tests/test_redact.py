"""Masking secrets: names and shapes of credentials, in URLs, headers, bodies
and excerpts; canaries kept; the whole result swept before any output."""

from dataclasses import replace

import pytest

from flowaudit import redact
from flowaudit.model import (
    AuditResult,
    ConsentSignalSeen,
    Evidence,
    Finding,
    PhaseChange,
    Recipient,
    SuppressedFinding,
)
from flowaudit.redact import MASK, Redactor, is_secret_name, redact_result, redact_url


def test_access_token_in_query_is_masked() -> None:
    url = "https://graph.facebook.com/v17.0/me?fields=id&access_token=EAAB1234secret"
    out = redact_url(url)
    assert "EAAB1234secret" not in out
    assert MASK in out
    assert "fields=id" in out


def test_url_without_secrets_is_untouched() -> None:
    url = "https://api-js.mixpanel.com/track/?verbose=1&ip=1&_=1795374899769"
    assert redact_url(url) == url


def test_secret_names_in_any_spelling() -> None:
    for name in (
        "access_token",
        "accessToken",
        "Access-Token",
        "api_key",
        "apiKey",
        "X-Api-Key",
        "Authorization",
        "Cookie",
        "client_secret",
        "writeKey",
        "sentry_key",
    ):
        assert is_secret_name(name), name
    for name in ("fields", "verbose", "event", "distinct_id", "page"):
        assert not is_secret_name(name), name


def test_declared_extra_names_are_masked() -> None:
    assert is_secret_name("x-acme-tenant", extra=("X-Acme-Tenant",))
    assert "t-42" not in redact_url("https://a.example/?x_acme_tenant=t-42", extra=("x_acme_tenant",))


def test_short_name_parts_only_count_at_the_end() -> None:
    for name in ("sentry_key", "x-api-key", "sid", "auth", "oauth_signature", "auth_code", "AUTH-TOKEN"):
        assert is_secret_name(name), name
    for name in ("keyword", "side", "sidebar", "author", "authority", "monkey", "signup", "design"):
        assert not is_secret_name(name), name


def test_url_keeps_everything_but_the_secrets() -> None:
    r = Redactor()
    assert r.url("https://u:p4ss@h.example/p?a=1&token=t0k#access_token=x") == (
        "https://(redacted)@h.example/p?a=1&token=(redacted)#access_token=(redacted)"
    )
    # No re-encoding of what stays: the evidence is shown as it was sent.
    assert r.url("https://h.example/p?q=a%20b+c&x=%7B%7D") == "https://h.example/p?q=a%20b+c&x=%7B%7D"


def test_text_masks_credentials_by_name_and_shape() -> None:
    r = Redactor(keep=("jane.doe@example.com",))
    cases = {
        "Authorization: Bearer abc.def-123": "Authorization: (redacted)",
        "Cookie: sid=1; theme=dark\nX-Other: 1": "Cookie: (redacted)\nX-Other: 1",
        '{"api_key": "k-1", "email": "jane@x.example"}': '{"api_key": "(redacted)", "email": "jane@x.example"}',
        'data={\\"token\\":\\"abc\\"}': 'data={\\"token\\":\\"(redacted)\\"}',
        "Sentry sentry_key=abc123, sentry_version=7": "Sentry sentry_key=(redacted), sentry_version=7",
        "sent Bearer abcdefgh to them": "sent Bearer (redacted) to them",
        "Basic dXNlcjpwYXNz": "Basic (redacted)",
        "key AKIAABCDEFGHIJKLMNOP here": "key (redacted) here",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc": "(redacted)",
        "stripe sk_live_0123456789abcdef": "stripe (redacted)",
    }
    for given, expected in cases.items():
        assert r.text(given) == expected, given
    # Prose stays prose.
    for prose in ("Basic information about the key", "Token verification failed", "Mixpanel received 4 requests"):
        assert r.text(prose) == prose


def test_urls_inside_parameters_and_payloads_are_swept_at_any_depth() -> None:
    """A URL inside a parameter is percent-encoded once or twice, or JSON-escaped; its
    separators then read %3F, %253D, \\u0026 ... and its secrets are masked all the same."""
    r = Redactor()
    cases = {
        # GA4's page URL, encoded once, carrying an OAuth authorization code
        "GET https://g.example/collect?dl=https%3A%2F%2Fshop.example%2Fcb%3Fcode%3DSplx0%26state%3Dxyz&dt=T": (
            "GET https://g.example/collect?dl=https%3A%2F%2Fshop.example%2Fcb%3Fcode%3D(redacted)%26state%3Dxyz&dt=T"
        ),
        # encoded twice
        "https://m.example/?redirect=https%253A%252F%252Fa%252F%253Faccess_token%253Dabc%2526x%253D1&b=2": (
            "https://m.example/?redirect=https%253A%252F%252Fa%252F%253Faccess_token%253D(redacted)%2526x%253D1&b=2"
        ),
        # a path parameter, encoded, in a form body (a secret's value runs to the next "&", ";" or "#")
        "ref=https%3A%2F%2Fshop%2Fp%3Bjsessionid%3DDEADBEEF%3Fq%3D1&n=2": (
            "ref=https%3A%2F%2Fshop%2Fp%3Bjsessionid%3D(redacted)&n=2"
        ),
        # Mixpanel's $current_url in JSON, with JSON-escaped separators
        '{"$current_url": "https:\\/\\/a\\/b?x=1\\u0026code\\u003dc0de\\u0026token=t0k"}': (
            '{"$current_url": "https:\\/\\/a\\/b?x=1\\u0026code\\u003d(redacted)\\u0026token=(redacted)"}'
        ),
        # a Referer value
        "https://shop.example/account;jsessionid=0DDBA11?ticket=ST-1-cas": "https://shop.example/account;jsessionid=(redacted)",
        "https://shop.example/login?ticket=ST-1-cas&x=1": "https://shop.example/login?ticket=(redacted)&x=1",
    }
    for given, expected in cases.items():
        assert r.text(given) == expected, given
    assert r.header("Referer", "https://a.example/?code=c0de&x=1") == "https://a.example/?code=(redacted)&x=1"


@pytest.mark.parametrize("separator", redact._ENCODED_BEFORE)
def test_a_secret_after_every_encoded_separator_is_masked(separator: str) -> None:
    """Each encoded "?", "&", ";" or "#" (once, twice or three times percent-encoded, or
    JSON-escaped) starts a pair, also right after a word character, where the pattern only
    looks for one after seeing its last character."""
    r = Redactor()
    given = f"GET https://g.example/c?dl=https%3A%2F%2Fa.example%2Fcb{separator}token%3Ds3cr3t&x=1"
    assert "s3cr3t" not in r.text(given) and "(redacted)" in r.text(given)


def test_user_info_of_urls_inside_urls_and_payloads_is_masked() -> None:
    """A password in a URL's user-info is masked wherever the URL sits: inside a parameter,
    percent-encoded once or twice, JSON-escaped, or unparseable ("[x")."""
    r = Redactor()
    cases = {
        "https://g.example/c?dr=http://u:pw1@h.example/x": "https://g.example/c?dr=http://(redacted)@h.example/x",
        "https://g.example/c?dl=http%3A%2F%2Fu%3Apw2%40h.example%2F": "https://g.example/c?dl=http%3A%2F%2F(redacted)%40h.example%2F",
        "a=https%3A%2F%2Fx%2F%3Fr%3Dhttps%253A%252F%252Fu%253Apw3%2540h": (
            "a=https%3A%2F%2Fx%2F%3Fr%3Dhttps%253A%252F%252F(redacted)%2540h"
        ),
        '{"u": "https:\\/\\/u:pw4@h\\/x"}': '{"u": "https:\\/\\/(redacted)@h\\/x"}',
        "page=https://u:pw5@[shop/cart": "page=https://(redacted)@[shop/cart",
    }
    for given, expected in cases.items():
        assert r.text(given) == expected, given
        assert r.url(given) == expected, given
    # An email after a URL, or in its query, is no user-info.
    for kept in ("https://h.example/p?email=jane@example.com", "see http://h.example and jane@example.com"):
        assert r.text(kept) == kept


def test_more_credential_names() -> None:
    r = Redactor()
    for name in ("pass", "pw", "passphrase", "client_assertion", "oauth_verifier", "csrf", "_csrf", "X-CSRF"):
        assert is_secret_name(name), name
        assert r.url(f"https://a.example/?{name}=v4lue") == f"https://a.example/?{name}=(redacted)", name
    # a code, PIN or ticket is a credential as a URL's parameter only
    for name in ("code", "pin", "ticket"):
        assert not is_secret_name(name) and is_secret_name(name, in_url=True), name
        assert r.url(f"https://a.example/cb?{name}=v4lue") == f"https://a.example/cb?{name}=(redacted)", name
        assert r.excerpt(f"query:{name}", "v4lue") == MASK
        assert r.excerpt(f"body > json:properties.$current_url > query:{name}", "v4lue") == MASK


def test_a_country_or_currency_code_outside_a_url_is_evidence_not_a_secret() -> None:
    r = Redactor()
    for kept in ('{"code": "EUR", "country_code": "DE", "pin": "110001"}', "code=US&pin=110001&ticket=row-12"):
        assert r.text(kept) == kept
    assert r.excerpt("body > json:address.pin", "110001") == "110001"
    assert r.excerpt("body > form:code", "US") == "US"
    for name in ("zipcode", "postcode", "promo_code", "passenger", "pinned", "compass", "ticket_price"):
        assert not is_secret_name(name, in_url=True), name


def test_canary_values_are_never_masked() -> None:
    r = Redactor(keep=("jane.doe@example.com",))
    assert r.text("token=jane.doe@example.com") == "token=jane.doe@example.com"
    assert r.excerpt("header > Authorization", "jane.doe@example.com") == "jane.doe@example.com"


def test_excerpts_under_credentials_or_in_cookies_are_masked_whole() -> None:
    r = Redactor(names=("X-Acme-Tenant",))
    assert r.excerpt("header > Authorization", "Bearer x") == MASK
    assert r.excerpt("cookie > _ga", "GA1.2.3") == MASK
    assert r.excerpt("header > X-Acme-Tenant", "t-42") == MASK
    assert r.excerpt("body > json:properties.$email", "jane@x.example") == "jane@x.example"


def test_disabled_redactor_changes_nothing() -> None:
    r = Redactor(enabled=False)
    for text in ("Authorization: Bearer abcdefgh", "https://h.example/?token=x"):
        assert r.text(text) == text and r.url(text) == text


def _result(excerpt: str, request: str) -> AuditResult:
    evidence = Evidence(flow="c.mitm#1", request=request, location="header > Authorization", excerpt=excerpt)
    finding = Finding(
        id="i",
        rule="r",
        severity="high",
        title="t",
        message=f"sent {request}",
        entity=None,
        host=None,
        evidence=(evidence,),
    )
    return AuditResult(
        tool_version="0",
        rules_version="0",
        inputs=(),
        app_name=None,
        declaration=None,
        recipients=(),
        platform=(),
        findings=(finding,),
        flows=1,
    )


def test_redact_result_sweeps_every_finding() -> None:
    result = redact_result(_result("Bearer s3cret-t0ken", "GET https://h.example/?access_token=s3cret"), Redactor())
    [f] = result.findings
    assert "s3cret" not in repr(f) and result.redacted
    off = redact_result(
        _result("Bearer s3cret-t0ken", "GET https://h.example/?access_token=s3cret"), Redactor(enabled=False)
    )
    assert "s3cret" in repr(off.findings) and off.redacted is False


def test_masked_value_shows_no_more_than_a_sixth_of_the_value() -> None:
    from flowaudit.redact import fingerprint, masked_value

    assert masked_value("user-4242") == f"… (9 chars) {fingerprint('user-4242')}"
    assert masked_value("abcdef123456") == f"a…6 (12 chars) {fingerprint('abcdef123456')}"
    for value in ("x", "user-4242", "0123456789abcdef", "3f2a9c1e-77b0-4d1c-9e8a-5b6c7d8e9f01"):
        shown = masked_value(value).split(" (")[0].replace("…", "")
        assert len(shown) * 6 <= len(value)
        assert value not in masked_value(value)


def test_redact_result_sweeps_every_place_evidence_sits() -> None:
    """Findings, suppressed findings, recipients' and platform rows' evidence, phase
    changes and consent signals: nothing in the result keeps the secret."""
    base = _result("Bearer s3cret-t0ken", "GET https://h.example/?access_token=s3cret")
    (finding,) = base.findings
    (evidence,) = finding.evidence
    row = Recipient("Acme", "acme", "analytics", "third", False, ("h.example",), 1, evidence=(evidence,))
    full = replace(
        base,
        recipients=(row,),
        platform=(row,),
        suppressed=(SuppressedFinding(finding, "baseline", "old.json", "old.json"),),
        phase_changes=(PhaseChange("after-consent", "granted", "marker", evidence),),
        consent_signals=(ConsentSignalSeen("tcf", "granted", "consent given", 1, evidence),),
    )
    assert "s3cret" in repr(full)
    assert "s3cret" not in repr(redact_result(full, Redactor()))


def test_locations_keep_cookie_and_header_names() -> None:
    """A location names where a value sat; ``cookie:c_user`` is not a ``Cookie:`` header line."""
    r = Redactor()
    assert r.location("cookie:c_user") == "cookie:c_user"
    assert r.location("header:Authorization") == "header:Authorization"
    assert (
        r.location("body > form:data > json:[0].properties.$email") == "body > form:data > json:[0].properties.$email"
    )
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyNDIifQ.c2lnbmF0dXJlLXNlY3JldA"
    assert r.location(f"body > json:{jwt}") == "body > json:(redacted)"  # a credential used as a key is still masked
    assert Redactor(enabled=False).location(f"json:{jwt}") == f"json:{jwt}"


def _urls() -> list[str]:
    """Every request URL of the external corpus, and URLs made of the pieces redaction reads:
    user-info, secret and plain names, every encoded separator and "=", canary values, masks,
    credential shapes, URLs encoded inside values, schemes that are secret names."""
    import json
    import random
    from pathlib import Path

    found = [
        entry["request"]["url"]
        for har in sorted((Path(__file__).resolve().parent / "corpus" / "external").glob("*/capture.har"))
        for entry in json.loads(har.read_text("utf-8-sig"))["log"]["entries"]
    ]
    rng = random.Random(6749)
    names = ["x", "code", "token", "pin", "ticket", "session", "sid", "apikey", "dl", "c[d]", "$e", "authority"]
    names += ["pass", "access_token", "jsessionid", "(redacted)"]
    separators = ["&", ";", "#", "?", ",", " ", *redact._ENCODED_BEFORE]
    equals = ["=", "%3D", "%253D", "\\u003d", "%3d"]
    values = ["1", "s3cr3t", "keepme", "(redacted)", "", "a=b", "x%40y", "eyJabc.eyJdef.ghi", "AKIAABCDEFGHIJKLMNOP"]
    values += ["Bearer abcdefgh", "http%3A%2F%2Fu%3Ap%40h%2F%3Fcode%3Dz", "https:\\/\\/u:p@h\\/?token=t"]

    def pair(depth: int) -> str:
        value = rng.choice(values)
        if depth < 2 and rng.random() < 0.2:
            value = "https%3A%2F%2Fi.example%2F%3F" + pair(depth + 1).replace("=", "%3D").replace("&", "%26")
        return rng.choice(names) + rng.choice(equals) + value

    for _ in range(5000):
        url = rng.choice(["https", "http", "token", "a+b", "session"]) + "://"
        url += rng.choice(["", "", "", "u:p@", "user@", "a:b%40c@", "(redacted)@"])
        url += rng.choice(["h.example", "x"]) + rng.choice(["", "/", "/p/q", "/p;jsessionid=ABC"])
        pairs = [pair(0) for _ in range(rng.randint(0, 5))]
        url += ("?" + "".join(rng.choice(separators) + p for p in pairs)[1:]) if pairs else ""
        found.append(url + ("#" + pair(0) if rng.random() < 0.1 else ""))
    return found


def test_a_url_is_swept_as_every_pass_sweeps_it() -> None:
    """A text that is one URL skips the whole-text passes for user-info and pairs (redact._sweep):
    what it gives must be what every pass gives, with and without a declaration's names and canaries."""
    urls = _urls()
    assert len(urls) > 5000
    for r in (Redactor(), Redactor(names=("session",), keep=("keepme",))):
        shortcut = [r._sweep(url) for url in urls if redact._URL.fullmatch(url)]
        assert len(shortcut) > 4000
        assert shortcut == [r._swept_text(url) for url in urls if redact._URL.fullmatch(url)]
