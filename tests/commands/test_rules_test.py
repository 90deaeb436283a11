"""`flowaudit rules test` run as a user does: a separate process, real adapter and fixture files."""

from __future__ import annotations

import shutil
from pathlib import Path

from flowaudit.payload.adapters.fixtures import fixture_path
from flowaudit.payload.adapters.loader import adapter_files

from .conftest import assert_clean_error, flowaudit

ADAPTERS = {path.stem: path for path in adapter_files()}


def _own_adapters(tmp_path: Path, *vendors: str) -> Path:
    """A user's adapter folder: copies of shipped adapters, each with its fixture beside it."""
    folder = tmp_path / "adapters"
    (folder / "fixtures").mkdir(parents=True)
    for vendor in vendors:
        shutil.copy(ADAPTERS[vendor], folder)
        shutil.copy(fixture_path(ADAPTERS[vendor]), folder / "fixtures")
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_shipped_adapters_meet_their_fixtures() -> None:
    run = flowaudit("rules", "test")
    assert run.code == 0, (run.out, run.err)
    assert f"{len(ADAPTERS)} adapters meet their fixtures" in run.out


def test_own_adapters_that_meet_their_fixtures_exit_0(tmp_path: Path) -> None:
    run = flowaudit("rules", "test", str(_own_adapters(tmp_path, "segment", "klaviyo")))
    assert run.code == 0, (run.out, run.err)
    assert run.out.startswith("2 adapters meet their fixtures (") and run.err == ""


def test_a_relabelled_type_exits_1_with_one_line_per_failing_expectation(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment", "klaviyo")
    _replace(folder / "segment.yml", "type: contact.email", "type: contact.phone")
    run = flowaudit("rules", "test", str(folder))
    assert run.code == 1, (run.out, run.err)
    fixture = folder / "fixtures" / "segment.yml"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    expected_line = next(n for n, line in enumerate(lines, 1) if "contact.email:" in line)
    request_line = next(n for n, line in enumerate(lines, 1) if line.startswith("- name:"))
    out = run.out.splitlines()
    assert (
        f"{fixture}:{expected_line}: 'Segment HTTP tracking API: POST api.segment.io/v1/batch': "
        "expected contact.email at body > json:batch[0].traits.email, not reported" in out
    )
    assert (
        f"{fixture}:{request_line}: 'Segment HTTP tracking API: POST api.segment.io/v1/batch': "
        "unexpected contact.phone at body > json:batch[0].traits.email" in out
    )
    assert all(line.startswith(f"{fixture}:") for line in out)  # klaviyo's fixture still passes
    assert f"{len(out)} failing expectations (2 adapters, " in run.err


def test_one_adapter_file_is_tested_alone(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment", "klaviyo")
    _replace(folder / "segment.yml", "type: contact.email", "type: contact.phone")
    assert flowaudit("rules", "test", str(folder / "klaviyo.yml")).code == 0
    assert flowaudit("rules", "test", str(folder / "segment.yml")).code == 1


def test_an_adapter_without_a_fixture_exits_1(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment")
    (folder / "fixtures" / "segment.yml").unlink()
    run = flowaudit("rules", "test", str(folder))
    assert run.code == 1, (run.out, run.err)
    assert run.out.startswith(f"{folder / 'segment.yml'}:1: adapter 'segment' has no fixture")


def test_a_broken_fixture_exits_2_naming_its_line(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment")
    fixture = folder / "fixtures" / "segment.yml"
    _replace(fixture, "  method: POST\n", "  methd: POST\n")
    line = fixture.read_text(encoding="utf-8").splitlines().index("  methd: POST") + 1
    run = flowaudit("rules", "test", str(folder))
    assert_clean_error(run, f"{fixture}:{line}:", "unknown key 'methd'")


def test_a_broken_adapter_exits_2(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment")
    _replace(folder / "segment.yml", "vendor: segment", "vendor: [segment")
    assert_clean_error(flowaudit("rules", "test", str(folder)), str(folder / "segment.yml"))


def test_a_missing_path_or_a_folder_without_adapters_exits_2(tmp_path: Path) -> None:
    assert_clean_error(flowaudit("rules", "test", str(tmp_path / "nope")), "no such file or folder")
    assert_clean_error(flowaudit("rules", "test", str(tmp_path)), "holds no adapters")


def test_a_rules_tree_means_its_adapters_and_a_fixture_is_no_adapter(tmp_path: Path) -> None:
    folder = _own_adapters(tmp_path, "segment")
    assert flowaudit("rules", "test", str(tmp_path)).code == 0
    fixture = folder / "fixtures" / "segment.yml"
    assert_clean_error(
        flowaudit("rules", "test", str(fixture)), "is a fixture, not an adapter", str(folder / "segment.yml")
    )
