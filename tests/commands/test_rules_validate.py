"""`flowaudit rules validate` run as a user does: file:line problems, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

from .conftest import flowaudit


def _write(root: Path, where: str, data: bytes) -> Path:
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _assert_no_traceback(out: str, err: str) -> None:
    assert "Traceback" not in out and "Traceback" not in err


def test_the_shipped_rules_are_valid() -> None:
    run = flowaudit("rules", "validate")
    assert run.code == 0, (run.out, run.err)
    assert run.out.rstrip().endswith("rules files valid")


def test_a_broken_file_exits_2_naming_its_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "terms/en.yml", b"language: en\nlists:\n  - data_type: health.health\n    sorce: x\n")
    run = flowaudit("rules", "validate", str(path))
    assert run.code == 2, (run.out, run.err)
    _assert_no_traceback(run.out, run.err)
    assert f"{path}:4: unknown key 'sorce' (did you mean 'source'?) in `lists[0]`" in run.out
    assert f"{path}:3: `lists[0]` needs `rationale:`" in run.out
    assert "problems (1 rules file checked)" in run.err


def test_a_valid_file_exits_0(tmp_path: Path) -> None:
    path = _write(tmp_path, "catalog/catalog.yml", b'version: "2026.12.03"\noverlay_license: Apache-2.0\n')
    run = flowaudit("rules", "validate", str(path))
    assert (run.code, run.out) == (0, "1 rules file valid\n")


def test_invalid_utf8_and_yaml_syntax_are_named_at_their_lines(tmp_path: Path) -> None:
    _write(tmp_path, "categories.yml", b"advertising: Ads\nanalytics: caf\xe9\n")
    _write(tmp_path, "terms/en.yml", b"language: en\nlists:\n  - data_type: [unclosed\n")
    run = flowaudit("rules", "validate", str(tmp_path))
    assert run.code == 2, (run.out, run.err)
    _assert_no_traceback(run.out, run.err)
    assert f"{tmp_path / 'categories.yml'}:2: not UTF-8 text" in run.out
    assert f"{tmp_path / 'terms' / 'en.yml'}:4: invalid YAML" in run.out


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    run = flowaudit("rules", "validate", str(tmp_path / "nothing.yml"))
    assert run.code == 2
    _assert_no_traceback(run.out, run.err)
    assert f"{tmp_path / 'nothing.yml'}: file not found" in run.out
