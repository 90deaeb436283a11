"""Every finding names the hosts and cites the requests that really carried
what it states, on real captures: checked generically against what each
request holds, read again independently of the engine's tallies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowaudit.catalog import load_catalog
from flowaudit.declaration import load_declaration
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import inspect
from flowaudit.engine.tally import ASSERTED
from flowaudit.inputs import open_inputs
from flowaudit.model import AuditResult
from flowaudit.payload.detectors.relayed import DETECTOR as RELAYED
from flowaudit.payload.model import Detection
from flowaudit.pipeline import audit_captures

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data"

CAPTURES = [
    pytest.param(
        ([str(ROOT / "examples/acme-health/capture.mitm")], str(ROOT / "examples/acme-health/flowaudit.yml")),
        id="acme-health",
    ),
    pytest.param(([str(DATA / "realworld/browser/mixpanel/flows.mitm")], None), id="chromium-mixpanel-mitm"),
    pytest.param(([str(DATA / "realworld/browser/mixpanel/flows.har")], None), id="chromium-mixpanel-har"),
    pytest.param(
        ([str(DATA / "realworld/browser/mixpanel/flows.mitm")], str(DATA / "declarations/mixpanel.yml")),
        id="chromium-mixpanel-declared",
    ),
    *(
        pytest.param(([str(har)], None), id=f"external-{har.parent.name}")
        for har in sorted((ROOT / "tests/corpus/external").glob("*/capture.har"))
    ),
]
# "4 requests", "12 requests, 5 shown", "3 TLS connections"
_COUNT = re.compile(r"\b(\d+) (?:requests?|TLS connections?)(?:, (\d+) shown)?")


def _requests(inputs: list[str], declared: str | None) -> dict[str, tuple[str, frozenset[str]]]:
    """flow ref -> (host, data types asserted in it), read afresh.

    An id handed on (:mod:`flowaudit.engine.relayed`) is carried by a request that holds the
    token when another request asserts the same value as an identifier, or a cookie holds it."""
    catalog = load_catalog()
    declaration = load_declaration(declared, catalog) if declared else None
    analyzer = PayloadAnalyzer(declaration, catalog)
    found_in: dict[str, tuple[str, list[Detection]]] = {}
    ids: dict[str, str] = {}  # identifier value -> its data type, anywhere in the capture
    cookies = ""
    for obs in open_inputs(inputs):
        found = list(inspect(obs, analyzer).detections or ())
        found_in[obs.ref] = (obs.host, found)
        cookies += "".join(value for name, value in obs.request_headers if name.lower() == "cookie")
        for d in found:
            if d.confidence in ASSERTED and d.data_type.startswith("identifiers.") and d.value:
                ids.setdefault(d.value, d.data_type)
    out = {}
    for ref, (host, found) in found_in.items():
        asserted = {d.data_type for d in found if d.confidence in ASSERTED}
        for d in found:
            if d.detector == RELAYED and d.value and (d.value in ids or d.value in cookies):
                asserted.add(ids.get(d.value, "identifiers.device_id"))
        out[ref] = (host, frozenset(asserted))
    return out


@pytest.fixture(scope="module", params=CAPTURES)
def audited(request: pytest.FixtureRequest) -> tuple[AuditResult, dict[str, tuple[str, frozenset[str]]]]:
    inputs, declared = request.param
    return audit_captures(inputs, (declared,) if declared else (), fail_on="never"), _requests(inputs, declared)


def test_the_captures_have_findings_to_check(audited) -> None:
    result, _ = audited
    assert any(f.evidence and f.data_types for f in result.findings)


def test_every_named_host_is_a_cited_request_host(audited) -> None:
    result, requests = audited
    for f in result.findings:
        if not f.evidence:
            assert f.host is None and not f.hosts, f
            continue
        cited_hosts = {requests[e.flow][0] for e in f.evidence}
        assert f.hosts and f.host == f.hosts[0], f
        assert set(f.hosts) == cited_hosts, (f.rule, f.hosts, cited_hosts)


def test_every_cited_request_carries_what_the_finding_states(audited) -> None:
    result, requests = audited
    for f in result.findings:
        for e in f.evidence:
            carried = requests[e.flow][1]
            if e.data_type is not None:
                assert e.data_type in carried, (f.rule, e)
            if f.data_types and any(x.data_type for x in f.evidence) and e.data_type is not None:
                assert set(f.data_types) & carried, (f.rule, e.flow, f.data_types)
        if f.data_types and f.rule != "undeclared-recipient" and f.evidence:
            cited_types = set().union(*(requests[e.flow][1] for e in f.evidence))
            assert set(f.data_types) <= cited_types, (f.rule, f.data_types, cited_types)


def test_counts_agree_with_the_requests_cited(audited) -> None:
    result, _ = audited
    for f in result.findings:
        counts = _COUNT.findall(f.message)
        if len(counts) != 1 or not f.evidence:
            continue
        total, shown = counts[0]
        cited = len({e.flow for e in f.evidence if e.data_type is not None or f.rule != "opt-out-signal-ignored"})
        assert int(shown or total) == cited, (f.rule, f.message, cited)
        assert not shown or int(shown) < int(total)
