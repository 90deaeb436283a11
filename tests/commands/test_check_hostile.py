"""`flowaudit check` on crafted hostile inputs: every format is written, the
exit status is 0, 1 or 2, and never an "internal error"."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mitmproxy.io import tnetstring
from mitmproxy.test import tflow

from .conftest import REALWORLD, Run, assert_clean_error, flowaudit

FORMATS = ("text", "json", "html", "sarif", "junit", "markdown", "csv")


def har(path: Path, entries: list[Any]) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


def entry(url: str, text: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "startedDateTime": "2024-05-01T10:00:00Z",
        "request": {
            "method": "POST",
            "url": url,
            "headers": [{"name": k, "value": v} for k, v in (headers or {}).items()],
            "postData": {"mimeType": "application/json", "text": text},
        },
        "response": {"status": 200},
    }


def every_format(tmp_path: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    out = tmp_path / "out"
    run = flowaudit("check", *args, *(a for f in FORMATS for a in ("--format", f)), "-o", out)
    assert run.code in (0, 1), run.err
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".html", ".json", ".md", ".sarif", ".txt", ".xml"]
    return run, json.loads((out / "flowaudit.json").read_text(encoding="utf-8"))


def test_half_an_emoji_and_raw_bytes_are_reported_not_fatal(tmp_path: Path) -> None:
    body = '{"event": "Signed \\ud83d", "distinct_id": "\\udcff", "email": "jane.doe\\ud83d@example.com"}'
    path = har(tmp_path / "half.har", [entry("https://api.mixpanel.com/track?x=\ud83d", body, {"X-\ud83d": "\udcff"})])
    path.write_bytes(path.read_bytes().replace(b"example.com", b"exam\xffple.com"))  # and invalid UTF-8
    _, result = every_format(tmp_path, path)
    assert result["inputs"][0]["flows"] == 1 and result["recipients"][0]["entity"] == "Mixpanel"


def test_malformed_urls_in_payloads_and_requests_are_data(tmp_path: Path) -> None:
    entries = [
        entry(
            "https://www.google-analytics.com/g/collect?dl=https%3A%2F%2F%5Bshop%2Fcart",
            '{"url": "https://[shop/cart", "page": "http://[::1/x", "ref": "https://exa\uff0fmple.com/"}',
            {"Referer": "http://[::1/x"},
        ),
        entry("https://[shop/cart", "{}"),
    ]
    _, result = every_format(tmp_path, har(tmp_path / "urls.har", entries))
    assert result["inputs"][0]["flows"] == 2
    assert {r["entity"] for r in result["recipients"]} >= {"Google", "[shop"}


def test_a_capture_damaged_at_its_first_record_fails_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "damaged.har"
    path.write_text('{"log": {"entries": [{"request": ')
    assert_clean_error(flowaudit("check", path), "no readable flow", "--allow-empty")
    accepted = flowaudit("check", path, "--allow-empty", "--format", "json")
    assert accepted.code == 0 and accepted.json()["inputs"][0]["flows"] == 0


def test_a_file_of_no_bytes_fails_the_gate_unless_accepted_on_purpose(tmp_path: Path) -> None:
    """What ``mitmdump -w`` leaves when nothing went through: refused, saying so,
    and ``--allow-empty`` accepts it as a capture of no flow, saying it was empty."""
    for name, read_as in (("nothing.mitm", "mitm"), ("nothing.har", "har")):
        path = tmp_path / name
        path.touch()
        assert_clean_error(flowaudit("check", path), "the file is empty", "--allow-empty")
        accepted = flowaudit("check", path, "--allow-empty", "--format", "json")
        assert accepted.code == 0, accepted.err
        [read] = accepted.json()["inputs"]
        assert (read["format"], read["flows"], read["complete"]) == (read_as, 0, True)
        assert read["warnings"] == ["the file is empty: nothing was captured into it"]
        assert "the file is empty" in accepted.err
        other = har(tmp_path / "other.har", [entry("https://api.mixpanel.com/track", "{}")])
        assert flowaudit("diff", path, other).code == 2
        assert flowaudit("diff", path, other, "--allow-empty").code in (0, 1)


def test_an_empty_entries_list_fails_the_gate_too(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("check", har(tmp_path / "empty.har", [])), "no readable flow")


def test_absurd_result_files_are_not_results(tmp_path: Path) -> None:
    capture = har(tmp_path / "a.har", [entry("https://api.mixpanel.com/track", "{}")])
    cases = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "fairly-deep.json": '{"a": ' * 500 + "1" + "}" * 500,
        "digits.json": '{"schema_version": ' + "9" * 5000 + "}",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        assert_clean_error(flowaudit("check", capture, "--baseline", tmp_path / name), "not a flowaudit result")
        assert_clean_error(flowaudit("report", tmp_path / name, "--format", "text"), "not a flowaudit result")


def test_yaml_nested_too_deeply_names_file_and_line(tmp_path: Path) -> None:
    capture = har(tmp_path / "a.har", [entry("https://api.mixpanel.com/track", "{}")])
    declared = tmp_path / "deep.yml"
    declared.write_text("app: Acme\n\nrecipients: " + "[" * 500 + "]" * 500 + "\n")
    assert_clean_error(flowaudit("check", capture, "--declared", declared), f"{declared}:3: ", "nested too deeply")


def test_flow_metadata_of_the_wrong_type_is_a_warning_in_every_format(tmp_path: Path) -> None:
    """Read without the bad metadata, and every format says so (not only stderr)."""
    flow = tflow.tflow(resp=True)
    flow.request.host = "api.mixpanel.com"
    record = flow.get_state()
    record["metadata"] = "written by another tool's addon"
    path = tmp_path / "meta.mitm"
    path.write_bytes(tnetstring.dumps(record))
    run, result = every_format(tmp_path, path)
    said = "flow #1: its metadata is a str, not a mapping: read without it"
    assert said in run.err
    assert result["inputs"][0]["warnings"] == [said]
    for report in (tmp_path / "out").iterdir():
        text = report.read_text(encoding="utf-8").replace("\\", "")  # Markdown escapes its punctuation
        assert said in " ".join(text.split()), report.name


def test_flowaudit_own_metadata_of_the_wrong_type_is_a_warning_and_a_phase_is_bounded(tmp_path: Path) -> None:
    """Another tool's addon may write flowaudit's keys too: a phase that is a list, a marker
    that is text are read around with a warning (they were dropped without a word); a phase
    name of 3 MB is cut as a marker's name is (it filled every report: a 9 MB text report)."""
    records = []
    for n, metadata in enumerate(
        [
            {"flowaudit.phase": ["consent-granted"]},
            {"flowaudit.marker": "consent-granted", "flowaudit.capture": 7},
            {"flowaudit.phase": "p" * 3_000_000},
        ]
    ):
        flow = tflow.tflow(resp=True)
        flow.request.host = "api.mixpanel.com"
        flow.request.path = f"/track?n={n}"
        record = flow.get_state()
        record["metadata"] = metadata
        records.append(tnetstring.dumps(record))
    path = tmp_path / "meta.mitm"
    path.write_bytes(b"".join(records))
    run, result = every_format(tmp_path, path)
    assert result["inputs"][0]["warnings"] == [
        "flow #1: its flowaudit.phase is a list, not text: read without it",
        "flow #2: its flowaudit.capture is a int, not a mapping: read without it",
        "flow #2: its flowaudit.marker is a str, not a mapping: read without it",
    ]
    assert result["summary"]["flows"] == 2  # the record with capture and marker keys is bookkeeping
    assert max(len(p) for p in result["phases"]) == 200
    assert max(p.stat().st_size for p in (tmp_path / "out").iterdir()) < 200_000


def test_a_file_name_that_is_not_utf8_is_written_in_every_format(tmp_path: Path) -> None:
    """A capture named in Latin-1 ("café.mitm" from an old zip or a Windows share) reaches
    every report by its name: the JSON and SARIF writers aborted with an internal error
    on the surrogate Python reads such a name with. What any command writes is valid UTF-8."""
    folder = tmp_path / "captures"
    folder.mkdir()
    flow = tflow.tflow(resp=True)
    flow.request.host = "api.mixpanel.com"
    (folder / os.fsdecode(b"caf\xe9.mitm")).write_bytes(tnetstring.dumps(flow.get_state()))
    _, result = every_format(tmp_path, str(folder))
    assert result["inputs"][0]["path"] == str(folder / "caf\ufffd.mitm")
    for report in (tmp_path / "out").iterdir():
        report.read_text(encoding="utf-8")  # valid UTF-8


def test_a_reader_warning_about_a_file_with_a_crafted_name_cannot_drive_a_terminal_or_ci(tmp_path: Path) -> None:
    """The warning names the file: its escape sequence and line break are spelled out, so it
    cannot clear the screen or start an ``::error::`` line in a CI log (they went out raw)."""
    folder = tmp_path / "captures"
    folder.mkdir()
    flow = tflow.tflow(resp=True)
    record = flow.get_state()
    record["metadata"] = "written by another tool's addon"
    (folder / "x\x1b[2J\n::error::forged.mitm").write_bytes(tnetstring.dumps(record))
    run = flowaudit("check", folder, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    assert "its metadata is a str" in run.err
    assert "\x1b" not in run.err and not [line for line in run.err.splitlines() if line.lstrip().startswith("::")]


def test_an_error_quoting_a_value_of_any_length_stays_short(tmp_path: Path) -> None:
    """A 2 MB entity name was printed whole in the error; now cut, and the cut said."""
    declared = tmp_path / "flowaudit.yml"
    declared.write_text(f"app: Acme\nrecipients:\n  - entity: {'M' * 2_000_000}\n")
    run = flowaudit("check", REALWORLD / "sdk/mixpanel/flows.mitm", "--declared", declared)
    assert_clean_error(run, f"{declared}:3: unknown entity 'MMM", "more characters]")
    assert len(run.err) < 5_000
