"""The accuracy targets of issue 3, asserted on the labelled corpus (see scripts/accuracy.py
and tests/corpus/README.md): planted values found in every encoding (precision >= 0.97,
recall >= 0.95 each), data types named with precision >= 0.97, and no health, fitness or
sensitive term reported in a flow that holds none."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "accuracy.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flowaudit_accuracy_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


accuracy = _load()


@pytest.fixture(scope="module")
def results() -> tuple[object, object]:
    corpus = accuracy.load_corpus()
    return accuracy.measure(corpus, with_canaries=True), accuracy.measure(corpus, with_canaries=False)


def test_the_corpus_is_labelled_for_every_capture_it_names() -> None:
    corpus = accuracy.load_corpus()
    assert len(corpus) >= 40
    for capture in corpus:
        assert capture.path.is_file(), capture.labels_file


def test_planted_values_are_found_in_every_encoding(results: tuple[object, object]) -> None:
    with_canaries, _ = results
    assert set(with_canaries.by_canary) >= {
        "email",
        "phone",
        "name",
        "location",
        "advertising_id",
        "condition",
        "user_id",
    }
    for kind, tally in with_canaries.by_canary.items():
        assert tally.precision >= 0.97, (kind, with_canaries.misses)
        assert tally.recall >= 0.95, (kind, with_canaries.misses)
    forms = {form.split(" via ")[0] for counter in with_canaries.canary_forms.values() for form in counter}
    assert {"plain", "sha256"} <= forms


def test_data_types_are_named_precisely(results: tuple[object, object]) -> None:
    for result in results:
        for data_type, tally in result.by_type.items():
            assert tally.precision >= 0.97, (data_type, result.misses)


def test_no_health_term_in_a_flow_that_holds_none(results: tuple[object, object]) -> None:
    for result in results:
        assert result.sensitive_false_alarms == []
