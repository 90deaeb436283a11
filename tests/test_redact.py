from flowaudit.redact import MASK, is_secret_name, redact_url


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
    for name in ("access_token", "accessToken", "Access-Token", "api_key", "apiKey", "X-Api-Key",
                 "Authorization", "Cookie", "client_secret", "writeKey", "sentry_key"):
        assert is_secret_name(name), name
    for name in ("fields", "verbose", "event", "distinct_id", "page"):
        assert not is_secret_name(name), name


def test_declared_extra_names_are_masked() -> None:
    assert is_secret_name("x-acme-tenant", extra=("X-Acme-Tenant",))
    assert "t-42" not in redact_url("https://a.example/?x_acme_tenant=t-42", extra=("x_acme_tenant",))
