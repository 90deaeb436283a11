"""The install compiles the audit's hot path with mypyc (pyproject's
``[tool.hatch.build.targets.wheel.hooks.mypyc]``), so what the README's
benchmark figures measure is what an install runs, and what this suite tests."""

from __future__ import annotations

import importlib
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def compiled_modules() -> list[str]:
    """The modules the build hook compiles, as import names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include: list[str] = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    return [path.removeprefix("/src/").removesuffix(".py").replace("/", ".") for path in include]


def test_every_listed_module_exists() -> None:
    missing = [name for name in compiled_modules() if not (ROOT / "src" / (name.replace(".", "/") + ".py")).is_file()]
    assert missing == []


def test_the_hot_path_runs_compiled() -> None:
    modules = compiled_modules()
    assert "flowaudit.payload.detectors.generic" in modules
    files = {name: str(importlib.import_module(name).__file__) for name in modules}
    plain = sorted(name for name, file in files.items() if not file.endswith(tuple(EXTENSION_SUFFIXES)))
    if plain == sorted(modules):
        pytest.skip("a plain-Python install (HATCH_BUILD_NO_HOOKS=true): nothing is compiled")
    assert plain == []
