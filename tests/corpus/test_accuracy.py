"""The accuracy targets, asserted on both labelled sets (see scripts/accuracy.py and
tests/corpus/README.md).

Own-recorded corpus (issue 3): planted values found in every encoding (precision >= 0.97,
recall >= 0.95 each), data types named with precision >= 0.97 and found with recall >= 0.90,
and no health, fitness or sensitive term reported in a flow that holds none.

External corpus of real captures recorded by others (issue 10): (recipient company, data
type) rows of `flowaudit check` with precision >= 0.97 and recall >= 0.95.

Precision alone passes when nothing is detected, so recall is asserted on both sets, and
a test shows that switching the generic detectors off fails the recall floors."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.payload import analyze as analyze_module

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "accuracy.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flowaudit_accuracy_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


accuracy = _load()

# Own-recorded corpus: recall of data types over all flows (0.95 when this floor was set).
OWN_RECALL_FLOOR = 0.93
# External corpus: the targets of issue 10.
EXTERNAL_PRECISION_TARGET = 0.97
EXTERNAL_RECALL_TARGET = 0.95
# Whether the detectors reach the external recall target (0.88 measured when this was set, 0.95 when
# flipped; precision meets its target and is asserted as is). While False, the recall target is
# an expected failure (strict: it fails once the target is met, so this gets flipped) and
# the floor below keeps what has been reached from slipping back.
EXTERNAL_RECALL_TARGET_MET = True
EXTERNAL_RECALL_FLOOR = 0.85


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


def test_data_types_are_found(results: tuple[object, object]) -> None:
    for result in results:
        recall = accuracy.total(result.by_type.values()).recall
        assert recall >= OWN_RECALL_FLOOR, (recall, result.misses)


def test_no_health_term_in_a_flow_that_holds_none(results: tuple[object, object]) -> None:
    for result in results:
        assert result.sensitive_false_alarms == []


# --- external corpus -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def external() -> list[object]:
    return accuracy.measure_external(accuracy.load_external())


def test_every_external_capture_is_labelled() -> None:
    labelled = {c.name: c for c in accuracy.load_external()}
    captures = {p.parent.name for p in accuracy.EXTERNAL.glob("*/capture.*")}
    assert captures <= set(labelled), captures - set(labelled)
    for capture in labelled.values():
        assert capture.path.is_file(), capture.labels_file
        assert capture.rows, capture.labels_file


def test_external_rows_meet_the_precision_target(external: list[object]) -> None:
    total = accuracy.total(s.tally for s in external)
    misses = [m for s in external for m in s.misses if m.startswith("FP")]
    assert total.precision >= EXTERNAL_PRECISION_TARGET, (total.precision, misses)


@pytest.mark.xfail(
    not EXTERNAL_RECALL_TARGET_MET,
    strict=True,
    reason="recall fixes of issue 10 still landing (EXTERNAL_RECALL_TARGET_MET)",
)
def test_external_rows_meet_the_recall_target(external: list[object]) -> None:
    total = accuracy.total(s.tally for s in external)
    misses = [m for s in external for m in s.misses if m.startswith("FN")]
    assert total.recall >= EXTERNAL_RECALL_TARGET, (total.recall, misses)


def test_external_recall_stays_above_the_floor(external: list[object]) -> None:
    total = accuracy.total(s.tally for s in external)
    misses = [m for s in external for m in s.misses if m.startswith("FN")]
    assert total.recall >= EXTERNAL_RECALL_FLOOR, (total.recall, misses)


def test_the_gate_fails_with_the_generic_detectors_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing detected must not pass: without the generic detectors, recall falls below
    the floors on both sets (vendor adapters and canaries alone find too little)."""
    monkeypatch.setattr(analyze_module, "detect_generic", lambda *args, **kwargs: [])
    corpus = accuracy.load_corpus()
    own = accuracy.total(accuracy.measure(corpus, with_canaries=False).by_type.values())
    assert own.recall < OWN_RECALL_FLOOR
    rows = accuracy.total(s.tally for s in accuracy.measure_external(accuracy.load_external()))
    assert rows.recall < EXTERNAL_RECALL_FLOOR


def test_rows_are_keyed_by_the_owning_company() -> None:
    owner = accuracy.Owners()
    assert owner("google") == owner("alphabet") == "alphabet"
    # Folded ids: Pardot is Salesforce's; AdGuard's "verizon" is the former Verizon Media, now Yahoo.
    assert owner("pardot") == owner("salesforce") == "salesforce"
    assert owner("verizon") == owner("yahoo") == "apollo_global_management"
    # A label naming a host's registrable domain before the catalog knew it
    # names the company the catalog now knows there; an unknown one stays.
    assert owner("domain:revoffers.com") == owner("revoffers.com") == "revoffers"
    assert owner("userway.org") == "userway"
    assert owner("domain:bqstreamer.com") == owner("bqstreamer.com") == "bqstreamer.com"


def _har(tmp_path: Path, urls: list[str]) -> Path:
    entries = [
        {
            "startedDateTime": "2026-01-01T00:00:00Z",
            "time": 1,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [], "cookies": []},
            "response": {"status": 204, "headers": [], "content": {"size": 0}},
        }
        for url in urls
    ]
    path = tmp_path / "capture.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}), encoding="utf-8")
    return path


def test_one_row_per_owner_and_type_whatever_the_service(tmp_path: Path) -> None:
    """Google Analytics and DoubleClick (two services, two categories, one owner)
    sending the same page URL are one (owner, browsing.history) row."""
    page = "dl=https%3A%2F%2Fshop.example%2Fcart%2F"
    capture = _har(
        tmp_path,
        [
            f"https://www.google-analytics.com/g/collect?v=2&tid=G-1&en=page_view&{page}",
            f"https://stats.g.doubleclick.net/g/collect?v=2&tid=G-1&{page}",
        ],
    )
    rows = accuracy.reported_rows(capture, accuracy.Owners()).rows
    assert [row for row in rows if row[1] == "browsing.history"] == [("alphabet", "browsing.history")]


def _write_labels(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "labels.yml").write_text(f"capture: capture.har\nrows:\n{rows}", encoding="utf-8")
    return tmp_path


def test_a_label_with_an_unknown_data_type_is_a_clear_error(tmp_path: Path) -> None:
    root = _write_labels(
        tmp_path,
        "  - {recipient: meta, type: identifiers.device_id, reason: fbp}\n"
        "  - {recipient: meta, type: identifiers.cookie, reason: fbp}\n",
    )
    with pytest.raises(FlowauditError) as err:
        accuracy.load_external(root)
    assert err.value.line == 4
    assert "unknown data type 'identifiers.cookie'" in str(err.value)
    assert str(err.value).startswith(str(root / "one" / "labels.yml"))


def test_a_label_with_an_unknown_recipient_is_a_clear_error(tmp_path: Path) -> None:
    root = _write_labels(tmp_path, "  - {recipient: goggle, type: browsing.history, reason: dl}\n")
    with pytest.raises(FlowauditError, match="unknown recipient 'goggle'") as err:
        accuracy.load_external(root)
    assert err.value.line == 3


def test_a_label_without_a_reason_is_an_error(tmp_path: Path) -> None:
    root = _write_labels(tmp_path, "  - {recipient: meta, type: identifiers.device_id}\n")
    with pytest.raises(FlowauditError, match="recipient, type and reason"):
        accuracy.load_external(root)


def test_the_script_exits_2_on_bad_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write_labels(tmp_path, "  - {recipient: meta, type: nope.nope, reason: x}\n")
    assert accuracy.main(["--external", str(root), "--external-only"]) == 2
    err = capsys.readouterr().err
    assert "labels.yml:3: unknown data type 'nope.nope'" in err
    assert "Traceback" not in err
