"""Secrets inside URLs inside request lines (issue 15, item 6), through the
real ``flowaudit check``: a page URL in ``dl=`` (percent-encoded) carrying
an OAuth ``code=``, a ``;jsessionid=`` and a CAS ``ticket=``, a
``redirect=`` encoded twice carrying ``access_token=``, and the names
``pass``, ``pw``, ``passphrase``, ``pin``, ``client_assertion``,
``oauth_verifier`` and ``csrf``; passwords in the user-info of URLs inside
parameters and bodies (encoded, JSON-escaped, unparseable). No format shows any of them; with
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
# Passwords in the user-info of URLs inside the request: two form fields whose URL
# Python's parser rejects ("[x"), one percent-encoded in dl=, one encoded twice inside
# another URL, one JSON-escaped in a body.
USERINFO = ("pw-in-ref-1", "pw-in-form-2", "pw-in-dl-3", "pw-twice-4", "pw-json-5")
SECRETS = (CODE, TOKEN, SESSION, TICKET, *NAMED.values(), *USERINFO)


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nested")
    page = f"https://shop.example/callback;jsessionid={SESSION}?code={CODE}&state=xyz&ticket={TICKET}"
    redirect = quote(quote(f"https://shop.example/done?access_token={TOKEN}&x=1", safe=""), safe="")
    named = "&".join(f"{k}={v}" for k, v in NAMED.items())
    flows = [
        flow(f"https://www.google-analytics.com/g/collect?v=2&tid=G-1&dl={quote(page, safe='')}&dt=Shop", n=1),
        flow(f"https://api.mixpanel.com/track?redirect={redirect}&{named}", method="GET", n=2),
        flow(
            "https://www.google-analytics.com/g/collect?v=2&tid=G-1&dl="
            + quote(f"https://u:{USERINFO[2]}@shop.example/", safe="")
            + "&dr="
            + quote(f"https://a.example/?r={quote(f'http://u:{USERINFO[3]}@b.example/', safe='')}", safe=""),
            method="GET",
            n=3,
        ),
        flow(
            "https://api.segment.io/v1/t",
            headers=[("Content-Type", "application/x-www-form-urlencoded")],
            body=f"page=https://u:{USERINFO[1]}@[x/&ref=https://u:{USERINFO[0]}@[shop/cart&email=jane.doe@example.com".encode(),
            n=4,
        ),
        flow(
            "https://api.mixpanel.com/track",
            headers=[("Content-Type", "application/json")],
            body=('{"$current_url": "https:\\/\\/u:' + USERINFO[4] + '@shop.example\\/cart", "token": "t"}').encode(),
            n=5,
        ),
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
