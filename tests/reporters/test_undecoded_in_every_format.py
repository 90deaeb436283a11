"""Requests that could not be fully decoded are counted, and every format says so.

The damaged gzip is real: the corrupted body of mitmproxy's own test capture
``corrupted_gzip_body`` (tests/data/realworld/mitmproxy-testdata, MIT), where
it is a response; here it is sent as a request body, as an SDK that
compresses its uploads would. The multipart request is a Meta Pixel POST
whose body does not follow the boundary its Content-Type names.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from .captures import check_every_format, flow, run_flowaudit, write

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld" / "mitmproxy-testdata" / "flows"
LINE = "2 requests could not be fully decoded"


def corrupted_gzip() -> bytes:
    """The damaged gzip body of the real capture, exactly as recorded."""
    har = json.loads((REALWORLD / "corrupted_gzip_body.har").read_text(encoding="utf-8"))
    content = har["log"]["entries"][0]["response"]["content"]
    assert content["encoding"] == "base64"
    return base64.b64decode(content["text"])


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("undecoded")
    write(
        folder / "capture.mitm",
        [
            flow("https://api.mixpanel.com/track", headers=[("Content-Encoding", "gzip")], body=corrupted_gzip(), n=1),
            flow(
                "https://www.facebook.com/tr/",
                headers=[("Content-Type", "multipart/form-data; boundary=----WebKitFormBoundaryKWJEtAtrCOTbUZ6U")],
                body=b'------WebKitFormBoundaryOTHER\r\nContent-Disposition: form-data; name="ev"\r\n\r\nPageView\r\n',
                n=2,
            ),
            flow("https://api.mixpanel.com/track", body=b'data={"event": "ok"}', n=3),
        ],
    )
    return folder


def test_the_real_corrupted_gzip_is_damaged() -> None:
    data = corrupted_gzip()
    assert data[:2] == b"\x1f\x8b"  # it is gzip by its magic, and broken inside


def test_every_format_says_how_many_requests_could_not_be_fully_decoded(capture: Path, tmp_path: Path) -> None:
    files = check_every_format(capture / "capture.mitm", tmp_path / "out")
    for name, text in files.items():
        if name != "flowaudit.json":
            assert LINE in " ".join(text.split()), name
    result = json.loads(files["flowaudit.json"])
    assert result["summary"]["not_fully_decoded"] == 2
    reasons = {r["reason"]: r for r in result["decoding"]["reasons"]}
    assert set(reasons) == {"compression", "multipart"}
    assert [e["flow"] for e in reasons["compression"]["examples"]] == [f"{capture / 'capture.mitm'}#1"]
    assert reasons["compression"]["examples"][0]["how"].startswith("gzip data at body")
    assert [e["flow"] for e in reasons["multipart"]["examples"]] == [f"{capture / 'capture.mitm'}#2"]
    sarif = json.loads(files["flowaudit.sarif"])
    assert sarif["runs"][0]["properties"]["notFullyDecoded"] == 2


def test_github_annotation(capture: Path) -> None:
    run = run_flowaudit(
        "check",
        capture / "capture.mitm",
        "--fail-on",
        "never",
        env={"GITHUB_ACTIONS": "true"},
    )
    assert run.returncode == 0, run.stderr
    assert any(
        line.startswith("::warning title=flowaudit%3A not fully decoded::" + LINE) for line in run.stderr.splitlines()
    )


def test_report_from_json_keeps_the_count(capture: Path, tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    assert (
        run_flowaudit(
            "check", capture / "capture.mitm", "--format", "json", "-o", saved, "--fail-on", "never"
        ).returncode
        == 0
    )
    run = run_flowaudit("report", saved, "--format", "markdown")
    assert run.returncode == 0, run.stderr
    assert LINE in run.stdout
