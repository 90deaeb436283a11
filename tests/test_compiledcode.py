"""Dataclass methods compiled once and kept: the same classes, no compiling in the next run, never stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# A child process: keeps compiled code, counts the source texts it compiles, defines a
# frozen dataclass (whose field name comes from argv) and reports how it behaves.
_CHILD = """
import builtins, json, sys
compiled = []
real = builtins.compile
def counting(source, *args, **kwargs):
    if isinstance(source, str):  # (bytes: a module imported from its source)
        compiled.append(source)
    return real(source, *args, **kwargs)
builtins.compile = counting
from flowaudit.compiledcode import keep_compiled
keep_compiled()
from dataclasses import FrozenInstanceError, make_dataclass
Point = make_dataclass("Point", [("x", int), (sys.argv[1], int)], frozen=True)
p = Point(1, 2)
try:
    p.x = 3
    frozen = False
except FrozenInstanceError:
    frozen = True
behaviour = {"repr": repr(p), "eq": p == Point(1, 2), "hash": hash(p) == hash((1, 2)), "frozen": frozen}
print(json.dumps({"compiled": len(compiled), **behaviour}))
"""


def _run(cache_home: Path, field: str) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run([sys.executable, "-c", _CHILD, field], env=env, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_methods_are_compiled_once_then_read_and_behave_the_same(tmp_path: Path) -> None:
    first = _run(tmp_path, "y")
    assert first["compiled"] == 6  # __init__, __repr__, __eq__, __setattr__, __delattr__, __hash__
    assert list((tmp_path / "flowaudit").glob("dataclass-code-*"))
    second = _run(tmp_path, "y")
    assert second["compiled"] == 0
    assert second == {**first, "compiled": 0}
    assert second["repr"] == "Point(x=1, y=2)"
    assert second["eq"] is True and second["hash"] is True and second["frozen"] is True


def test_other_source_is_compiled_as_before(tmp_path: Path) -> None:
    _run(tmp_path, "y")
    other = _run(tmp_path, "z")  # a changed class: texts not kept before
    assert other["repr"] == "Point(x=1, z=2)"
    assert other["compiled"] == 6  # every method names the fields


def test_a_damaged_entry_is_not_used(tmp_path: Path) -> None:
    _run(tmp_path, "y")
    (entry,) = (tmp_path / "flowaudit").glob("dataclass-code-*")
    entry.write_bytes(entry.read_bytes()[:-10])
    again = _run(tmp_path, "y")
    assert again["compiled"] == 6
    assert again["repr"] == "Point(x=1, y=2)"
