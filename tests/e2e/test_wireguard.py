"""A phone's route, for real: a WireGuard client brought up from the
configuration `flowaudit record --mode wireguard` prints, and curl, Python
requests and headless Chromium sending through the tunnel over HTTP/1.1,
HTTP/2, HTTP/3 and DNS.

The client is Debian's ``wireguard-go`` (the userspace WireGuard the
official Android app runs) configured with ``wg`` (wireguard-tools), both
installed by ``.ci/run``. Two network namespaces stand for the computer and
the phone, joined by one veth pair with TEST-NET-2 addresses (RFC 5737) that
exist only there: the recorder listens on 198.51.100.1, the phone's only
route besides that link is the tunnel, and its resolver is the proxy's DNS
(10.0.0.53 through the tunnel). The recorder sinkholes every request and
the computer's namespace has no route anywhere, so nothing leaves the
machine; every answer comes from the proxy itself.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from mitmproxy import dns as mdns
from mitmproxy import exceptions as mexceptions
from mitmproxy import http as mhttp
from mitmproxy import io as mio
from mitmproxy import tcp as mtcp

from flowaudit.capture.banner import qr_lines

from .conftest import (
    DATA,
    IP,
    PYTHON,
    Netns,
    flowaudit_argv,
    load_json,
    observations,
    serve,
    wait_for,
    wait_listening,
    with_resolver,
)

WIREGUARD_GO, WG = shutil.which("wireguard-go"), shutil.which("wg")
needs_wireguard = pytest.mark.skipif(
    WIREGUARD_GO is None or WG is None or shutil.which("chromium") is None,
    reason="needs wireguard-go, wireguard-tools and chromium (Debian packages; .ci/run installs them)",
)

COMPUTER, PHONE = "198.51.100.1", "198.51.100.2"  # TEST-NET-2: routed nowhere
APP_HOSTS = {"api.mixpanel.com", "api.segment.io", "www.google-analytics.com"}


@dataclass
class Phone:
    """The phone's namespace with the tunnel up, and how to run its apps."""

    ns: Netns
    resolv: Path  # the resolver the tunnel configuration names
    spki: str  # the proxy's key, the one certificate key Chromium is told to accept

    def run(self, argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``argv`` in the phone's network, resolving names with the configuration's DNS
        (a private mount of /etc/resolv.conf, as wg-quick would set it)."""
        return self.ns.run(with_resolver(self.resolv, argv), timeout=timeout)

    def chromium(self, url: str, *flags: str, trusting: bool = True) -> subprocess.CompletedProcess[str]:
        """Headless Chromium on ``url``; ``trusting``: it accepts the proxy's certificates."""
        trust = [f"--ignore-certificate-errors-spki-list={self.spki}"] if trusting else []
        return self.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",  # running as root
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={self.ns.workdir / 'profile'}",
                # trust the proxy's key alone (unlike --ignore-certificate-errors, QUIC honours this)
                *trust,
                "--virtual-time-budget=15000",
                "--dump-dom",
                *flags,
                url,
            ],
            timeout=180,
        )


def printed_configuration(log: str) -> str:
    """The client configuration as record prints it: from ``[Interface]`` to the QR code."""
    lines = log.splitlines()
    start = lines.index("[Interface]")
    end = next(i for i in range(start, len(lines)) if "█" in lines[i] or "▀" in lines[i] or "▄" in lines[i])
    return "\n".join(lines[start:end]).strip()


def parse_configuration(text: str) -> dict[str, dict[str, str]]:
    """A wg-quick style configuration: ``{"Interface": {...}, "Peer": {...}}``."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif "=" in line:
            key, value = line.split("=", 1)
            current[key.strip()] = value.strip()
    return sections


def spki_hash(ca_cert: Path) -> str:
    """base64 SHA-256 of the proxy's public key (mitmproxy signs every certificate it makes with it)."""
    key = x509.load_pem_x509_certificate(ca_cert.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def bring_up_tunnel(phone: Netns, conf: dict[str, dict[str, str]]) -> subprocess.Popen[Any]:
    """wireguard-go and wg, as the WireGuard app does with a scanned configuration."""
    assert WIREGUARD_GO is not None and WG is not None and IP is not None
    interface = f"fa{os.getpid() % 100000}wg"  # its control socket is machine-wide: a name of our own
    (phone.workdir / "wg.conf").write_text(
        f"[Interface]\nPrivateKey = {conf['Interface']['PrivateKey']}\n\n"
        f"[Peer]\nPublicKey = {conf['Peer']['PublicKey']}\n"
        f"AllowedIPs = {conf['Peer']['AllowedIPs']}\nEndpoint = {conf['Peer']['Endpoint']}\n"
    )
    daemon = phone.popen(
        [WIREGUARD_GO, "-f", interface], stdout=subprocess.DEVNULL, stderr=(phone.workdir / "wg.log").open("w")
    )
    wait_for(lambda: phone.run([IP, "link", "show", interface], timeout=10).returncode == 0, "the tunnel device")
    for argv in (
        [WG, "setconf", interface, str(phone.workdir / "wg.conf")],
        [IP, "address", "add", conf["Interface"]["Address"], "dev", interface],
        [IP, "link", "set", interface, "up"],
        [IP, "route", "add", "default", "dev", interface],  # everything but the computer's link
    ):
        done = phone.run(argv, timeout=30)
        assert done.returncode == 0, f"{argv}: {done.stderr}"
    return daemon


@pytest.fixture
def tunnel(netns: Netns, tmp_path: Path) -> Iterator[tuple[Phone, subprocess.Popen[Any], Path]]:
    """The recorder in ``netns`` (the computer), sinkholing all, and a phone whose tunnel is up."""
    with tunnel_up(netns, tmp_path, "--sinkhole", "all") as up:
        yield up


@contextlib.contextmanager
def tunnel_up(netns: Netns, tmp_path: Path, *options: str) -> Iterator[tuple[Phone, subprocess.Popen[Any], Path]]:
    """The recorder in ``netns`` with ``options``, and a phone whose tunnel is up. The
    recorder's own resolver is its namespace's loopback, where nothing answers."""
    (tmp_path / "phone").mkdir()
    phone_ns = Netns(tmp_path / "phone")
    try:
        # The tunnel is IPv4 alone. With IPv6 on, the kernel may announce an address change on the
        # phone's links (a link-local address leaving its tentative state) seconds after they come up:
        # Chromium then drops its connections with ERR_NETWORK_CHANGED and a page's fetch fails (seen
        # in a net log of a run that failed 'Failed to fetch', about 1 run in 20 under load).
        ipv6_off = " && ".join(f"echo 1 > /proc/sys/net/ipv6/conf/{c}/disable_ipv6" for c in ("all", "default"))
        done = phone_ns.run(["sh", "-c", ipv6_off], timeout=30)
        assert done.returncode == 0, done.stderr
        netns.link(phone_ns, f"{COMPUTER}/24", f"{PHONE}/24")
        log = tmp_path / "record.log"
        nowhere = tmp_path / "computer-resolv.conf"
        nowhere.write_text("nameserver 127.0.0.1\n")
        recorder = netns.popen(
            with_resolver(
                nowhere,
                flowaudit_argv("record", "--mode", "wireguard", "--listen-host", COMPUTER, "--confdir", netns.confdir)
                + [*options, "--app", "Acme Health", "-w", str(netns.workdir / "wg.mitm")]
                + ["--format", "json", "-o", str(netns.workdir / "result.json"), "--fail-on", "never"],
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        assert wait_listening(log, recorder) == f"{COMPUTER}:51820"
        printed = wait_for(lambda: "The phone must reach" in log.read_text() and log.read_text(), "the configuration")
        text = printed_configuration(printed)
        # The QR code a phone scans holds exactly the configuration printed above it.
        assert "\n".join(qr_lines(text)) in printed
        conf = parse_configuration(text)
        assert conf["Peer"]["Endpoint"] == f"{COMPUTER}:51820"
        resolv = tmp_path / "resolv.conf"
        resolv.write_text(f"nameserver {conf['Interface']['DNS']}\n")
        bring_up_tunnel(phone_ns, conf)
        yield Phone(phone_ns, resolv, spki_hash(netns.ca_cert)), recorder, log
    finally:
        phone_ns.close()


def flows_of(capture: Path) -> list[Any]:
    with capture.open("rb") as f:
        return list(mio.FlowReader(f).stream())


def refusal_written(capture: Path, host: str) -> bool:
    """Whether the recorder has written a handshake to ``host`` refused yet (the capture read while it
    grows). Only that host's counts: Chromium's own background connections can be refused first."""
    try:
        flows = flows_of(capture)
    except mexceptions.FlowReadException:  # a record being written as we read
        return False
    return any(
        isinstance(f, mtcp.TCPFlow)
        and f.error
        and "refused by the client" in f.error.msg
        and host in (f.server_conn.sni, f.client_conn.sni)
        for f in flows
    )


@needs_wireguard
def test_curl_requests_and_chromium_through_a_real_wireguard_tunnel(
    netns: Netns, tunnel: tuple[Phone, subprocess.Popen[Any], Path]
) -> None:
    phone, recorder, log = tunnel
    ca = str(netns.ca_cert)
    curl = ["curl", "-sS", "--fail", "--max-time", "30", "--cacert", ca]

    # HTTP/1.1 over TLS, and plain HTTP/1.1, before any phase
    done = phone.run([*curl, "--http1.1", "https://api.mixpanel.com/track", "-d", "data=jane.doe%40example.com"])
    assert (done.returncode, done.stdout) == (0, "{}"), done.stderr
    done = phone.run([*curl, "http://api.mixpanel.com/engage?distinct_id=user-4242"])
    assert (done.returncode, done.stdout) == (0, "{}"), done.stderr
    # HTTP/2
    done = phone.run([*curl, "--http2", "-o", "/dev/null", "-w", "%{http_version}", "https://api.segment.io/v1/batch"]
                     + ["-H", "content-type: application/json", "-d", '{"userId": "user-4242"}'])  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "2"), done.stderr

    # A phase set from the phone, through the tunnel: the marker URL
    done = phone.run([*curl, "http://flowaudit.invalid/mark/logged-in"])
    assert done.stdout == "flowaudit: phase logged-in\n", done.stderr
    # Python requests (HTTP/1.1), the CA given as an app would bundle it
    script = (
        "import requests, sys; r = requests.post('https://www.google-analytics.com/mp/collect"
        "?measurement_id=G-TEST1234', json={'user_id': 'user-4242'}, verify=sys.argv[1], timeout=30); "
        "print(r.status_code)"
    )
    done = phone.run([PYTHON, "-c", script, ca])
    assert (done.returncode, done.stdout.strip()) == (0, "200"), done.stderr

    # Chromium: a page on the phone's loopback sets consent-granted through the
    # tunnel, then its tracking code posts to Segment (HTTP/2)...
    serve(phone.ns, 18092, DATA)
    page = phone.chromium("http://127.0.0.1:18092/page.html")
    assert '<p id="state">tracked</p>' in page.stdout, page.stderr[-2000:]
    # ... and again over HTTP/3 (QUIC, UDP through the tunnel)
    quic = phone.chromium(
        "http://127.0.0.1:18092/page.html", "--enable-quic", "--origin-to-force-quic-on=api.segment.io:443"
    )
    assert '<p id="state">tracked</p>' in quic.stdout, quic.stderr[-2000:]
    # ... and once not trusting the proxy: the QUIC handshake is refused, and recorded as such
    refused = phone.chromium(
        "https://api.segment.io/v1/pinned",
        "--enable-quic",
        "--origin-to-force-quic-on=api.segment.io:443",
        trusting=False,
    )
    assert "api.segment.io" not in refused.stdout or "{}" not in refused.stdout
    # The proxy learns of the refusal from the client's closing packet, which may reach it after
    # Chromium has exited (on a loaded machine, seconds after): stop the recorder only once it is written.
    wait_for(
        lambda: refusal_written(netns.workdir / "wg.mitm", "api.segment.io"),
        "the refused handshake in the capture",
        timeout=60,
    )

    recorder.send_signal(signal.SIGTERM)
    assert recorder.wait(timeout=120) == 0, log.read_text()[-3000:]
    capture = netns.workdir / "wg.mitm"

    # The capture, as mitmproxy wrote it: every request with its HTTP version, and every lookup.
    raw = flows_of(capture)
    requests_seen = [
        (f.request.method, f.request.pretty_host, f.request.path.split("?")[0], f.request.http_version)
        for f in raw
        if isinstance(f, mhttp.HTTPFlow) and f.request.pretty_host != "flowaudit.invalid"
    ]
    app_requests = [r for r in requests_seen if r[1] in APP_HOSTS]  # not Chromium's own background traffic
    assert app_requests == [
        ("POST", "api.mixpanel.com", "/track", "HTTP/1.1"),
        ("GET", "api.mixpanel.com", "/engage", "HTTP/1.1"),
        ("POST", "api.segment.io", "/v1/batch", "HTTP/2.0"),
        ("POST", "www.google-analytics.com", "/mp/collect", "HTTP/1.1"),
        ("OPTIONS", "api.segment.io", "/v1/track", "HTTP/2.0"),  # the CORS preflight
        ("POST", "api.segment.io", "/v1/track", "HTTP/2.0"),
        ("OPTIONS", "api.segment.io", "/v1/track", "HTTP/3"),
        ("POST", "api.segment.io", "/v1/track", "HTTP/3"),
    ], requests_seen
    looked_up = {q.name for f in raw if isinstance(f, mdns.DNSFlow) for q in f.request.questions}
    assert {"api.mixpanel.com", "api.segment.io", "www.google-analytics.com", "flowaudit.invalid"} <= looked_up

    # The refused QUIC handshake: contacted, contents unknown, with its server name. (Chromium may
    # try the handshake again, a loaded machine makes it more likely: each try is one refusal.)
    pinned = [o for o in observations(capture) if o.kind == "tls" and o.host == "api.segment.io"]
    assert pinned, "the refused handshake was not recorded"
    for refusal in pinned:
        assert (refusal.sni, refusal.phase) == ("api.segment.io", "consent-granted")
        assert refusal.error and "CERTIFICATE_VERIFY_FAILED" in refusal.error

    # The audit reads the same requests, each in its phase.
    observed = [(o.method, o.host, o.phase) for o in observations(capture) if o.kind == "http"]
    app_observed = [o for o in observed if o[1] in APP_HOSTS]
    assert app_observed == [
        ("POST", "api.mixpanel.com", None),
        ("GET", "api.mixpanel.com", None),
        ("POST", "api.segment.io", None),
        ("POST", "www.google-analytics.com", "logged-in"),
        ("OPTIONS", "api.segment.io", "consent-granted"),
        ("POST", "api.segment.io", "consent-granted"),
        ("OPTIONS", "api.segment.io", "consent-granted"),
        ("POST", "api.segment.io", "consent-granted"),
    ]
    # ... and every lookup, in the phase it was made in
    lookups = [o for o in observations(capture) if o.kind == "dns" and o.host in APP_HOSTS]
    assert {(o.host, o.phase) for o in lookups} >= {
        ("api.mixpanel.com", None),
        ("api.segment.io", None),
        ("www.google-analytics.com", "logged-in"),
        ("api.segment.io", "consent-granted"),
    }
    result = load_json(netns.workdir / "result.json")
    rows = {r["entity"]: r for r in result["recipients"]}
    # lookups of hosts then reached count on their row, apart from its requests
    assert rows["Mixpanel"]["attempts"] == sum(1 for o in lookups if o.host == "api.mixpanel.com")
    assert rows["Mixpanel"]["reached"] and result["summary"]["attempts"] >= len(lookups)
    assert not [f for f in result["findings"] if f["rule"] == "attempted-contact" and f["host"] in APP_HOSTS]
    assert rows["Mixpanel"]["flows"] == 2 and rows["Mixpanel"]["phase_flows"]["before-consent"] == 2
    assert result["phases"] == ["before-consent", "logged-in", "consent-granted"]
    # The Python POST is on Google's recipient row, in its phase; Chromium's own requests to Google
    # (platform) and its abandoned or refused handshakes (SNI only: on the row its host names) may fall
    # in that phase too, as many as timing makes them: Google's rows together count each one once.
    google = [r for r in result["recipients"] + result["platform"] if r["entity"] == "Google"]
    assert [r["party"] for r in google if "www.google-analytics.com" in r["hosts"]] == ["third"]
    assert rows["Google"]["phase_flows"]["logged-in"] >= 1
    in_phase = [
        (o.kind, o.method, o.host)
        for o in observations(capture)
        if o.kind != "dns" and o.phase == "logged-in" and any(o.host in r["hosts"] for r in google)
    ]
    assert ("http", "POST", "www.google-analytics.com") in in_phase
    assert sum(r["phase_flows"].get("logged-in", 0) for r in google) == len(in_phase), in_phase
    assert rows["Segment"]["flows"] == 5 + len(pinned)  # 5 requests and the refused handshakes
    assert rows["Segment"]["phase_flows"]["consent-granted"] == 4 + len(pinned)  # the page's 4, the refusals
    assert "contact.email" in rows["Segment"]["data_types"]  # what the page posted, over HTTP/2 and HTTP/3
    uninspectable = {f["host"]: f for f in result["findings"] if f["rule"] == "uninspectable-connection"}
    uninspectable = uninspectable["api.segment.io"]  # (Chromium's own sign-in check was refused too)
    assert uninspectable["phases"] == ["consent-granted"]
    assert "· SNI api.segment.io · at 20" in uninspectable["evidence"][0]["how"]


TRIED = {
    "graph.facebook.com": "Meta",
    "firebaseinstallations.googleapis.com": "Google",  # Firebase
    "inapps.appsflyer.com": "AppsFlyer",
}


@needs_wireguard
def test_lookups_through_the_tunnel_with_the_network_down(netns: Netns, tmp_path: Path) -> None:
    """No sinkhole, and the computer has no network: the proxy cannot resolve
    anything, so the phone's apps never get past DNS. Their lookups are all
    there is, and the audit names every company they were for, as tried."""
    with tunnel_up(netns, tmp_path) as (phone, recorder, log):
        for host in TRIED:
            done = phone.run(["curl", "-sS", "--max-time", "20", f"https://{host}/"])
            assert done.returncode == 6, done.stderr  # curl: could not resolve host
        recorder.send_signal(signal.SIGTERM)
        assert recorder.wait(timeout=120) == 0, log.read_text()[-3000:]

    lookups = [o for o in observations(netns.workdir / "wg.mitm") if o.kind == "dns"]
    assert {o.host for o in lookups} == set(TRIED)
    assert all(o.error and o.phase is None and o.timestamp for o in lookups)
    assert not [o for o in observations(netns.workdir / "wg.mitm") if not o.attempted]

    result = load_json(netns.workdir / "result.json")
    assert (result["summary"]["flows"], result["summary"]["attempts"]) == (0, len(lookups))
    rows = {r["entity"]: r for r in result["recipients"]}
    assert set(rows) == set(TRIED.values())
    for host, company in TRIED.items():
        assert (rows[company]["reached"], rows[company]["hosts"]) == (False, [host])
        assert rows[company]["attempts"] == sum(1 for o in lookups if o.host == host)
    undeclared = {f["entity"]: f["severity"] for f in result["findings"] if f["rule"] == "undeclared-recipient"}
    assert undeclared == {company: "medium" for company in TRIED.values()}
    attempted = {f["host"]: f for f in result["findings"] if f["rule"] == "attempted-contact"}
    assert set(attempted) == set(TRIED)
    for host, finding in attempted.items():
        assert finding["evidence"][0]["request"].startswith("DNS ")
        assert finding["evidence"][0]["request"].endswith(f" {host}")
        assert finding["evidence"][0]["how"].startswith("tried to contact: looked up (")
