"""A capture with a bearer token, a cookie and ``?access_token=`` (and more
credentials) through the real ``flowaudit check``: no format shows any of
them. With ``--no-redact`` they stay, and every format says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowaudit.reporters import REPORTERS

from .captures import check_every_format, flow, run_flowaudit, write

BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyNDIifQ.c2lnbmF0dXJlLXNlY3JldA"
COOKIE = "s3ss10n-c00kie-value"
ACCESS_TOKEN = "EAAB-access-token-9f8e7d"
API_KEY = "k3y-in-query-55aa"
TENANT = "tenant-secret-42"  # masked only because the declaration lists it under redact:
SECRETS = (BEARER, COOKIE, ACCESS_TOKEN, API_KEY, TENANT)

DECLARATION = """\
app: Acme Health
first_party: [acmehealth.example]
recipients:
  - entity: Segment
    data: [contact.email]
redact: [x-acme-tenant]
canaries:
  email: jane.doe@example.com
"""


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("secrets")
    headers = [
        ("Authorization", f"Bearer {BEARER}"),
        ("Cookie", f"sessionid={COOKIE}; theme=dark"),
        ("X-Acme-Tenant", TENANT),
    ]
    write(
        folder / "capture.mitm",
        [
            flow(
                f"https://graph.facebook.com/v17.0/me?fields=id&access_token={ACCESS_TOKEN}",
                method="GET",
                headers=headers,
                n=1,
            ),
            flow(
                f"http://tracker.example/collect?session={COOKIE}&x_acme_tenant={TENANT}",
                headers=headers,
                body=f'{{"token": "{BEARER}", "email": "jane.doe@example.com"}}'.encode(),
                n=2,
            ),
            flow(f"https://api.mixpanel.com/track?api_key={API_KEY}#access_token={ACCESS_TOKEN}", headers=headers, n=3),
            flow("https://api.segment.io/v1/batch", path=f"/v1/batch?auth={BEARER}", headers=headers, n=4),
            flow(
                "https://api.segment.io/v1/batch",
                host="api.segment.io",
                headers=headers,
                n=5,
                body=f"Authorization: Bearer {BEARER}\nCookie: sessionid={COOKIE}".encode(),
            ),
        ],
    )
    (folder / "flowaudit.yml").write_text(DECLARATION, encoding="utf-8")
    return folder


def all_formats(capture: Path, out: Path, *extra: str) -> dict[str, str]:
    return check_every_format(capture / "capture.mitm", out, "--declared", capture / "flowaudit.yml", *extra)


def test_no_format_shows_a_secret(capture: Path, tmp_path: Path) -> None:
    for name, text in all_formats(capture, tmp_path / "out").items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
        assert "graph.facebook.com" in text, name  # the requests are there, only their secrets are masked
    json_text = (tmp_path / "out/flowaudit.json").read_text(encoding="utf-8")
    assert "access_token=(redacted)" in json_text and "x_acme_tenant=(redacted)" in json_text


def test_no_redact_keeps_them(capture: Path, tmp_path: Path) -> None:
    files = all_formats(capture, tmp_path / "out", "--no-redact")
    assert ACCESS_TOKEN in files["flowaudit.json"] and ACCESS_TOKEN in files["flowaudit.html"]


def test_no_redact_says_so_in_every_format(capture: Path, tmp_path: Path) -> None:
    files = all_formats(capture, tmp_path / "out", "--no-redact")
    says_so = {
        "flowaudit.html": "Not redacted.",
        "flowaudit.md": "Redaction is OFF",
        "flowaudit.csv": "Redaction is OFF",
        "flowaudit.sarif": "Redaction is OFF",
        "flowaudit.junit.xml": "Redaction is OFF",
    }
    for name, phrase in says_so.items():
        assert phrase in files[name], name


def test_no_redact_says_so_in_json_and_text(capture: Path, tmp_path: Path) -> None:
    files = all_formats(capture, tmp_path / "out", "--no-redact")
    assert '"redacted": false' in files["flowaudit.json"]
    assert "not redacted" in files["flowaudit.txt"].lower()


def test_report_from_an_unredacted_json_masks_again(capture: Path, tmp_path: Path) -> None:
    """A JSON written with --no-redact (as it will be once the engine stops
    masking at sampling time: written out here) is masked again by `report`."""
    all_formats(capture, tmp_path / "out", "--no-redact")
    data = json.loads((tmp_path / "out/flowaudit.json").read_text(encoding="utf-8"))
    data["redacted"] = False
    unmasked = tmp_path / "unmasked.json"
    unmasked.write_text(
        json.dumps(data).replace("access_token=(redacted)", f"access_token={ACCESS_TOKEN}"), encoding="utf-8"
    )
    assert ACCESS_TOKEN in unmasked.read_text(encoding="utf-8")
    html = tmp_path / "again.html"
    run = run_flowaudit("report", unmasked, "--format", "html", "-o", html)
    assert run.returncode == 0, run.stderr
    text = html.read_text(encoding="utf-8")
    assert ACCESS_TOKEN not in text and "access_token=(redacted)" in text
    assert "Not redacted." in text  # masked again, and still warns that the audit was not


def test_report_masks_the_suppressed_findings_too(capture: Path, tmp_path: Path) -> None:
    """`report` of an unredacted result whose findings were suppressed (by a baseline)
    masks their evidence in every format (machine formats always list them)."""
    all_formats(capture, tmp_path / "out", "--no-redact")
    data = json.loads((tmp_path / "out/flowaudit.json").read_text(encoding="utf-8"))
    suppression = {"reason": "baseline", "statement": "in old.json", "source": "old.json", "expires": None}
    data["suppressed"] = [{**f, "suppression": suppression} for f in data["findings"]]
    data["findings"] = []
    unmasked = tmp_path / "suppressed.json"
    unmasked.write_text(json.dumps(data), encoding="utf-8")
    assert ACCESS_TOKEN in unmasked.read_text(encoding="utf-8")
    for fmt in sorted(REPORTERS):
        out = tmp_path / f"again.{fmt}"
        run = run_flowaudit("report", unmasked, "--format", fmt, "-o", out)
        assert run.returncode == 0, run.stderr
        assert ACCESS_TOKEN not in out.read_text(encoding="utf-8"), fmt
    assert "access_token=(redacted)" in (tmp_path / "again.json").read_text(encoding="utf-8")
