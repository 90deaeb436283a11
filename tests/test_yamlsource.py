"""YAML parsing that keeps line numbers and refuses what would hide mistakes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowaudit import yamlparse
from flowaudit.errors import FlowauditError
from flowaudit.yamlsource import load_yaml, parse_yaml


def write(tmp_path: Path, text: str | bytes, name: str = "f.yml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_values_and_the_line_of_every_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        # comment
        app: Acme
        recipients:
          - entity: Stripe
            data: [contact.email,
                   financial.payment]
          - domains:
              - metrics.example.net
        count: 3
        flag: yes
        """,
    )
    doc = load_yaml(path)
    assert doc.path == str(path)
    assert doc.value == {
        "app": "Acme",
        "recipients": [
            {"entity": "Stripe", "data": ["contact.email", "financial.payment"]},
            {"domains": ["metrics.example.net"]},
        ],
        "count": 3,
        "flag": True,
    }
    assert doc.line_of(("app",)) == 2
    assert doc.line_of(("recipients",)) == 3  # the key's line, not the block below it
    assert doc.line_of(("recipients", 0)) == 4
    assert doc.line_of(("recipients", 0, "data", 1)) == 6
    assert doc.line_of(("recipients", 1, "domains", 0)) == 8
    assert doc.line_of(("count",)) == 9
    # A missing entry points at its nearest parent: where the fix goes.
    assert doc.line_of(("recipients", 1, "role")) == 7
    assert doc.line_of(("nothing", "here")) == 2  # the root starts at line 2
    assert doc.line_of() == 2


def test_duplicate_key_is_an_error_at_the_second_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 5
    assert caught.value.path == str(path)
    assert caught.value.message == "duplicate key 'c' (first at line 3)"


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "app: Acme\nrecipients:\n  - entity: Stripe\n   data: [x]\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 4
    assert caught.value.message.startswith("invalid YAML (column 4): ")
    assert str(caught.value).startswith(f"{path}:4: invalid YAML")


def test_unclosed_flow_list_reports_where_it_started(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: [x, y\nc: 2\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 3
    assert caught.value.hint is not None and "line 2" in caught.value.hint


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "a:\n\tb: 1\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 2
    assert caught.value.hint is not None and "tabs" in caught.value.hint


def test_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "app: Acme\nname: Jos\xe9\n".encode("latin-1"))
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 2
    assert "not UTF-8" in caught.value.message
    assert caught.value.hint == "save the file as UTF-8"


def test_utf8_with_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffname: José\n".encode("utf-8"))
    assert load_yaml(path).value == {"name": "José"}


def test_control_character_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"a: 1\nb: x\x01y\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 2
    assert "#x0001" in caught.value.message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FlowauditError) as caught:
        load_yaml(tmp_path / "absent.yml")
    assert caught.value.message == "file not found"
    assert caught.value.path == str(tmp_path / "absent.yml")
    assert caught.value.line is None
    with pytest.raises(FlowauditError, match="folder"):
        load_yaml(tmp_path)


def test_empty_and_comment_only_files_have_no_value(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "")).value is None
    assert load_yaml(write(tmp_path, "# nothing yet\n")).value is None


def test_two_documents_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n---\nb: 2\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 2
    assert "single document" in caught.value.message


def test_python_tags_are_refused_not_run() -> None:
    with pytest.raises(FlowauditError) as caught:
        parse_yaml("a: 1\nb: !!python/object/apply:os.system [echo hi]\n", "x.yml")
    assert caught.value.line == 2
    assert "python/object/apply" in caught.value.message


def test_tagged_collection_is_refused() -> None:
    with pytest.raises(FlowauditError, match="unsupported tag '!custom'") as caught:
        parse_yaml("a:\n  b: !custom {c: 1}\n", "x.yml")
    assert caught.value.line == 2


def test_merge_keys_are_refused() -> None:
    with pytest.raises(FlowauditError, match="merge keys") as caught:
        parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "x.yml")
    assert caught.value.line == 3


def test_aliases_are_expanded() -> None:
    doc = parse_yaml("base: &b [x, y]\nother: *b\n", "x.yml")
    assert doc.value == {"base": ["x", "y"], "other": ["x", "y"]}
    assert doc.line_of(("other",)) == 2


def test_recursive_alias_is_an_error() -> None:
    with pytest.raises(FlowauditError, match="contains it"):
        parse_yaml("a: &x [1, *x]\n", "x.yml")


def test_alias_bomb_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlparse, "MAX_VALUES", 500)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdef", "abcde", strict=True):
        bomb += f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n"
    with pytest.raises(FlowauditError, match="aliases"):
        parse_yaml(bomb, "x.yml")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(FlowauditError, match="nested too deeply"):
        parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "x.yml")


def test_non_scalar_key_is_an_error() -> None:
    with pytest.raises(FlowauditError, match="plain value") as caught:
        parse_yaml("a: 1\n? [x, y]\n: 2\n", "x.yml")
    assert caught.value.line == 2


def test_impossible_date_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nexpires: 2025-02-30\n")
    with pytest.raises(FlowauditError) as caught:
        load_yaml(path)
    assert caught.value.line == 2 and "2025-02-30" in caught.value.message
