"""`flowaudit check` with an ignore file and a baseline, end to end on real captures:
a CI job fails only on what is new and unjustified, and says what it let through."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flowaudit.reporters import REPORTERS

from .conftest import REALWORLD, assert_clean_error, flowaudit

MIXPANEL = REALWORLD / "sdk/mixpanel/flows.mitm"

# sdk/mixpanel, audited without a declaration: Mixpanel is an undeclared recipient (high) and
# receives health data (critical); both are accepted here, for the reasons given. Whatever else
# the rules find there is accepted by entries added after these (see `ignore_file`).
IGNORE = """suppressions:
  # Mixpanel is being removed from the app
  - rule: undeclared-recipient
    entity: Mixpanel
    statement: Legacy SDK, removal tracked in issue 42
    expires: {expires}
  - rule: sensitive-data-to-third-party
    host: mixpanel.com
    data_types: [health]
    statement: Condition field removed in release 3.2, shipping next week
    expires: {expires}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A working directory like a CI checkout, holding a real capture."""
    shutil.copy(MIXPANEL, tmp_path / "capture.mitm")
    return tmp_path


def found(repo: Path) -> list[dict]:
    run = flowaudit("check", "capture.mitm", "--format", "json", "--ignore-file", "/dev/null", cwd=repo)
    assert run.code == 1, run.err
    return run.json()["findings"]


def ignore_file(repo: Path, expires: str = "2999-12-31", template: str = IGNORE) -> None:
    """IGNORE, plus an entry for every other finding the rules make on the capture."""
    text = template.format(expires=expires)
    covered = {("undeclared-recipient", "Mixpanel"), ("sensitive-data-to-third-party", "Mixpanel")}
    for f in found(repo):
        if (f["rule"], f["entity"]) not in covered:
            covered.add((f["rule"], f["entity"]))
            text += (
                f"  - rule: {f['rule']}\n    entity: {json.dumps(f['entity'])}\n"
                f"    statement: accepted for this test\n    expires: {expires}\n"
            )
    (repo / ".flowaudit-ignore.yml").write_text(text)


def test_without_suppression_the_capture_fails(repo: Path) -> None:
    rules = {(f["rule"], f["entity"]) for f in found(repo)}
    assert {("undeclared-recipient", "Mixpanel"), ("sensitive-data-to-third-party", "Mixpanel")} <= rules


def test_current_suppressions_let_the_run_pass_and_say_so(repo: Path) -> None:
    ignore_file(repo)
    run = flowaudit("check", "capture.mitm", "--format", "json", cwd=repo)  # the ignore file is found by default
    assert run.code == 0, run.err
    result = run.json()
    assert result["findings"] == []
    by_rule = {s["rule"]: s for s in result["suppressed"]}
    assert by_rule["undeclared-recipient"]["entity"] == "Mixpanel"
    assert by_rule["undeclared-recipient"]["suppression"] == {
        "reason": "ignore-file",
        "statement": "Legacy SDK, removal tracked in issue 42",
        "source": ".flowaudit-ignore.yml:3",
        "expires": "2999-12-31",
    }
    assert by_rule["sensitive-data-to-third-party"]["suppression"]["source"] == ".flowaudit-ignore.yml:7"
    count = len(result["suppressed"])
    assert result["summary"]["suppressed"] == count and result["summary"]["verdict"] == "pass"
    text = flowaudit("check", "capture.mitm", cwd=repo)
    assert f"{count} findings suppressed: --show-suppressed lists them" in " ".join(text.out.split())
    assert "Legacy SDK" not in text.out


def test_an_entry_for_some_data_types_does_not_cover_others(repo: Path) -> None:
    ignore_file(repo, template=IGNORE.replace("[health]", "[contact]"))
    run = flowaudit("check", "capture.mitm", "--format", "json", cwd=repo)
    assert run.code == 1
    assert [f["rule"] for f in run.json()["findings"]] == ["sensitive-data-to-third-party"]


def test_a_suppression_past_its_expiry_date_fails_the_run(repo: Path) -> None:
    (repo / ".flowaudit-ignore.yml").write_text(IGNORE.format(expires="2024-01-31"))
    run = flowaudit("check", "capture.mitm", cwd=repo)
    assert_clean_error(run, ".flowaudit-ignore.yml:3:", "expired on 2024-01-31", "undeclared-recipient")
    assert "also expired: line 7" in run.err
    assert run.out == ""  # refused before auditing: no report that looks like a pass


def test_an_unknown_rule_in_the_ignore_file_is_an_error_with_suggestions(repo: Path) -> None:
    ignore = repo / "ci-ignore.yml"
    ignore.write_text(IGNORE.format(expires="2999-12-31").replace("undeclared-recipient", "undeclared-recipients"))
    run = flowaudit("check", "capture.mitm", "--ignore-file", ignore, cwd=repo)
    assert_clean_error(
        run, "ci-ignore.yml:3:", "unknown rule 'undeclared-recipients'", "Did you mean: undeclared-recipient,"
    )


def test_an_entry_that_matches_nothing_is_warned_about(repo: Path) -> None:
    (repo / ".flowaudit-ignore.yml").write_text(IGNORE.format(expires="2999-12-31").replace("Mixpanel", "Braze"))
    run = flowaudit("check", "capture.mitm", cwd=repo)
    assert run.code == 1  # the undeclared recipient is back
    assert ".flowaudit-ignore.yml:3: suppression of undeclared-recipient for Braze matched no finding" in run.err


def test_a_baseline_hides_old_findings_and_shows_a_new_one(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = flowaudit("check", MIXPANEL, "--format", "json")
    assert first.code == 1  # Mixpanel undeclared: the state of the main branch
    baseline.write_text(first.out)

    # the pull request adds Segment
    both = [MIXPANEL, REALWORLD / "sdk/segment/flows.mitm"]
    run = flowaudit("check", *both, "--baseline", baseline, "--format", "json")
    assert run.code == 1, run.err
    result = run.json()
    # only what Segment brings: its own findings, and the identifiers it now shares with Mixpanel
    assert ("undeclared-recipient", "Segment") in {(f["rule"], f["entity"]) for f in result["findings"]}
    assert all("Segment" in f["entity"] for f in result["findings"])
    # everything the main branch had is listed as suppressed, by the baseline
    assert sorted(s["id"] for s in result["suppressed"]) == sorted(f["id"] for f in first.json()["findings"])
    assert {(s["entity"], s["suppression"]["reason"], s["suppression"]["source"]) for s in result["suppressed"]} == {
        ("Mixpanel", "baseline", str(baseline))
    }

    # nothing new: passes
    assert flowaudit("check", MIXPANEL, "--baseline", baseline).code == 0

    # a baseline written by a baselined run still covers what the first one did
    chained = tmp_path / "chained.json"
    chained.write_text(run.out)
    again = flowaudit("check", *both, "--baseline", chained, "--format", "json")
    assert again.code == 0, again.err
    assert sorted(s["id"] for s in again.json()["suppressed"]) == sorted(
        f["id"] for f in [*result["findings"], *result["suppressed"]]
    )

    shown = flowaudit("check", *both, "--baseline", baseline, "--show-suppressed")
    assert "Suppressed (not counted)" in shown.out and "Mixpanel" in shown.out and "baseline" in shown.out


def test_baseline_mistakes_are_clear(tmp_path: Path) -> None:
    har = REALWORLD / "browser/mixpanel/flows.har"
    assert_clean_error(flowaudit("check", MIXPANEL, "--baseline", har), "not a flowaudit result")
    assert_clean_error(flowaudit("check", MIXPANEL, "--baseline", tmp_path / "none.json"), "baseline not found")
    result = json.loads(flowaudit("check", MIXPANEL, "--format", "json").out)
    del result["findings"][0]["id"]
    (tmp_path / "no-id.json").write_text(json.dumps(result))
    assert_clean_error(flowaudit("check", MIXPANEL, "--baseline", tmp_path / "no-id.json"), "`findings[0]` needs `id")
    (tmp_path / "newer.json").write_text(json.dumps(result | {"schema_version": 2}))
    assert_clean_error(flowaudit("check", MIXPANEL, "--baseline", tmp_path / "newer.json"), "schema_version 2", "newer")


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_show_suppressed_lists_them_in_every_format(repo: Path, fmt: str) -> None:
    ignore_file(repo)
    out = repo / f"report.{fmt}"
    run = flowaudit("check", "capture.mitm", "--show-suppressed", "--format", fmt, "-o", out, cwd=repo)
    assert run.code == 0, run.err
    assert "Legacy SDK, removal tracked in issue 42" in out.read_text(encoding="utf-8")
