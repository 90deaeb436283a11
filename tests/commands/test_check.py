"""`flowaudit check` end to end on the real captures of tests/data/realworld
(recorded from real SDKs and a real Chromium; see its README)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mitmproxy.io import tnetstring

from ..resultschema import valid_result_text
from .conftest import DECLARATIONS, REALWORLD, assert_clean_error, flowaudit

MIXPANEL = REALWORLD / "sdk/mixpanel/flows.mitm"


def entities(result: dict) -> list[tuple[str, str]]:
    return [(r["entity"], r["category"]) for r in result["recipients"]]


def test_undeclared_mixpanel_fails_the_audit() -> None:
    run = flowaudit("check", MIXPANEL, "--declared", DECLARATIONS / "stripe-only.yml", "--format", "json")
    assert run.code == 1, run.err
    result = run.json()
    [undeclared] = [f for f in result["findings"] if f["rule"] == "undeclared-recipient"]
    assert (undeclared["entity"], undeclared["severity"], undeclared["host"]) == (
        "Mixpanel",
        "high",
        "api.mixpanel.com",
    )
    # both requests, then where each data type the finding names was found
    requests = [e["flow"] for e in undeclared["evidence"] if e["data_type"] is None]
    assert requests == [f"{MIXPANEL}#1", f"{MIXPANEL}#2"]
    typed = {e["data_type"]: e for e in undeclared["evidence"] if e["data_type"]}
    assert sorted(typed) == undeclared["data_types"] and all(e["location"] for e in typed.values())
    assert result["summary"]["verdict"] == "fail"
    assert result["summary"]["undeclared_recipients"] == 1


def test_declared_mixpanel_passes_once_its_health_data_is_accepted() -> None:
    full = DECLARATIONS / "mixpanel-full.yml"
    run = flowaudit("check", MIXPANEL, "--declared", full, "--format", "json")
    result = run.json()
    assert result["recipients"][0]["declared"] is True
    # Declaring Mixpanel and its data leaves only the health data, which is
    # critical whether declared or not (docs/contract.md): declaring does not excuse it.
    assert [(f["rule"], f["data_types"]) for f in result["findings"]] == [
        ("sensitive-data-to-third-party", ["health.health"])
    ]
    assert run.code == 1
    ignore = DECLARATIONS / "mixpanel-health-accepted.flowaudit-ignore.yml"
    accepted = flowaudit("check", MIXPANEL, "--declared", full, "--ignore-file", ignore, "--format", "json")
    assert accepted.code == 0, accepted.out
    assert accepted.json()["summary"]["suppressed"] == 1


def test_text_report_names_the_undeclared_recipient() -> None:
    run = flowaudit("check", MIXPANEL, "--declared", DECLARATIONS / "stripe-only.yml")
    assert run.code == 1
    assert "undeclared-recipient" in run.out
    assert "1 was not declared: Mixpanel" in " ".join(run.out.split())
    assert "Gate --fail-on high: FAIL" in run.out


@pytest.mark.parametrize("fmt", ["mitm", "har"])
@pytest.mark.parametrize(
    ("capture", "expected", "platform"),
    [
        ("sdk/sentry", [("Sentry", "crash_reporting")], []),
        ("sdk/sentry-gzip", [("Sentry", "crash_reporting")], []),
        ("sdk/segment", [("Segment", "analytics")], []),
        ("sdk/mixpanel", [("Mixpanel", "analytics")], []),
        ("browser/mixpanel", [("Mixpanel", "analytics")], [("Google", "platform")]),
    ],
)
def test_realworld_captures_resolve_to_the_right_companies(fmt, capture, expected, platform) -> None:
    run = flowaudit("check", REALWORLD / capture / f"flows.{fmt}", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    result = run.json()
    assert entities(result) == expected
    assert [(r["entity"], r["category"]) for r in result["platform"]] == platform
    assert result["inputs"][0]["complete"] is True
    # Chromium's own traffic is never the page's undeclared recipient
    assert all(f["entity"] != "Google" for f in result["findings"])


def test_mitm_and_har_of_the_same_capture_agree() -> None:
    runs = [
        flowaudit("check", REALWORLD / f"browser/mixpanel/flows.{fmt}", "--format", "json", "--fail-on", "never").json()
        for fmt in ("mitm", "har")
    ]
    strip = lambda r: [(x["entity"], x["hosts"], x["flows"]) for x in r["recipients"] + r["platform"]]  # noqa: E731
    assert strip(runs[0]) == strip(runs[1])
    assert [f["id"] for f in runs[0]["findings"]] == [f["id"] for f in runs[1]["findings"]]


def test_a_folder_of_captures_reads_every_capture_in_it() -> None:
    run = flowaudit("check", REALWORLD / "sdk", "--format", "json", "--fail-on", "never")
    result = run.json()
    # mixpanel, segment, sentry, sentry-gzip: each as .har and .mitm
    assert len(result["inputs"]) == 8
    assert {r["entity"] for r in result["recipients"]} == {"Mixpanel", "Segment", "Sentry"}
    assert result["summary"]["flows"] == 2 * (2 + 2 + 1 + 1)


def test_default_declaration_is_flowaudit_yml_in_the_working_directory(tmp_path: Path) -> None:
    shutil.copy(DECLARATIONS / "mixpanel-full.yml", tmp_path / "flowaudit.yml")
    run = flowaudit("check", MIXPANEL, "--format", "json", cwd=tmp_path)
    assert run.json()["app"]["declaration"] == "flowaudit.yml"
    assert run.json()["recipients"][0]["declared"] is True


def test_several_formats_go_to_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "report"
    run = flowaudit("check", MIXPANEL, "--format", "json", "--format", "text", "-o", out)
    assert run.code == 1
    assert sorted(p.name for p in out.iterdir()) == ["flowaudit.json", "flowaudit.txt"]
    assert "Mixpanel" in (out / "flowaudit.txt").read_text()
    assert valid_result_text((out / "flowaudit.json").read_text())["summary"]["flows"] > 0


def test_several_formats_without_a_folder_is_a_usage_error() -> None:
    assert_clean_error(flowaudit("check", MIXPANEL, "--format", "json", "--format", "text"), "-o")


def test_fail_on_never_always_exits_zero() -> None:
    assert flowaudit("check", MIXPANEL, "--fail-on", "never").code == 0


def test_same_capture_gives_the_same_result_twice() -> None:
    # SOURCE_DATE_EPOCH fixes the one field that would differ: when the audit ran.
    a = flowaudit("check", MIXPANEL, "--format", "json", env={"SOURCE_DATE_EPOCH": "1795000000"}).out
    b = flowaudit("check", MIXPANEL, "--format", "json", env={"SOURCE_DATE_EPOCH": "1795000000"}).out
    assert a == b
    assert '"created": "2026-11-18T' in a


# --- bad input: one clear message, exit 2, no traceback -------------------------


def test_missing_input(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("check", tmp_path / "nope.mitm"), "nope.mitm")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mitm").write_bytes(b"")
    assert_clean_error(flowaudit("check", tmp_path / "empty.mitm"), "empty.mitm", "empty")


def test_garbage(tmp_path: Path) -> None:
    (tmp_path / "junk.har").write_bytes(b"\x89PNG\r\n\x1a\n not a capture at all")
    assert_clean_error(flowaudit("check", tmp_path / "junk.har"), "junk.har", "not a capture")


def test_truncated_mitm_keeps_every_flow_before_the_break(tmp_path: Path) -> None:
    data = (REALWORLD / "browser/mixpanel/flows.mitm").read_bytes()
    cut = tmp_path / "cut.mitm"
    cut.write_bytes(data[: len(data) - 500])  # inside the fifth and last flow
    run = flowaudit("check", cut, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    assert "incomplete" in run.err and "Traceback" not in run.err
    result = run.json()
    assert result["inputs"][0]["complete"] is False
    assert result["inputs"][0]["flows"] == 4
    assert result["inputs"][0]["problem"]
    assert result["summary"]["complete"] is False
    text = flowaudit("check", cut, "--fail-on", "never").out
    assert "INCOMPLETE" in text


def test_truncated_mitm_with_strict_is_an_error(tmp_path: Path) -> None:
    data = (REALWORLD / "browser/mixpanel/flows.mitm").read_bytes()
    cut = tmp_path / "cut.mitm"
    cut.write_bytes(data[:-500])
    assert_clean_error(flowaudit("check", cut, "--strict"), "cut.mitm", "incomplete")


def test_truncated_har_keeps_every_entry_before_the_break(tmp_path: Path) -> None:
    data = (REALWORLD / "sdk/segment/flows.har").read_bytes()
    cut = tmp_path / "cut.har"
    cut.write_bytes(data[: int(len(data) * 0.75)])  # inside the second entry
    run = flowaudit("check", cut, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    result = run.json()
    assert (result["inputs"][0]["complete"], result["inputs"][0]["flows"]) == (False, 1)
    assert [r["entity"] for r in result["recipients"]] == ["Segment"]


def test_har_with_a_byte_order_mark_reads() -> None:
    har = REALWORLD / "mitmproxy-testdata/har_files/with-bom.har"
    assert har.read_bytes().startswith(b"\xef\xbb\xbf")
    run = flowaudit("check", har, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.err
    assert run.json()["inputs"][0]["flows"] == 1


def test_flow_file_from_a_newer_mitmproxy(tmp_path: Path) -> None:
    # Re-encode the first real flow with a flow format version from the future.
    raw = MIXPANEL.read_bytes()
    length, _, _ = raw.partition(b":")
    record = raw[: len(length) + 1 + int(length) + 1]
    state = tnetstring.loads(record)
    state["version"] = 999
    newer = tmp_path / "newer.mitm"
    newer.write_bytes(tnetstring.dumps(state))
    assert_clean_error(flowaudit("check", newer), "newer.mitm", "999", "upgrade")


def test_old_unconvertible_flow_file() -> None:
    # mitmproxy 0.10's format: older than any mitmproxy 10-12 converts.
    run = flowaudit("check", REALWORLD / "mitmproxy-testdata/dumpfile-010.mitm")
    assert_clean_error(run, "dumpfile-010.mitm", "0.10")


def test_declaration_with_a_typo_key(tmp_path: Path) -> None:
    decl = tmp_path / "flowaudit.yml"
    decl.write_text("app: X\nrecipents:\n  - entity: Mixpanel\n")
    assert_clean_error(flowaudit("check", MIXPANEL, "--declared", decl), f"{decl}:2", "recipents", "recipients")


def test_declaration_with_an_unknown_entity(tmp_path: Path) -> None:
    decl = tmp_path / "flowaudit.yml"
    decl.write_text("recipients:\n  - entity: Stripe\n  - entity: Mixpannel\n")
    assert_clean_error(flowaudit("check", MIXPANEL, "--declared", decl), f"{decl}:3", "Mixpannel", "Mixpanel")


def test_declaration_with_invalid_yaml(tmp_path: Path) -> None:
    decl = tmp_path / "flowaudit.yml"
    decl.write_text("recipients:\n  - entity: Stripe\n    data: [contact.email\n")
    assert_clean_error(flowaudit("check", MIXPANEL, "--declared", decl), str(decl))


def test_missing_declaration(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("check", MIXPANEL, "--declared", tmp_path / "nope.yml"), "nope.yml")


def test_unwritable_output(tmp_path: Path) -> None:
    run = flowaudit("check", MIXPANEL, "--format", "json", "-o", tmp_path / "no/such/dir/out.json")
    assert_clean_error(run, "out.json")
