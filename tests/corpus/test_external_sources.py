"""Every capture of the external corpus is a HAR flowaudit reads, with its source, commit and
licence on record (sources.json, README.md, its LICENSE, NOTICE)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flowaudit.inputs.har import read_har

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = ROOT / "tests" / "corpus" / "external"
SOURCES = json.loads((EXTERNAL / "sources.json").read_text())


def test_every_folder_is_a_listed_source_and_every_source_a_folder() -> None:
    folders = {p.name for p in EXTERNAL.iterdir() if p.is_dir()}
    assert folders == {s["name"] for s in SOURCES}
    assert len(folders) >= 12


@pytest.mark.parametrize("source", SOURCES, ids=[s["name"] for s in SOURCES])
def test_source_is_on_record(source: dict[str, str]) -> None:
    folder = EXTERNAL / source["name"]
    readme = (EXTERNAL / "README.md").read_text()
    notice = (ROOT / "NOTICE").read_text()
    assert len(source["commit"]) == 40 and source["license"] in ("MIT", "ISC", "BSD-3-Clause")
    assert source["copyright"] in (folder / "LICENSE").read_text()
    assert f"`{source['name']}`" in readme or f"`{source['name'].split('-')[0]}-*`" in readme
    assert source["commit"] in readme and source["repo"] in readme and source["repo"] in notice


@pytest.mark.parametrize("source", SOURCES, ids=[s["name"] for s in SOURCES])
def test_capture_is_read_whole(source: dict[str, str]) -> None:
    path = EXTERNAL / source["name"] / "capture.har"
    entries = json.loads(path.read_text())["log"]["entries"]
    requests = [e for e in entries if urlsplit(e["request"]["url"]).scheme in ("http", "https", "ws", "wss")]
    with path.open("rb") as raw:
        reader = read_har(raw, path.name)
        flows = 0
        while True:
            try:
                next(reader)
                flows += 1
            except StopIteration as done:
                problem = done.value
                break
    assert problem is None
    assert flows == len(requests) > 0


HAR12_REQUEST = {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"}
HAR12_RESPONSE = {
    "status",
    "statusText",
    "httpVersion",
    "cookies",
    "headers",
    "content",
    "redirectURL",
    "headersSize",
    "bodySize",
}


@pytest.mark.parametrize("source", SOURCES, ids=[s["name"] for s in SOURCES])
def test_capture_has_every_har_1_2_field(source: dict[str, str]) -> None:
    log = json.loads((EXTERNAL / source["name"] / "capture.har").read_text())["log"]
    assert {"version", "creator", "entries"} <= set(log)
    for entry in log["entries"]:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        assert HAR12_REQUEST <= set(entry["request"]) and HAR12_RESPONSE <= set(entry["response"])
        assert {"size", "mimeType"} <= set(entry["response"]["content"])
        assert {"send", "wait", "receive"} <= set(entry["timings"])
        assert "text" not in entry["response"]["content"]  # response bodies are not kept
