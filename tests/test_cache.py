"""The cache of parsed rules: used when the content is the same, never when it is not, never in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowaudit import cache, shape
from flowaudit.declaration.schema import DECLARATION
from flowaudit.errors import FlowauditError
from flowaudit.yamlsource import load_yaml


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder for one test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache.folder_of_cache.cache_clear()
    yield tmp_path / "xdg" / "flowaudit"
    cache.folder_of_cache.cache_clear()


class Counter:
    def __init__(self, value: object = "made") -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_a_value_is_made_once_then_read(home: Path) -> None:
    make = Counter({"a": [1, 2.5, None, True, b"x"], ("k", 0): 3})
    entry = cache.key(b"content")
    assert cache.cached("test", entry, make) == make.value
    assert cache.cached("test", entry, make) == make.value
    assert make.calls == 1
    assert len(list(home.iterdir())) == 1


def test_other_content_is_another_entry() -> None:
    assert cache.key(b"a", "b") != cache.key(b"ab")  # parts are delimited, not just joined
    assert cache.key(b"a") != cache.key(b"b")
    assert cache.key(b"a") == cache.key("a")


def test_a_damaged_entry_is_made_again(home: Path) -> None:
    make = Counter()
    entry = cache.key(b"content")
    cache.cached("test", entry, make)
    (stored,) = home.iterdir()
    for damage in (stored.read_bytes()[:-1], b"", b"x" * 40):
        stored.write_bytes(damage)
        assert cache.cached("test", entry, make) == "made"
    assert make.calls == 4
    assert cache.cached("test", entry, make) == "made" and make.calls == 4  # repaired


def test_a_value_marshal_cannot_keep_is_made_every_time(home: Path) -> None:
    import datetime

    make = Counter(datetime.date(2026, 1, 1))
    entry = cache.key(b"dated")
    assert cache.cached("test", entry, make) == make.value
    assert cache.cached("test", entry, make) == make.value
    assert make.calls == 2
    assert not [p for p in home.iterdir() if not p.name.startswith(".")]


def test_a_read_only_place_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc takes no new folder, not even from root: like a read-only home."""
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc")
    cache.folder_of_cache.cache_clear()
    try:
        make = Counter()
        assert cache.cached("test", cache.key(b"x"), make) == "made"
        assert cache.cached("test", cache.key(b"x"), make) == "made"
        assert make.calls == 2
        assert cache.folder_of_cache() is None
    finally:
        cache.folder_of_cache.cache_clear()


def test_where_no_folder_can_be_made_there_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    cache.folder_of_cache.cache_clear()
    try:
        make = Counter()
        assert cache.cached("test", cache.key(b"x"), make) == "made"
        assert cache.cached("test", cache.key(b"x"), make) == "made"
        assert make.calls == 2
        assert cache.folder_of_cache() is None
    finally:
        cache.folder_of_cache.cache_clear()


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    cache.folder_of_cache.cache_clear()
    try:
        assert cache.folder_of_cache() == tmp_path / ".cache" / "flowaudit"
    finally:
        cache.folder_of_cache.cache_clear()


def test_a_changed_yaml_file_is_read_again(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_text("a: 1\nb:\n  - x\n")
    first = load_yaml(path)
    assert load_yaml(path).value == first.value == {"a": 1, "b": ["x"]}
    assert load_yaml(path).line_of(("b", 0)) == 3
    path.write_text("a: 2\n\n\nb:\n  - x\n")
    changed = load_yaml(path)
    assert changed.value == {"a": 2, "b": ["x"]}
    assert changed.line_of(("b", 0)) == 5
    assert changed.digest != first.digest


def test_a_broken_yaml_file_fails_every_time(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_text("a: 1\na: 2\n")
    for _ in range(2):
        with pytest.raises(FlowauditError, match="duplicate key"):
            load_yaml(path)


def test_a_file_that_passed_its_schema_is_not_checked_again(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "flowaudit.yml"
    path.write_text("app: A\nrecipients: []\n")
    shape.check(load_yaml(path), DECLARATION)

    def no_validation(*args: object) -> list[object]:
        raise AssertionError("validated again")

    monkeypatch.setattr(shape, "problems", no_validation)
    shape.check(load_yaml(path), DECLARATION)
    path.write_text("app: A\nrecipients: []\nsurplus: 1\n")  # changed: checked again
    with pytest.raises(AssertionError, match="validated again"):
        shape.check(load_yaml(path), DECLARATION)


def test_a_file_that_failed_its_schema_fails_every_time(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "flowaudit.yml"
    path.write_text("app: A\nrecipients: []\nsurplus: 1\n")
    for _ in range(2):
        with pytest.raises(FlowauditError, match="surplus"):
            shape.check(load_yaml(path), DECLARATION)


def test_runs_sharing_a_cache_agree(home: Path, tmp_path: Path) -> None:
    """Processes started together, on an empty cache, all read the rules right."""
    script = (
        "from flowaudit.payload.adapters.matcher import load_adapters\n"
        "from flowaudit.catalog import load_catalog\n"
        "print(repr(load_adapters().adapters))\n"
        "print(sorted(s.id for s in load_catalog().services()))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(home.parent), "PYTHONHASHSEED": "0"}  # sets print in one order
    runs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    outputs = {run.communicate(timeout=300)[0] for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert len(outputs) == 1
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert {again.stdout} == outputs
    assert not [p for p in home.iterdir() if p.name.startswith(".tmp-")]


def test_the_least_recently_used_entries_are_pruned(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past KEEP entries the oldest go, down to four fifths; one just read stays however old."""
    monkeypatch.setattr(cache, "KEEP", 10)
    for number in range(10):
        cache.cached("test", cache.key(str(number)), Counter(number))
    for age, path in enumerate(sorted(home.iterdir(), key=lambda p: p.name)):
        os.utime(path, (0, 1_000_000 + age))  # long ago, each a second apart
    used = home / f"test-{cache.key('0')}"
    first_by_age = min(home.iterdir(), key=lambda p: p.stat().st_mtime)
    assert cache.cached("test", cache.key("0"), Counter("made again")) == 0  # read, so refreshed
    assert used.stat().st_mtime > 2_000_000
    leftover = home / ".tmp-killed"
    leftover.write_bytes(b"half")
    os.utime(leftover, (0, 1_000_000))
    cache.cached("test", cache.key("new"), Counter("new"))  # the eleventh: prunes
    names = {p.name for p in home.iterdir()}
    assert len(names) == 8
    assert used.name in names and f"test-{cache.key('new')}" in names
    assert (first_by_age.name in names) == (first_by_age == used)
    assert ".tmp-killed" not in names
