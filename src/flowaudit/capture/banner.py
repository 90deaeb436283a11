"""What ``flowaudit record`` tells the user when the proxy is up: where it
listens, where the capture goes, where the CA certificate is and how to trust
it, how to set phases, and for WireGuard the client configuration with a QR
code a phone can scan."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import qrcode  # type: ignore[import-untyped]  # no type information shipped

from flowaudit.capture.environment import MARK_URL


@dataclass(frozen=True)
class Listening:
    description: str  # mitmproxy's, e.g. "HTTP(S) proxy"
    addresses: tuple[str, ...]  # "127.0.0.1:8080"
    wireguard_conf: str | None = None


def banner_lines(
    listening: list[Listening], capture: Path, ca_cert: Path, sinkhole: str, with_keys: bool
) -> Iterator[str]:
    for server in listening:
        yield f"flowaudit: {server.description} listening on {', '.join(server.addresses) or '?'}"
    yield f"  capture: {capture} (every completed flow is flushed at once)"
    yield f"  CA certificate: {ca_cert}"
    yield "    trust it on the device under test: browse to http://mitm.it through the proxy, or see"
    yield "    the README, 'Capturing traffic' (browser, Android, iOS, CI); apps that pin certificates"
    yield "    refuse it anyway: such connections are recorded as uninspectable"
    if sinkhole != "off":
        what = "every request" if sinkhole == "all" else "requests to third parties"
        yield f"  sinkhole: {what} answered locally, never forwarded"
    yield f"  phases: `flowaudit mark NAME` in another terminal, or a request to {MARK_URL}NAME"
    if with_keys:
        yield "    or a key here: g consent-granted, r consent-refused, w consent-withdrawn, n other"
    yield "  stop: Ctrl-C (then the audit runs)"


UNKNOWN_ADDRESS = "THIS-MACHINE-LAN-ADDRESS"


def wireguard_lines(conf: str) -> Iterator[str]:
    """The client configuration and its QR code (the WireGuard app: add tunnel > scan QR code)."""
    # mitmproxy names the endpoint after this machine's LAN address; with none
    # found it writes "None", which a phone cannot use.
    unknown = "Endpoint = None:" in conf
    conf = conf.replace("Endpoint = None:", f"Endpoint = {UNKNOWN_ADDRESS}:")
    yield "WireGuard client configuration (on the phone: WireGuard app > + > Scan from QR code):"
    yield from conf.splitlines()
    yield from qr_lines(conf)
    yield "The phone must reach this machine's address on the Endpoint's UDP port (same network, firewall open)."
    if unknown:
        yield (
            f"flowaudit: warning: this machine's network address is unknown: put it in place of {UNKNOWN_ADDRESS} "
            "on the phone, or run again with --listen-host set to it"
        )


def qr_lines(text: str) -> list[str]:
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue().splitlines()
