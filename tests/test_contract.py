"""docs/contract.md is kept true: its commands and options exist, its formats,
--fail-on levels, exit statuses and rule ids are the code's, its example
declaration loads, and every field of its example JSON result is in the JSON
flowaudit writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest

from flowaudit import exitcodes
from flowaudit.catalog.loader import load_catalog
from flowaudit.cli import main
from flowaudit.declaration import load_declaration
from flowaudit.engine.ruleset import RULES
from flowaudit.reporters import REPORTERS

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    """The fenced blocks whose opening fence names ``lang`` ("" for none)."""
    blocks: list[str] = []
    current: list[str] = []
    open_lang: str | None = None
    for line in CONTRACT.splitlines(keepends=True):
        if line.startswith("```") and open_lang is None:
            open_lang, current = line[3:].strip(), []
        elif line.startswith("```"):
            if open_lang == lang:
                blocks.append("".join(current))
            open_lang = None
        elif open_lang is not None:
            current.append(line)
    return blocks


def _bullet(starts: str) -> str:
    (bullet,) = re.findall(rf"^- {re.escape(starts)}.*?(?=^- |^\n|\Z)", CONTRACT, re.S | re.M)
    return str(bullet)


def _command(path: list[str]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group), path
        assert name in command.commands, f"flowaudit {' '.join(path)}: no such command"
        command = command.commands[name]
    return command


def _synopses() -> list[str]:
    (block,) = _blocks("")
    return [line for line in block.splitlines() if line.startswith("flowaudit ")]


@pytest.mark.parametrize("synopsis", _synopses())
def test_every_documented_command_and_option_exists(synopsis: str) -> None:
    words = synopsis.split()[1:]
    name = words[0]
    alternatives = synopsis.split(" ", 2)[2].split(" | ") if "|" in synopsis else None
    if alternatives:  # `rules list | validate PATH... | test`: subcommands
        for alternative in alternatives:
            _command([name, alternative.split()[0]])
        return
    options = {opt for p in _command([name]).params for opt in p.opts}
    for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis):
        assert option in options, f"flowaudit {name}: {option} is documented but not an option"


def test_formats_are_reporters() -> None:
    documented = re.findall(r"`([a-z]+)`", _bullet("`--format` may repeat"))
    assert documented and set(documented) <= set(REPORTERS)


def test_fail_on_levels() -> None:
    documented = re.findall(r"`([a-z]+)`", _bullet("`--fail-on`"))
    (fail_on,) = [p for p in _command(["check"]).params if "--fail-on" in p.opts]
    assert isinstance(fail_on.type, click.Choice)
    assert documented == list(fail_on.type.choices)


def test_exit_statuses() -> None:
    documented = dict(re.findall(r"`(\d)` (nothing|findings|the audit could not be done)", _bullet("Exit status")))
    assert documented == {"0": "nothing", "1": "findings", "2": "the audit could not be done"}
    assert (exitcodes.EXIT_OK, exitcodes.EXIT_FINDINGS, exitcodes.EXIT_ERROR) == (0, 1, 2)


def test_rule_ids_and_default_severities() -> None:
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| ([a-z]+) \|", CONTRACT, re.M))
    assert len(documented) == 11
    assert {rule: RULES[rule].severity for rule in documented if rule in RULES} == documented


def test_example_declaration_loads(tmp_path: Path) -> None:
    (example,) = _blocks("yaml")
    verbatim = (ROOT / "tests/data/declarations/contract-example.yml").read_text(encoding="utf-8")
    assert verbatim.split("\n", 1)[1] == example  # the fixture the declaration tests use is this example
    path = tmp_path / "flowaudit.yml"
    path.write_text(example, encoding="utf-8")
    declaration = load_declaration(str(path), load_catalog())
    assert declaration.app == "Acme Health"


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value; a list's items share the path ``key[]``."""
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            out |= {f"{prefix}.{key}"} | _paths(item, f"{prefix}.{key}")
        return out
    if isinstance(value, list):
        return set().union(*(_paths(item, prefix + "[]") for item in value)) if value else set()
    return set()


def test_every_field_of_the_example_result_is_written() -> None:
    (example,) = _blocks("json")
    written = json.loads((ROOT / "reports/acme-health/flowaudit.json").read_text(encoding="utf-8"))
    missing = _paths(json.loads(example)) - _paths(written)
    assert not missing, f"fields of docs/contract.md's JSON result that flowaudit does not write: {sorted(missing)}"
    assert written["schema_version"] == json.loads(example)["schema_version"]
