"""The site's own domain inferred from the capture when none is declared."""

from __future__ import annotations

from pathlib import Path

from flowaudit.engine import Auditor
from flowaudit.engine.first_party import FirstPartyHints, same_brand
from flowaudit.model import InputInfo
from flowaudit.pipeline import audit_captures

from .conftest import obs

EXTERNAL = Path(__file__).resolve().parents[2] / "tests/corpus/external"
PAGE = [("Referer", "https://shop.example/cart")]


def info(*page_hosts: str) -> tuple[InputInfo, ...]:
    return (InputInfo("cap.har", "0" * 64, "har", 0, True, page_hosts=page_hosts),)


def run(catalog, declaration, inputs, *observations):
    auditor = Auditor(catalog, declaration)
    for o in observations:
        auditor.add(o)
    return auditor.result(inputs)


def test_har_pages_name_the_site() -> None:
    assert FirstPartyHints().domains(["www.shop.example", "shop.example"]) == ("shop.example",)


def test_a_top_level_document_counts_only_when_pages_name_it() -> None:
    hints = FirstPartyHints()
    hints.observe(obs("https://www.shop.example/", 1, method="GET", headers=[("Sec-Fetch-Dest", "document")]))
    hints.observe(obs("https://ads.example.net/ad.html", 2, method="GET", headers=[("Accept", "text/html")]))
    assert hints.domains([]) == ()  # no request names either as its page
    hints.observe(obs("https://cdn.example.org/app.js", 3, method="GET", headers=PAGE))
    assert hints.domains([]) == ("shop.example",)


def test_an_iframe_document_is_no_page() -> None:
    hints = FirstPartyHints()
    hints.observe(obs("https://shop.example/", 1, method="GET", headers=[("Sec-Fetch-Dest", "document")]))
    frame = [("Sec-Fetch-Dest", "iframe"), ("Referer", "https://shop.example/")]
    hints.observe(obs("https://widget.example.net/frame", 2, method="GET", headers=frame))
    for n in (3, 4, 5):  # the frame's own requests outnumber the page's
        hints.observe(obs(f"https://widget.example.net/{n}", n, headers=[("Referer", "https://widget.example.net/f")]))
    assert hints.domains([]) == ("shop.example",)


def test_referers_without_a_majority_infer_nothing() -> None:
    hints = FirstPartyHints()
    hints.observe(obs("https://a.example.net/", 1, headers=[("Referer", "https://one.example/")]))
    hints.observe(obs("https://b.example.net/", 2, headers=[("Origin", "https://two.example")]))
    assert hints.domains([]) == ()


def test_the_inferred_site_is_first_party_not_an_unknown_third_party(catalog) -> None:
    result = run(
        catalog,
        None,
        info("shop.example"),
        obs("https://shop.example/", 1, method="GET"),
        obs("https://api.shop.example/order", 2, headers=PAGE),
        obs("https://api.mixpanel.com/track", 3, headers=PAGE),
    )
    first = [r for r in result.recipients if r.party == "first"]
    assert [(r.entity, r.flows, r.party_inferred) for r in first] == [("shop.example", 2, True)]
    assert result.first_party_inferred == ("shop.example",)
    assert not [f for f in result.findings if f.entity == "shop.example"]


def test_a_known_company_is_never_inferred_first_party(catalog) -> None:
    result = run(catalog, None, info("www.facebook.com"), obs("https://www.facebook.com/tr", 1))
    assert [r.party for r in result.recipients] == ["third"]
    assert result.first_party_inferred == ()


def test_declared_first_party_domains_are_not_second_guessed(catalog, declare) -> None:
    decl = declare("first_party: [acme.example]\nrecipients: []\n")
    result = run(catalog, decl, info("shop.example"), obs("https://shop.example/", 1, method="GET"))
    assert [r.party for r in result.recipients] == ["unknown"]


def test_oraquick_is_not_a_third_party_of_itself() -> None:
    """The real capture of the HIV self-test shop (fb-pixel-inspector, ISC)."""
    result = audit_captures([str(EXTERNAL / "pixelinspector-oraquick/capture.har")], (), fail_on="never")
    [own] = [r for r in result.recipients if r.entity == "oraquick.com"]
    assert (own.party, own.party_inferred) == ("first", True)
    assert not [f for f in result.findings if f.entity == "oraquick.com"]
    assert [r.entity for r in result.recipients].count("Google") == 1


def test_a_publisher_the_catalog_knows_is_the_first_party_of_its_own_site() -> None:
    """The New York Times home page (pagexray, MIT): nytimes.com is a company in the
    catalog, and the site of this capture; Google's ad frames on it are not."""
    result = audit_captures([str(EXTERNAL / "pagexray-nytimes/capture.har")], (), fail_on="never")
    assert result.first_party_inferred == ("nytimes.com",)
    [own] = [r for r in result.recipients if r.party == "first"]
    assert (own.entity, own.party_inferred) == ("The New York Times Company", True)
    assert [r.party for r in result.recipients if r.entity == "Google"] == ["third"]
    # Its own pages over plain http (2015) are still cleartext; no third-party rule fires.
    assert {f.rule for f in result.findings if f.entity == own.entity} == {"cleartext-transmission"}


def test_a_tracker_is_not_the_site_even_as_the_only_page(catalog) -> None:
    result = run(catalog, None, info("www.facebook.com"), obs("https://www.facebook.com/tr", 1, headers=PAGE))
    assert [r.party for r in result.recipients if r.entity == "Meta"] == ["third"]


def test_the_brands_other_domains_but_not_a_longer_name() -> None:
    assert same_brand("mytoys.com", "mytoys.de") and same_brand("mytoys-group.de", "mytoys.de")
    assert same_brand("aftonbladet-cdn.se", "aftonbladet.se")
    assert not same_brand("mytoysshop.com", "mytoys.de")  # another site's longer name
    assert not same_brand("omni-cdn.se", "aftonbladet.se")
    assert not same_brand("ny-times.com", "ny.gov")  # too short a name to say


def test_a_sites_own_cdn_domain_is_not_an_unknown_third_party() -> None:
    """aftonbladet.se (pagexray, MIT) loads its images from aftonbladet-cdn.se: the site's own,
    listed as inferred; omni-cdn.se, another publisher's CDN, stays unknown."""
    result = audit_captures([str(EXTERNAL / "pagexray-aftonbladet/capture.har")], (), fail_on="never")
    assert result.first_party_inferred == ("aftonbladet.se", "aftonbladet-cdn.se")
    [cdn] = [r for r in result.recipients if r.entity == "aftonbladet-cdn.se"]
    assert (cdn.party, cdn.party_inferred) == ("first", True)
    assert not [f for f in result.findings if f.entity == "aftonbladet-cdn.se"]
    assert [r.party for r in result.recipients if r.entity == "omni-cdn.se"] == ["unknown"]
