"""Every (company, data type) a report states carries evidence a reader can check, in
every format that lists companies: on every real capture of the test data (the own
corpus, the external captures, the shared real-world captures, the example).

The JSON is checked field by field: the request, where in it the value sat, the
decoding chain, the (masked) value, and why it counts (the detector and what it
matched; for a vendor adapter's field, the documentation of that field). The other
formats are checked to show each data type with the request that carried it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from flowaudit.errors import FlowauditError
from flowaudit.model import AuditResult
from flowaudit.pipeline import audit_captures
from flowaudit.reporters.csv_table import CsvReporter
from flowaudit.reporters.html import HtmlReporter
from flowaudit.reporters.json_result import result_to_dict
from flowaudit.reporters.junit import JunitReporter
from flowaudit.reporters.markdown import render_markdown
from flowaudit.reporters.plain import render_plain
from flowaudit.reporters.summary import row_evidence

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples/acme-health"


def _captures() -> list[tuple[str, str | None]]:
    found = [(str(EXAMPLE / "capture.mitm"), str(EXAMPLE / "flowaudit.yml"))]
    for folder in (ROOT / "tests/corpus", ROOT / "tests/data/realworld"):
        found += [(str(p), None) for p in sorted(folder.rglob("*")) if p.suffix in (".har", ".mitm")]
    return found


CAPTURES = _captures()
IDS = [Path(c).relative_to(ROOT).as_posix() for c, _ in CAPTURES]


def _audit(capture: str, declared: str | None) -> AuditResult | None:
    try:
        return audit_captures([capture], (declared,) if declared else (), fail_on="never")
    except FlowauditError:  # a capture flowaudit refuses (tests/reporters/test_result_schema.py: REFUSED)
        return None


def test_the_captures_are_the_whole_test_data() -> None:
    names = IDS
    assert sum(n.startswith("tests/corpus/external/") for n in names) >= 16
    assert sum(n.startswith("tests/data/realworld/") for n in names) >= 20
    assert sum(n.startswith("tests/corpus/") and "/external/" not in n for n in names) >= 9


@pytest.mark.parametrize(("capture", "declared"), CAPTURES, ids=IDS)
def test_every_row_and_data_type_has_checkable_evidence(capture: str, declared: str | None) -> None:
    result = _audit(capture, declared)
    if result is None:
        return
    for row in result_to_dict(result)["recipients"]:
        for data_type in row["data_types"]:
            items = [e for e in row["evidence"] if e["data_type"] == data_type]
            assert items, f"{row['entity']}: {data_type} has no evidence"
            for e in items:
                assert e["flow"].startswith(capture + "#"), e
                assert e["request"].split(" ", 1)[0] in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
                assert e["location"], f"{row['entity']}: {data_type} evidence has no location: {e}"
                assert isinstance(e["decoding"], list)
                assert "excerpt" in e and "value" not in e  # masked value only: the full one needs --no-redact
                assert e["how"] and e["detector"], f"{row['entity']}: {data_type} evidence says not why: {e}"
                if e["detector"].startswith("adapter:"):
                    assert e["source"].startswith("https://"), f"adapter evidence without its source: {e}"


@pytest.mark.parametrize(("capture", "declared"), CAPTURES, ids=IDS)
def test_every_data_type_a_finding_names_has_evidence_of_it(capture: str, declared: str | None) -> None:
    """ "Acme received 3 requests, carrying identifiers.device_id": the finding itself cites where
    each type it names was found (undeclared-recipient cited only the bare requests before)."""
    result = _audit(capture, declared)
    if result is None:
        return
    for finding in result.findings:
        typed = {e.data_type for e in finding.evidence if e.data_type and e.location}
        missing = set(finding.data_types) - typed
        assert not missing, f"{finding.rule} {finding.entity}: {sorted(missing)} without evidence"


def _shown(capture: str, declared: str | None) -> tuple[AuditResult, list[tuple[str, str, str]]]:
    result = _audit(capture, declared)
    assert result is not None
    rows = [(r.entity, dt, items[0].flow) for r in result.recipients for dt, items in row_evidence(r, 1)]
    assert len(rows) == sum(len(r.data_types) for r in result.recipients)
    return result, rows


@pytest.mark.parametrize(
    ("capture", "declared"),
    [
        (str(EXAMPLE / "capture.mitm"), str(EXAMPLE / "flowaudit.yml")),
        (str(ROOT / "tests/corpus/external/reporthar-android-run1/capture.har"), None),
        (str(ROOT / "tests/corpus/external/pixelinspector-mylabbox/capture.har"), None),
    ],
    ids=["example", "reporthar-android", "pixelinspector-mylabbox"],
)
def test_every_format_listing_companies_shows_each_data_type_with_its_request(
    capture: str, declared: str | None
) -> None:
    result, rows = _shown(capture, declared)
    assert rows
    plain = " ".join(render_plain(result).split())  # lines wrapped at spaces, read as one
    markdown = render_markdown(result)
    html = HtmlReporter().render(result)
    junit = JunitReporter().render(result)
    by_entity = {
        r["entity"]: r["evidence"]
        for r in csv.DictReader(io.StringIO(CsvReporter().render(result).lstrip("\ufeff")))
        if r["kind"] == "recipient"
    }
    for entity, data_type, flow in rows:
        n = flow.rpartition("#")[2]
        assert f"{data_type}: {flow} " in plain
        assert f"`{data_type}`" in markdown and f"#{n}`" in markdown
        assert f"{data_type}: {flow}" in by_entity[entity]
        assert f'name="evidence.{data_type}" value="{flow}' in junit
        assert f">{flow}<" in html
    assert json.dumps(result_to_dict(result))  # and the JSON (checked above) writes
