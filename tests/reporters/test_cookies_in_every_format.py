"""Cookies are data and secrets at once: a report says which cookie carried what, never its value.

The request is real: Chrome's Meta Pixel POST from oraquick.com with the logged-in
Facebook account's cookies (fb-pixel-inspector, ISC; tests/corpus/external, values
sanitized), in a HAR of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .captures import check_every_format

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "external" / "pixelinspector-oraquick" / "capture.har"
DECLARATION = """\
app: OraQuick
first_party: [oraquick.com]
recipients:
  - entity: Meta
    data: [usage.interactions, browsing.history]
"""


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("cookies")
    har = json.loads(CORPUS.read_text(encoding="utf-8"))
    entry = har["log"]["entries"][11]
    assert entry["request"]["url"] == "https://www.facebook.com/tr/"
    (folder / "capture.har").write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}), encoding="utf-8")
    (folder / "flowaudit.yml").write_text(DECLARATION, encoding="utf-8")
    values = [c["value"] for c in entry["request"]["cookies"]]
    return folder, values


def outputs(folder: Path, out: Path, *extra: str) -> dict[str, str]:
    return check_every_format(folder / "capture.har", out, "--declared", folder / "flowaudit.yml", *extra)


def cookie_evidence(json_text: str) -> list[dict[str, object]]:
    result = json.loads(json_text)
    return [e for f in result["findings"] for e in f["evidence"] if str(e["location"]).startswith("cookie:")]


def test_evidence_names_the_cookie_and_masks_its_value(capture: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, values = capture
    files = outputs(folder, tmp_path / "out")
    for name, text in files.items():
        for value in values:
            assert value not in text, name
    evidence = cookie_evidence(files["flowaudit.json"])
    assert {(e["location"], e["data_type"]) for e in evidence} >= {("cookie:c_user", "identifiers.user_id")}
    assert {e["excerpt"] for e in evidence} == {"(redacted)"}
    for name in ("flowaudit.md", "flowaudit.html", "flowaudit.sarif", "flowaudit.csv", "flowaudit.junit.xml"):
        assert "cookie:c_user" in files[name], name


def test_no_redact_shows_the_detectors_excerpt(capture: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, _ = capture
    evidence = cookie_evidence(outputs(folder, tmp_path / "out", "--no-redact")["flowaudit.json"])
    assert evidence and all(e["excerpt"] != "(redacted)" for e in evidence)
