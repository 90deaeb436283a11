"""What `flowaudit record -- COMMAND` puts in COMMAND's environment."""

from __future__ import annotations

from pathlib import Path

from flowaudit.capture.environment import command_environment

CA = Path("/conf/mitmproxy-ca-cert.pem")


def test_proxy_and_ca_variables_for_every_kind_of_client() -> None:
    env = command_environment({"PATH": "/bin", "HOME": "/h"}, "http://127.0.0.1:8080", CA).variables
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "FLOWAUDIT_PROXY"):
        assert env[name] == "http://127.0.0.1:8080"
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "FLOWAUDIT_CA_CERT"):
        assert env[name] == str(CA)
    assert env["FLOWAUDIT_MARK_URL"] == "http://flowaudit.invalid/mark/"
    assert (env["PATH"], env["HOME"]) == ("/bin", "/h")  # the rest is inherited


def test_inherited_no_proxy_is_narrowed_to_loopback_and_the_dropped_entries_named() -> None:
    base = {"NO_PROXY": "localhost, .tracker.example,10.0.0.0/8", "no_proxy": "127.0.0.1,api.segment.io"}
    env = command_environment(base, "http://127.0.0.1:8080", CA)
    assert env.variables["NO_PROXY"] == env.variables["no_proxy"] == "localhost,127.0.0.1,::1"
    assert env.dropped_no_proxy == (".tracker.example", "10.0.0.0/8", "api.segment.io")


def test_modes_without_a_proxy_url_set_only_the_ca() -> None:
    env = command_environment({"HTTPS_PROXY": "http://corporate:3128", "NO_PROXY": "x"}, None, CA)
    assert env.variables["HTTPS_PROXY"] == "http://corporate:3128"  # untouched: clients do not name the proxy
    assert env.variables["NO_PROXY"] == "x" and env.dropped_no_proxy == ()
    assert env.variables["SSL_CERT_FILE"] == str(CA) and "FLOWAUDIT_PROXY" not in env.variables
