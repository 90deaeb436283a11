"""Ids handed on between companies, proven by the capture: the same value is an id elsewhere,
or a cookie of another site holds it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flowaudit.catalog import Catalog
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import Auditor
from flowaudit.inputs import open_inputs
from flowaudit.model import AuditResult, Evidence, Recipient

from .conftest import obs

EXTERNAL = Path(__file__).resolve().parents[1] / "corpus" / "external"


def _audit(catalog: Catalog, capture: str, entries: list[int]) -> AuditResult:
    """The audit of these entries (numbered from 1) of an external capture, in this order."""
    by_index = {o.index: o for o in open_inputs([str(EXTERNAL / capture / "capture.har")]) if o.index in entries}
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    for n in entries:
        auditor.add(by_index[n])
    return auditor.result(())


def _row(result: AuditResult, entity_id: str) -> Recipient:
    (row,) = [r for r in result.recipients if r.entity_id == entity_id]
    return row


def _evidence(row: Recipient, data_type: str) -> list[Evidence]:
    return [e for e in row.evidence if e.data_type == data_type]


def test_an_unnamed_parameter_holding_an_id_sent_to_another_company(catalog: Catalog) -> None:
    """Nevada: match.adsrvr.org/track/cmf/generic?ttd_tdid=<id> (entry 113), then
    pixel.rubiconproject.com/tap.php?…&put=<the same id> (entry 106): Rubicon got The Trade Desk's id."""
    result = _audit(catalog, "healthexchange-nevada", [113, 106])
    rubicon = _row(result, "rubicon_project")
    assert "identifiers.device_id" in rubicon.data_types
    (evidence,) = _evidence(rubicon, "identifiers.device_id")
    assert evidence.flow.endswith("capture.har#106") and evidence.location == "query:put"
    assert "The Trade Desk" in evidence.how and "match.adsrvr.org" in evidence.how


def test_alone_the_same_parameter_is_not_reported(catalog: Catalog) -> None:
    """Without the request that shows the value is an id, ``put`` is just a name."""
    rubicon = _row(_audit(catalog, "healthexchange-nevada", [106]), "rubicon_project")
    assert "identifiers.device_id" not in rubicon.data_types


def test_the_handed_on_id_joins_the_shared_identifier_finding(catalog: Catalog) -> None:
    result = _audit(catalog, "healthexchange-nevada", [113, 106])
    (shared,) = [f for f in result.findings if f.rule == "identifier-shared-across-companies"]
    assert "pixel.rubiconproject.com" in shared.hosts and "match.adsrvr.org" in shared.hosts


def test_the_value_of_another_sites_cookie(catalog: Catalog) -> None:
    """NYT: www.nytimes.com gets the cookie _chartbeat2=<token>.<times> (entry 163), then
    pnytimes.chartbeat.net/ping?…&u=<token> (entry 164): the tag sends its first-party cookie id."""
    chartbeat = _row(_audit(catalog, "pagexray-nytimes", [163, 164]), "chartbeat")
    assert "identifiers.device_id" in chartbeat.data_types
    (evidence,) = _evidence(chartbeat, "identifiers.device_id")
    assert evidence.location == "query:u" and "'_chartbeat2'" in evidence.how and "nytimes.com" in evidence.how
    assert "identifiers.device_id" not in _row(_audit(catalog, "pagexray-nytimes", [164]), "chartbeat").data_types


def _with_cookie(catalog: Catalog, cookie_host: str) -> Recipient:
    """A request to an unknown host carrying ``v=<uuid>``, after a request to ``cookie_host`` whose
    cookie ``zz`` holds the same uuid."""
    value = "87a70551-06b4-46ae-ef71-3fee7c95f4c7"
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    auditor.add(obs(f"https://{cookie_host}/", 1, "GET", headers=[("Cookie", f"zz={value}|1481908123")]))
    auditor.add(obs(f"https://sync.adtech-unknown.example/p?v={value}", 2, "GET"))
    return _row(auditor.result(()), "domain:adtech-unknown.example")


def test_a_cookie_of_another_site_proves_an_id(catalog: Catalog) -> None:
    assert "identifiers.device_id" in _with_cookie(catalog, "www.news-site.example").data_types


def test_the_receivers_own_cookie_is_no_proof(catalog: Catalog) -> None:
    """The browser holds the value for the receiving site itself: a value it set and reads back
    proves nothing about a bare parameter."""
    assert "identifiers.device_id" not in _with_cookie(catalog, "cdn.adtech-unknown.example").data_types


def test_an_id_handed_on_after_a_refusal_is_shared_after_it(catalog: Catalog) -> None:
    """The same Nevada pair, Rubicon's request made after the user refused consent: the id it is
    shown to carry once the capture is read counts for the consent rules as if found at once."""
    by_index = {o.index: o for o in open_inputs([str(EXTERNAL / "healthexchange-nevada" / "capture.har")])}
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    auditor.add(replace(by_index[113], phase="before-consent"))
    auditor.add(replace(by_index[106], phase="consent-refused"))
    result = auditor.result(())
    (shared,) = [
        f for f in result.findings if f.rule == "sharing-after-opt-out" and f.entity.startswith("The Rubicon Project")
    ]
    assert "identifiers.device_id" in shared.data_types
    assert shared.phase == "consent-refused" and "in 1 request after the user refused consent" in shared.message
    assert any(e.location == "query:put" and e.flow.endswith("#106") for e in shared.evidence)


def test_a_cookie_header_read_again_changes_nothing() -> None:
    """Every real HAR's requests, in order: the cookie ids noted, and the site each is noted with,
    are those of reading every Cookie header of every request."""
    from flowaudit.engine import relayed

    for capture in sorted(EXTERNAL.glob("*/capture.har")):
        cookies, every = relayed.CookieIds(), relayed.CookieIds()
        for o in open_inputs([str(capture)]):
            cookies.observe(o)
            for name, value in o.request_headers:
                if name.lower() == "cookie" and len(every._sites) < relayed._COOKIE_VALUES:
                    every._add(o.host, value)
        assert cookies._sites == every._sites, capture.parent.name


def test_the_same_header_to_another_site_keeps_the_first_site(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flowaudit.engine import relayed

    monkeypatch.setattr(relayed, "_READ_HEADERS", 100)
    cookies = relayed.CookieIds()
    header = "zz=0f8e2a6c-3b1d-4e7a-9c55-6d2b7e1a9f30"
    cookies.observe(obs("https://www.news-site.example/", 1, "GET", headers=[("Cookie", header)]))
    cookies.observe(obs("https://cdn.other.example/", 2, "GET", headers=[("Cookie", header)]))
    value = "0f8e2a6c-3b1d-4e7a-9c55-6d2b7e1a9f30"
    assert cookies.held_by_other_site(value, "cdn.other.example") == ("news-site.example", "zz")
    assert cookies.held_by_other_site(value, "www.news-site.example") is None
    for n in range(10):  # headers of 40 characters each: the memory of those read is cleared past 100
        cookies.observe(obs("https://a.example/", 3 + n, "GET", headers=[("Cookie", f"k{n}=" + "x" * 37)]))
        assert cookies._read_size <= 100 and len(cookies._read) <= 2
