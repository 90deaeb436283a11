"""Every shipped adapter against its fixture (``rules/adapters/fixtures/<vendor>.yml``):
real requests, each with the exact data types and locations the adapter must report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.payload.adapters.fixtures import fixture_path, run_fixtures
from flowaudit.payload.adapters.loader import adapter_files

ADAPTERS = adapter_files()


def test_the_adapters_are_found() -> None:
    assert len(ADAPTERS) >= 34


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda p: p.stem)
def test_adapter_meets_its_fixture(adapter: Path) -> None:
    assert fixture_path(adapter).is_file(), f"{adapter.name} has no fixture: add {fixture_path(adapter)}"
    outcome = run_fixtures([adapter])
    assert [str(f) for f in outcome.failures] == []
    assert outcome.requests >= 2


def _copy(tmp_path: Path, vendor: str) -> Path:
    """A scratch copy of a shipped adapter and its fixture."""
    source = next(p for p in ADAPTERS if p.stem == vendor)
    (tmp_path / "fixtures").mkdir()
    shutil.copy(fixture_path(source), tmp_path / "fixtures" / source.name)
    return Path(shutil.copy(source, tmp_path / source.name))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("vendor", ["segment", "klaviyo"])
def test_an_email_field_relabelled_as_a_phone_fails(tmp_path: Path, vendor: str) -> None:
    adapter = _copy(tmp_path, vendor)
    _edit(adapter, "type: contact.email", "type: contact.phone")
    messages = [f.message for f in run_fixtures([adapter]).failures]
    assert any("expected contact.email at" in m for m in messages), messages
    assert any("unexpected contact.phone at" in m for m in messages), messages


def test_a_failure_names_the_fixture_line_of_the_expectation(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    fixture = tmp_path / "fixtures" / "segment.yml"
    _edit(fixture, "contact.email: ['body > json:batch[0].traits.email']", "contact.email: ['body > json:nowhere']")
    (failure,) = [f for f in run_fixtures([adapter]).failures if "': expected " in f.message]
    line = fixture.read_text(encoding="utf-8").splitlines()[failure.line - 1]
    assert failure.path == str(fixture) and "json:nowhere" in line


def test_a_request_the_adapter_does_not_match_fails(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    _edit(
        tmp_path / "fixtures" / "segment.yml",
        "url: 'https://api.segment.io/v1/batch'\n",
        "url: 'https://api.segment.io/v2/other'\n",
    )
    messages = [f.message for f in run_fixtures([adapter]).failures]
    assert any("matches no endpoint" in m for m in messages), messages


def test_an_adapter_without_a_fixture_fails(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    (tmp_path / "fixtures" / "segment.yml").unlink()
    (failure,) = run_fixtures([tmp_path]).failures
    assert failure.path == str(adapter) and "has no fixture" in failure.message


def test_a_fixture_with_no_negative_request_fails(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    _edit(tmp_path / "fixtures" / "segment.yml", "  expect: {}\n", "  expect: {contact.email: [nowhere]}\n")
    messages = [f.message for f in run_fixtures([adapter]).failures]
    assert any("must find nothing in" in m for m in messages), messages


def test_a_malformed_fixture_is_bad_input_at_its_line(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    _edit(tmp_path / "fixtures" / "segment.yml", "  method: POST\n", "  method: post\n")
    with pytest.raises(FlowauditError) as raised:
        run_fixtures([adapter])
    assert raised.value.path == str(tmp_path / "fixtures" / "segment.yml") and raised.value.line is not None
    assert "method" in raised.value.message


def test_a_type_the_adapter_names_but_no_request_shows_fails(tmp_path: Path) -> None:
    adapter = _copy(tmp_path, "segment")
    fixture = tmp_path / "fixtures" / "segment.yml"
    lines = fixture.read_text(encoding="utf-8").splitlines(keepends=True)
    fixture.write_text("".join(line for line in lines if "contact.other:" not in line), encoding="utf-8")
    first = adapter.read_text(encoding="utf-8").splitlines().index("      - path: traits.birthday") + 1
    messages = [f.message for f in run_fixtures([adapter]).failures if f.message.startswith("no request shows")]
    assert messages == [f"no request shows contact.other, which {adapter}:{first} names"]
