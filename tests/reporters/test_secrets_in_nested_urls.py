"""Secrets inside URLs inside request lines (issue 15, item 6), through the
real ``flowaudit check``: a page URL in ``dl=`` (percent-encoded) carrying
an OAuth ``code=``, a ``;jsessionid=`` and a CAS ``ticket=``, a
``redirect=`` encoded twice carrying ``access_token=``, and the names
``pass``, ``pw``, ``passphrase``, ``pin``, ``client_assertion``,
``oauth_verifier`` and ``csrf``. No format shows any of them; with
``--no-redact`` the JSON does, so the capture really carries them there.
(URLs in bodies and headers are swept by the same code: tests/test_redact.py.)"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from .captures import check_every_format, flow, write

CODE = "SplxlOBeZQQYbYS6WxSbIA"
TOKEN = "tok-2b7e151628aed2a6"
SESSION = "JSESS-0DDBA11F00D"
TICKET = "ST-4242-cas-ticket"
NAMED = {
    "pass": "hunter2-pass",
    "pw": "hunter2-pw",
    "passphrase": "correct-horse-battery",
    "pin": "pin-8642",
    "client_assertion": "client-assertion-value",
    "oauth_verifier": "oauth-verifier-value",
    "csrf": "csrf-value-0f0f",
}
SECRETS = (CODE, TOKEN, SESSION, TICKET, *NAMED.values())


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nested")
    page = f"https://shop.example/callback;jsessionid={SESSION}?code={CODE}&state=xyz&ticket={TICKET}"
    redirect = quote(quote(f"https://shop.example/done?access_token={TOKEN}&x=1", safe=""), safe="")
    named = "&".join(f"{k}={v}" for k, v in NAMED.items())
    flows = [
        flow(f"https://www.google-analytics.com/g/collect?v=2&tid=G-1&dl={quote(page, safe='')}&dt=Shop", n=1),
        flow(f"https://api.mixpanel.com/track?redirect={redirect}&{named}", method="GET", n=2),
    ]
    write(folder / "capture.mitm", flows)
    return folder


def test_no_format_shows_a_secret_from_a_url_inside_a_payload(capture: Path, tmp_path: Path) -> None:
    files = check_every_format(capture / "capture.mitm", tmp_path / "out")
    for name, text in files.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
        assert "google-analytics.com" in text, name  # only the secrets are masked


def test_no_redact_shows_where_they_were(capture: Path, tmp_path: Path) -> None:
    files = check_every_format(capture / "capture.mitm", tmp_path / "out", "--no-redact")
    shown = files["flowaudit.json"]
    assert [s for s in SECRETS if s not in shown] == []
