"""Fuzzing the command line with mutated real inputs: whatever a capture,
declaration, ignore file or result holds, flowaudit exits 0, 1 or 2, with
no traceback and no "internal error".

Inputs are real files (SDK and browser captures, the declarations and
ignore file of tests/data, a result written by ``check``) mutated the way a
hostile or broken writer would: a value replaced by one of another type or
by hostile text (half an emoji, a raw byte, a malformed URL, a control
sequence, deep nesting), then bytes inserted, flipped or cut. Structure-aware
mutation (the file is decoded, changed, encoded again) gets past the parsers
to the code behind them; byte mutation tests the parsers themselves.

The run is bounded (``max_examples``) and deterministic (``derandomize``):
every run, in CI or here, tries the same examples, so a failure replays by
running this file again; Hypothesis prints the shrunk failing input, and the
``@example`` cases pin the defects found so far.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mitmproxy.io import tnetstring

from flowaudit.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
CAPTURES = {
    "mitm": DATA / "realworld/sdk/mixpanel/flows.mitm",
    "browser.mitm": DATA / "realworld/browser/mixpanel/flows.mitm",
    "har": DATA / "realworld/sdk/mixpanel/flows.har",
    "sentry.mitm": DATA / "realworld/sdk/sentry/flows.mitm",
}
DECLARATION = DATA / "declarations/mixpanel.yml"
IGNORE_FILE = DATA / "declarations/mixpanel-health-accepted.flowaudit-ignore.yml"
# Examples per test; the three tests take about half a minute on one core. Raise it to fuzz longer.
EXAMPLES = int(os.environ.get("FLOWAUDIT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _deep(levels: int) -> Any:
    value: Any = "x"
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


HOSTILE_TEXT = [
    "\ud83d",  # half an emoji
    "\udcff",  # a raw byte, as mitmproxy hands it over
    "a\x00b",
    "https://[shop/cart",
    "http://[::1/x",
    "https://exa\uff0fmple.com/p?dl=https%3A%2F%2F%5Bx",
    "\x1b[2J\x1b[1;32mPASS\x1b[0m",
    "\n::error::forged",
    "\uff1dHYPERLINK(1)",
    "=1+1",
    "x" * 40_000,
    "",
    "1" * 5000,
]
HOSTILE_VALUES: list[Any] = [
    *HOSTILE_TEXT,
    None,
    True,
    -1,
    2**70,
    1.5,
    float("inf"),
    [],
    {},
    ["a", 1],
    {"a": "\ud83d"},
    _deep(150),
    _deep(400),
]
HOSTILE_BYTES = [
    b"\xff",
    b"\xed\xa0\xbd",  # a surrogate encoded as UTF-8
    b"\\ud83d",
    b'"',
    b"[" * 5000,
    b"{",
    b"99999999999:",
    b"\x00",
    b"https://[shop/",
    b"\x1f\x8b\x08",  # a gzip header
]


def _places(value: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every value in ``value``, in a fixed order, without recursion."""
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else ()
        for key in keys:
            out.append((item, key))
            stack.append(item[key])
    return out


@st.composite
def value_edits(draw: st.DrawFn) -> list[tuple[int, Any]]:
    """Where (an index into :func:`_places`, taken modulo) and what to put there."""
    what = st.sampled_from(HOSTILE_VALUES) | st.text(max_size=20) | st.integers() | st.floats()
    return draw(st.lists(st.tuples(st.integers(0, 1 << 20), what), max_size=4))


@st.composite
def byte_edits(draw: st.DrawFn) -> list[tuple[str, int, bytes]]:
    """Bytes changed after the values, in half of the examples (the other half reach past the parsers)."""
    kind = st.sampled_from(["insert", "replace", "cut", "truncate"])
    what = st.sampled_from(HOSTILE_BYTES) | st.binary(min_size=1, max_size=8)
    return draw(st.just([]) | st.lists(st.tuples(kind, st.integers(0, 1 << 30), what), min_size=1, max_size=2))


def apply_values(value: Any, edits: list[tuple[int, Any]], fit: Callable[[Any, Any], Any] | None = None) -> Any:
    """``value`` with each edit made; ``fit(old, new)`` may adapt the new value to the place."""
    for where, new in edits:
        places = _places(value)
        if places:
            container, key = places[where % len(places)]
            new = pickle.loads(pickle.dumps(new))  # a copy: never a loop, never a shared value changed
            container[key] = fit(container[key], new) if fit else new
    return value


def apply_bytes(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    for kind, where, chunk in edits:
        at = where % (len(data) + 1)
        if kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk) :]
        elif kind == "cut":
            data = data[:at] + data[at + len(chunk) * 64 :]
        else:
            data = data[:at]
    return data


def mutate_flows(data: bytes, values: list[tuple[int, Any]]) -> bytes:
    """Each record decoded, changed, encoded again. mitmproxy keeps most fields as bytes: hostile
    text goes into a bytes field as the bytes it would be (surrogates and all), so that the flow
    is still rebuilt and what it holds reaches flowaudit; other values go in as they are."""
    out, rest = [], data
    while rest:
        head, _, _ = rest.partition(b":")
        end = len(head) + 1 + int(head) + 1
        state = tnetstring.loads(rest[:end])
        out.append(tnetstring.dumps(apply_values(state, values, _fit_tnet)))
        rest = rest[end:]
    return b"".join(out)


def _tnet(value: Any) -> Any:
    """``value`` as tnetstring can hold it: text it cannot encode becomes bytes."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        return [_tnet(v) for v in value]
    if isinstance(value, dict):
        return {k: _tnet(v) for k, v in value.items()}
    return value


def _fit_tnet(old: Any, new: Any) -> Any:
    if isinstance(old, bytes) and isinstance(new, str):
        return new.encode("utf-8", "surrogatepass")
    return _tnet(new)


def mutate_json(data: bytes, values: list[tuple[int, Any]]) -> bytes:
    def encode(value: Any) -> Any:
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)

    return json.dumps(apply_values(json.loads(data), values), default=encode).encode("utf-8")


def mutate_yaml(data: bytes, values: list[tuple[int, Any]]) -> bytes:
    changed = apply_values(yaml.safe_load(data), values)
    try:
        return yaml.safe_dump(changed, allow_unicode=False).encode("utf-8")
    except (yaml.YAMLError, RecursionError):
        return json.dumps(changed).encode("utf-8")  # JSON is YAML too


def run(*args: str | Path) -> None:
    """Run flowaudit in this process (fast enough to fuzz) and check how it ended."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.exception, shown[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "internal error" not in shown and "Traceback" not in shown, shown[-2000:]


def in_folder(test: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        test(Path(folder))


@pytest.fixture(scope="module")
def saved_result() -> bytes:
    """A real result: the SDK capture audited against its declaration."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        CliRunner().invoke(main, ["check", str(CAPTURES["mitm"]), "--declared", str(DECLARATION), "-o", str(out)])
        return out.read_bytes()


ALL_FORMATS = [a for f in ("json", "html", "text", "csv", "sarif", "junit", "markdown") for a in ("--format", f)]


@FUZZ
@given(st.sampled_from(sorted(CAPTURES)), value_edits(), byte_edits())
@example("har", [(7, "\ud83d"), (40, "https://[shop/cart")], [])
@example("mitm", [(3, {"a": 1}), (11, 1.5)], [])
@example("har", [], [("insert", 40, b"[" * 5000)])
def test_mutated_captures(capture: str, values: list[tuple[int, Any]], edits: list[tuple[str, int, bytes]]) -> None:
    raw = CAPTURES[capture].read_bytes()
    mutated = mutate_json(raw, values) if capture == "har" else mutate_flows(raw, values)

    def check(folder: Path) -> None:
        path = folder / f"capture.{capture}"
        path.write_bytes(apply_bytes(mutated, edits))
        run("check", path, "--declared", DECLARATION, *ALL_FORMATS, "-o", folder / "out")

    in_folder(check)


@FUZZ
@given(st.sampled_from(["declaration", "ignore file"]), value_edits(), byte_edits())
@example("declaration", [(0, "\ud83d"), (2, _deep(400))], [])
def test_mutated_declarations_and_ignore_files(
    which: str, values: list[tuple[int, Any]], edits: list[tuple[str, int, bytes]]
) -> None:
    source = DECLARATION if which == "declaration" else IGNORE_FILE

    def check(folder: Path) -> None:
        path = folder / source.name
        path.write_bytes(apply_bytes(mutate_yaml(source.read_bytes(), values), edits))
        option = "--declared" if which == "declaration" else "--ignore-file"
        run("check", CAPTURES["mitm"], option, path, "--format", "json", "-o", folder / "result.json")

    in_folder(check)


@FUZZ
@given(st.sampled_from(["report", "baseline", "diff"]), value_edits(), byte_edits())
@example("report", [(0, "\ud83d"), (5, 2**70)], [])
@example("baseline", [], [("insert", 1, b"[" * 5000)])
def test_mutated_results(
    saved_result: bytes, use: str, values: list[tuple[int, Any]], edits: list[tuple[str, int, bytes]]
) -> None:
    def check(folder: Path) -> None:
        path = folder / "result.json"
        path.write_bytes(apply_bytes(mutate_json(saved_result, values), edits))
        if use == "report":
            run("report", path, *ALL_FORMATS, "-o", folder / "out")
        elif use == "baseline":
            run("check", CAPTURES["mitm"], "--baseline", path, "--format", "json", "-o", folder / "again.json")
        else:
            (folder / "old.json").write_bytes(saved_result)
            run("diff", folder / "old.json", path, "--format", "json")

    in_folder(check)
