"""`flowaudit record -- COMMAND` with real clients: curl, Python requests,
Segment's analytics SDK (PyPI) and headless Chromium. Their flows must come
out in the capture and in the audit, and the exit status must say both
whether COMMAND failed and whether the audit did."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess

import pytest

from ..resultschema import valid_result_text
from .conftest import (
    DATA,
    PYTHON,
    Netns,
    chromium_via_proxy,
    flowaudit_argv,
    load_json,
    observations,
    only_capture,
    serve,
    wait_for,
    wait_listening,
)

CLIENT_HOSTS = {"api.mixpanel.com", "www.google-analytics.com", "api.segment.io"}


def record(netns: Netns, *args: str, command: list[str], env: dict[str, str] | None = None):
    return netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", *args, "--", *command),
        env=env or netns.env(),
        timeout=180,
    )


def test_curl_requests_and_an_analytics_sdk_are_recorded_and_audited(netns: Netns) -> None:
    run = record(
        netns,
        "--declared",
        str(DATA / "segment-only.yml"),
        "--format",
        "json",
        "-o",
        "result.json",
        "--command-output",
        "clients.log",
        command=[PYTHON, str(DATA / "clients.py")],
    )
    # COMMAND succeeded, the audit found undeclared recipients: 1
    assert run.returncode == 1, run.stderr
    assert run.stdout == ""  # the report went to -o; COMMAND's output to --command-output
    seen = json.loads((netns.workdir / "clients.log").read_text().strip().splitlines()[-1])
    assert (seen["curl"], seen["requests"], seen["segment"]) == ("200", 200, "sent"), seen

    # The environment COMMAND got: proxy (default port 8080 on loopback) and CA for every client.
    ca = str(netns.ca_cert)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        assert seen[name] == "http://127.0.0.1:8080", name
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"):
        assert seen[name] == ca, name
    assert seen["NO_PROXY"] == "localhost,127.0.0.1,::1"
    assert seen["FLOWAUDIT_MARK_URL"] == "http://flowaudit.invalid/mark/"

    # The capture: every client's requests, named after the declared app.
    capture = only_capture(netns.workdir / "captures")
    assert capture.name.startswith("acme-health-")
    flows = observations(capture)
    assert {o.host for o in flows} == CLIENT_HOSTS
    assert all(o.status == 200 for o in flows)
    [curl] = [o for o in flows if o.host == "api.mixpanel.com"]
    assert (curl.method, curl.path) == ("POST", "/track")
    assert b"jane.doe%40example.com" in curl.body
    [ga] = [o for o in flows if o.host == "www.google-analytics.com"]
    assert ga.path.startswith("/mp/collect?measurement_id=G-TEST1234")
    assert b"type 2 diabetes" in ga.body
    segment = [o for o in flows if o.host == "api.segment.io"]
    assert [o.path for o in segment] == ["/v1/batch", "/v1/batch"]  # identify, track
    assert any(b"jane.doe@example.com" in o.body for o in segment)

    # The audit: the same flows, Segment declared, the two others not.
    result = load_json(netns.workdir / "result.json")
    assert result["inputs"][0]["path"] == str(capture.relative_to(netns.workdir))
    assert result["inputs"][0]["flows"] == len(flows) == 4
    rows = {r["entity"]: r for r in result["recipients"]}
    assert set(rows) == {"Segment", "Mixpanel", "Google"}
    assert rows["Segment"]["declared"] and rows["Segment"]["flows"] == 2
    assert "contact.email" in rows["Segment"]["data_types"]  # what the SDK sent, found by the audit
    undeclared = {f["entity"] for f in result["findings"] if f["rule"] == "undeclared-recipient"}
    assert undeclared == {"Mixpanel", "Google"}


@pytest.mark.parametrize(
    ("fail_on", "command_exit", "expected"),
    [
        ("never", "0", 0),  # both fine
        ("high", "0", 1),  # findings (the undeclared trackers)
        ("never", "7", 3),  # COMMAND failed
        ("high", "7", 4),  # COMMAND failed and findings
    ],
)
def test_exit_status_combines_command_and_audit(netns: Netns, fail_on, command_exit, expected) -> None:
    run = record(
        netns,
        "--declared",
        str(DATA / "segment-only.yml"),
        "--fail-on",
        fail_on,
        command=[PYTHON, str(DATA / "clients.py")],
        env=netns.env(CLIENTS_EXIT=command_exit),
    )
    assert run.returncode == expected, run.stderr
    assert f"COMMAND exited with status {command_exit}" in run.stderr


def test_command_killed_by_a_signal_counts_as_failed(netns: Netns) -> None:
    run = record(netns, "--fail-on", "never", command=["sh", "-c", "kill -TERM $$"])
    assert run.returncode == 3, run.stderr
    assert "COMMAND exited with status 143" in run.stderr
    assert "no traffic went through the proxy" in run.stderr  # silence is flagged, not passed quietly


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_headless_chromium_page_tracking_and_url_marker(netns: Netns) -> None:
    # The page is served on loopback, which Chromium never sends through a proxy;
    # its tracking request to Segment goes through the proxy. (The namespace is
    # fresh: every port but the proxy's is free.)
    page_port = 18090
    server = serve(netns, page_port, DATA)
    chromium = chromium_via_proxy(netns, f"http://127.0.0.1:{page_port}/page.html", 15000)
    run = record(netns, "--format", "json", "-o", "result.json", "--fail-on", "never", command=chromium)
    server.kill()
    assert run.returncode == 0, run.stderr
    assert '<p id="state">tracked</p>' in run.stderr  # the page saw its request answered (COMMAND's output)

    flows = observations(only_capture(netns.workdir / "captures"))
    segment = [o for o in flows if o.host == "api.segment.io"]
    assert [o.method for o in segment] == ["OPTIONS", "POST"]  # CORS preflight, then the request
    assert b"jane.doe@example.com" in segment[1].body
    assert all(o.phase == "consent-granted" for o in segment)
    assert not any(o.host == "flowaudit.invalid" for o in flows)  # the marker is not app traffic

    result = load_json(netns.workdir / "result.json")
    [row] = [r for r in result["recipients"] if r["entity"] == "Segment"]
    assert row["phases"] == ["consent-granted"]
    # Chromium's own background traffic, if any got through, is platform, never the page's recipient
    assert all(r["category"] == "platform" for r in result["platform"])


def test_wireguard_mode_prints_the_client_configuration_and_a_qr_code(netns: Netns, tmp_path) -> None:
    log = tmp_path / "record.log"
    recorder = netns.popen(
        flowaudit_argv("record", "--mode", "wireguard", "--listen-host", "127.0.0.1", "--confdir", netns.confdir)
        + ["--no-audit", "-w", str(tmp_path / "wg.mitm")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    assert wait_listening(log, recorder) == "127.0.0.1:51820"  # WireGuard's usual port
    text = wait_for(lambda: "The phone must reach" in log.read_text() and log.read_text(), "the client configuration")
    assert "[Interface]\nPrivateKey = " in text and "[Peer]\nPublicKey = " in text
    assert "Endpoint = 127.0.0.1:51820" in text and "AllowedIPs = 0.0.0.0/0" in text
    assert "██" in text  # the QR code, drawn with block characters
    keys = json.loads((netns.confdir / "wireguard.conf").read_text())
    assert f"PrivateKey = {keys['client_key']}" in text
    recorder.send_signal(signal.SIGTERM)
    assert recorder.wait(timeout=60) == 0


def test_standard_output_carries_only_the_report(netns: Netns, tmp_path) -> None:
    """`record --format json -- COMMAND > out.json`: COMMAND's output goes to standard error,
    so what standard output carries is the JSON result alone; or to --command-output FILE."""
    command = ["sh", "-c", "echo hello; echo oops >&2"]
    run = record(netns, "--format", "json", "-w", str(tmp_path / "a.mitm"), command=command)
    assert run.returncode == 0, run.stderr
    assert valid_result_text(run.stdout)["inputs"][0]["flows"] == 0
    assert "hello\n" in run.stderr and "oops\n" in run.stderr

    log = tmp_path / "command.log"
    log.write_text("earlier\n")
    into_log = ("--command-output", str(log))
    run = record(netns, "--format", "json", "-w", str(tmp_path / "b.mitm"), *into_log, command=command)
    assert run.returncode == 0, run.stderr
    valid_result_text(run.stdout)
    assert "hello" not in run.stderr and "oops" not in run.stderr
    assert log.read_text() == "earlier\nhello\noops\n"  # appended: both of COMMAND's streams


def test_sigterm_stops_command_then_proxy_then_audits(netns: Netns, tmp_path) -> None:
    capture = tmp_path / "term.mitm"
    command = "curl -sS -o /dev/null https://api.segment.io/v1/t -d '{}' && exec sleep 120"
    recorder = netns.popen(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "-w", capture)
        + ["--format", "json", "--", "sh", "-c", command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: capture.exists() and observations(capture), "the first flow")
    recorder.send_signal(signal.SIGTERM)
    out, err = recorder.communicate(timeout=60)
    # COMMAND was stopped (SIGTERM: 143), the audit ran and found Segment undeclared: 3 + 1
    assert recorder.returncode == 4, err
    assert "COMMAND exited with status 143" in err
    assert [r["entity"] for r in valid_result_text(out)["recipients"]] == ["Segment"]


def test_reverse_mode(netns: Netns) -> None:
    """Clients talk to the proxy as if it were the server; the flow is the server's."""
    capture = netns.workdir / "reverse.mitm"
    run = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "--no-audit", "-w", capture)
        + ["--mode", "reverse:https://api.segment.io"]
        + ["--", "curl", "-sS", "http://127.0.0.1:8080/v1/batch", "-d", "{}"]
    )
    assert run.returncode == 0, run.stderr
    assert "reverse proxy to https://api.segment.io listening on 127.0.0.1:8080" in run.stderr.lower()
    [flow] = observations(capture)
    assert (flow.scheme, flow.host, flow.path, flow.status) == ("https", "api.segment.io", "/v1/batch", 200)


def test_upstream_mode_chains_to_another_proxy(netns: Netns, tmp_path) -> None:
    """The recording proxy forwards to an upstream proxy (here a second, sinkholing recorder)."""
    upstream_log = tmp_path / "upstream.log"
    upstream = netns.popen(
        flowaudit_argv("record", "--confdir", tmp_path / "upstream-conf", "--sinkhole", "all", "--port", "0")
        + ["--no-audit", "-w", str(tmp_path / "upstream.mitm")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=upstream_log.open("w"),
    )
    upstream_address = wait_listening(upstream_log, upstream)
    capture = tmp_path / "chained.mitm"
    run = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--mode", f"upstream:http://{upstream_address}")
        + ["--no-audit", "-w", str(capture), "--command-output", str(tmp_path / "curl.out")]
        + ["--", "curl", "-sS", "http://api.segment.io/v1/t?via=chain"]
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "curl.out").read_text() == "{}"  # answered by the upstream proxy's sinkhole
    [flow] = observations(capture)
    assert (flow.host, flow.path, flow.status) == ("api.segment.io", "/v1/t?via=chain", 200)
    upstream.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
    assert upstream.wait(timeout=60) == 0
    assert [o.path for o in observations(tmp_path / "upstream.mitm")] == ["/v1/t?via=chain"]
