"""The environment ``flowaudit record -- COMMAND`` gives COMMAND, so its clients use the proxy.

Proxy variables: both spellings, because clients disagree (curl reads only
lower-case ``http_proxy``; Python, Go and Node libraries read either).
``NO_PROXY`` is replaced by loopback only: a ``NO_PROXY`` inherited from the
user's shell or the CI image could quietly exempt a tracker from the audit,
while traffic to local test servers (loopback) is not the app's outbound
traffic anyway. Entries dropped this way are reported, so nobody is
surprised.

CA variables: Python ``requests``/``httpx`` (``REQUESTS_CA_BUNDLE``,
``SSL_CERT_FILE``), OpenSSL-based clients (``SSL_CERT_FILE``), curl
(``CURL_CA_BUNDLE``) and Node (``NODE_EXTRA_CA_CERTS``) then trust the
proxy's CA. ``FLOWAUDIT_*`` variables name the proxy, the CA and the marker
URL for everything else (JVM, browsers, UI tests): see the README recipes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flowaudit.captureformat import MARK_PATH, RESERVED_HOST

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")
LOOPBACK = ("localhost", "127.0.0.1", "::1")
MARK_URL = f"http://{RESERVED_HOST}{MARK_PATH}"


@dataclass(frozen=True)
class CommandEnvironment:
    variables: dict[str, str]
    dropped_no_proxy: tuple[str, ...]  # inherited NO_PROXY entries that no longer apply


def command_environment(base: Mapping[str, str], proxy_url: str | None, ca_file: Path) -> CommandEnvironment:
    """``base`` plus what makes COMMAND's clients go through the proxy and trust its CA.

    ``proxy_url`` is None in modes where the clients do not name a proxy
    (reverse: they talk to the listener itself; WireGuard: a device does).
    """
    env = dict(base)
    dropped: list[str] = []
    if proxy_url is not None:
        for name in PROXY_VARIABLES:
            env[name] = proxy_url
        for name in NO_PROXY_VARIABLES:
            for entry in base.get(name, "").split(","):
                entry = entry.strip()
                if entry and entry not in LOOPBACK and entry not in dropped:
                    dropped.append(entry)
            env[name] = ",".join(LOOPBACK)
        env["FLOWAUDIT_PROXY"] = proxy_url
    for name in CA_VARIABLES:
        env[name] = str(ca_file)
    env["FLOWAUDIT_CA_CERT"] = str(ca_file)
    env["FLOWAUDIT_MARK_URL"] = MARK_URL
    return CommandEnvironment(env, tuple(dropped))
