"""Entity lookups, ownership and provenance of the shipped catalog."""

from __future__ import annotations

import re

import pytest
import yaml

from flowaudit.catalog import CATEGORIES, Catalog, Company, Service
from flowaudit.resources import rules_dir


@pytest.mark.parametrize(
    ("name", "company_id"),
    [
        ("Meta", "meta"),
        ("meta", "meta"),
        ("Meta Platforms, Inc.", "meta"),
        ("  meta   platforms, inc. ", "meta"),
        ("Facebook", "meta"),  # AdGuard's separate "facebook" company, folded into Meta
        ("facebook", "meta"),
        ("Stripe", "stripe"),
        ("Mixpanel", "mixpanel"),
        ("Google", "google"),
        ("GOOGLE LLC", "google"),
        ("Twitter", "twitter"),
        ("Segment", "segment"),
        ("braze_inc", "braze"),
    ],
)
def test_find_company(catalog: Catalog, name: str, company_id: str) -> None:
    entity = catalog.find_entity(name)
    assert isinstance(entity, Company)
    assert entity.id == company_id


@pytest.mark.parametrize(
    ("name", "service_id"),
    [
        ("Firebase", "firebase"),
        ("firebase", "firebase"),
        ("Braintree", "braintree"),
        ("Facebook App Events", "facebook_app_events"),
        ("Meta Pixel", "meta_pixel"),
    ],
)
def test_find_service(catalog: Catalog, name: str, service_id: str) -> None:
    entity = catalog.find_entity(name)
    assert isinstance(entity, Service)
    assert entity.id == service_id


def test_find_nothing(catalog: Catalog) -> None:
    assert catalog.find_entity("Example Metrics") is None
    assert catalog.find_entity("") is None


@pytest.mark.parametrize(
    ("typo", "intended"),
    [
        ("Mixpannel", "Mixpanel"),
        ("Facebok", "Facebook"),
        ("Stripee", "Stripe"),
        ("Segmnt", "Segment"),
        ("Firbase", "Firebase"),
        ("Gogle", "Google"),
    ],
)
def test_suggest_corrects_typos(catalog: Catalog, typo: str, intended: str) -> None:
    suggestions = catalog.suggest(typo)
    assert suggestions[0] == intended
    assert len(suggestions) <= 3
    # a suggestion is always something find_entity accepts
    assert all(catalog.find_entity(s) is not None for s in suggestions)


def test_suggest_one_name_per_entity(catalog: Catalog) -> None:
    suggestions = catalog.suggest("Gogle", n=5)
    assert "Google LLC" not in suggestions  # same company as "Google"


def test_suggest_nothing_close(catalog: Catalog) -> None:
    assert catalog.suggest("zzzzqqqqxxxx") == []


def test_company_lookup(catalog: Catalog) -> None:
    assert catalog.company("facebook").id == "meta"
    assert catalog.company("meta").name == "Meta"
    assert "Meta Platforms, Inc." in catalog.company("meta").aliases
    with pytest.raises(KeyError):
        catalog.company("no-such-company")
    with pytest.raises(KeyError):
        catalog.service("no-such-service")


def test_parent_chains(catalog: Catalog) -> None:
    assert [p.id for p in catalog.parents("google")] == ["alphabet"]
    assert [p.id for p in catalog.parents("adjust")] == ["applovin"]
    assert catalog.parents("alphabet") == ()


def test_no_parent_cycles_anywhere(catalog: Catalog) -> None:
    # Parents only come from the overlay: walk every company it defines.
    for company_id in _overlay_company_ids():
        chain = catalog.parents(company_id)
        ids = [catalog.company(company_id).id, *(p.id for p in chain)]
        assert len(ids) == len(set(ids)), ids
        if chain:
            assert chain[-1].parent_id is None  # ends at a top company, not a loop


_LEGAL_FORMS = re.compile(
    r"\b(?:inc|llc|ltd|limited|corp|corporation|gmbh|co|company|sa|ag|plc|bv|technologies|group|holdings)\b"
)


def _brand(name: str) -> str:
    """A company or service name without legal form or punctuation: "Yahoo! Inc." -> "yahoo"."""
    name = re.sub(r"[!.,()]", " ", name.casefold())
    return " ".join(_LEGAL_FORMS.sub(" ", name).split())


def _owners(catalog: Catalog, company_id: str) -> set[str]:
    return {company_id, *(p.id for p in catalog.parents(company_id))}


def test_no_company_appears_twice_under_one_name(catalog: Catalog) -> None:
    # AdGuard splits some companies over several ids with the same name
    # ("Braze" and "Braze, Inc.", "RhythmOne" and "RhythmOne, LLC"): each
    # would be a separate recipient row for one real company.
    named: dict[str, set[str]] = {}
    for company in catalog.companies():
        for label in {company.name, *company.aliases}:
            if _brand(label):
                named.setdefault(_brand(label), set()).add(company.id)
    assert {name: ids for name, ids in named.items() if len(ids) > 1} == {}


# Services of unrelated companies whose name starts with a curated company's.
_DIFFERENT_COMPANIES = {"meta_network": "meta", "snap_engage": "snap_technologies", "batch_media": "batch"}


def test_services_named_after_a_curated_company_sit_in_its_family(catalog: Catalog) -> None:
    # "Yahoo! Analytics" under Verizon and "Yahoo!" under Apollo while a Yahoo
    # company exists is one company shown as three. A service whose name
    # starts with a curated company's name (the longest such name wins, so
    # "Yahoo! JAPAN ..." is Yahoo! JAPAN's) belongs to that company, one of its
    # parents or one of its subsidiaries.
    brands = {
        _brand(label): company.id
        for company in catalog.companies()
        if company.source.startswith("https://")
        for label in (company.name, *company.aliases)
        if len(_brand(label)) >= 4
    }
    misplaced = []
    for service in catalog.services():
        name = _brand(service.name)
        matches = [b for b in brands if name == b or name.startswith(b + " ")]
        if not matches:
            continue
        brand_owner = brands[max(matches, key=len)]
        if _DIFFERENT_COMPANIES.get(service.id) == brand_owner:
            continue
        if brand_owner not in _owners(catalog, service.company_id) and service.company_id not in _owners(
            catalog, brand_owner
        ):
            misplaced.append((service.id, service.name, service.company_id, brand_owner))
    assert misplaced == []


@pytest.mark.parametrize(
    ("host", "owner"),
    [
        # Hosts from the external corpus's captures, each under its real top owner.
        ("sp.analytics.yahoo.com", "Apollo Global Management"),  # Yahoo Analytics (AdGuard: Verizon)
        ("ups.analytics.yahoo.com", "Apollo Global Management"),
        ("s.yimg.com", "Apollo Global Management"),  # Yahoo (AdGuard: Apollo)
        ("ads.yahoo.com", "Apollo Global Management"),
        ("pixel.advertising.com", "Apollo Global Management"),  # Verizon Media, now Yahoo
        ("pi.pardot.com", "Salesforce"),  # Pardot (AdGuard: its own company)
        ("dpm.demdex.net", "Adobe"),
        ("tags.bluekai.com", "Oracle"),
        ("px.ads.linkedin.com", "Microsoft"),
        ("bat.bing.com", "Microsoft"),
        ("ib.adnxs.com", "Microsoft"),  # Xandr
        ("stats.g.doubleclick.net", "Alphabet"),
        ("www.youtube.com", "Alphabet"),
        ("connect.facebook.net", "Meta"),
        ("www.instagram.com", "Meta"),
        ("my-app.herokuapp.com", "Salesforce"),
        ("someone.github.io", "Microsoft"),
    ],
)
def test_real_hosts_sit_under_their_top_owner(catalog: Catalog, host: str, owner: str) -> None:
    match = catalog.match(host)
    assert match is not None, host
    chain = [match.company, *catalog.parents(match.company.id)]
    assert chain[-1].name == owner, [c.name for c in chain]


def test_yahoo_japan_is_another_company(catalog: Catalog) -> None:
    # Yahoo! JAPAN is LY Corporation's (it bought the trademark for Japan), not Yahoo Inc.'s.
    japan = catalog.match("s.yimg.jp")
    yahoo = catalog.match("s.yimg.com")
    assert japan is not None and yahoo is not None
    assert japan.company.id == "yahoo_japan" != yahoo.company.id
    assert "LY Corporation" in japan.company.aliases
    assert catalog.parents("yahoo_japan") == ()


def _overlay_company_ids() -> list[str]:
    doc = yaml.safe_load((rules_dir() / "catalog/overlay/companies.yml").read_text(encoding="utf-8"))
    return [entry["id"] for entry in doc["companies"]]


def _sample_domains() -> list[str]:
    return [
        "api.segment.io",
        "app-measurement.com",
        "app.adjust.com",
        "graph.facebook.com",
        "api.stripe.com",
        "clients2.google.com",
        "r3.o.lencr.org",
        "acme.onelink.me",
    ]


def test_every_service_is_consistent(catalog: Catalog) -> None:
    for host in _sample_domains():
        match = catalog.match(host)
        assert match is not None
        assert match.service.category in CATEGORIES
        assert match.company.id == match.service.company_id
        assert match.domain in match.service.domains


def test_sources_report_license_and_commit(catalog: Catalog) -> None:
    by_id = {s.id: s for s in catalog.sources}
    adguard = by_id["adguard"]
    assert adguard.license == "CC BY-SA 4.0"
    assert adguard.version == "94ac1779b1de0ba5f72253abcb24cea0680e66d6"
    assert adguard.url == "https://github.com/AdguardTeam/companiesdb"
    assert (adguard.companies, adguard.services, adguard.domains) == (2811, 3330, 5125)
    overlay = by_id["overlay"]
    assert overlay.license == "Apache-2.0"
    assert overlay.services > 40 and overlay.domains > 50


def test_version_comes_from_data(catalog: Catalog) -> None:
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}\+adguard\.94ac177", catalog.version)


def test_counts(catalog: Catalog) -> None:
    counts = catalog.counts()
    adguard = next(s for s in catalog.sources if s.id == "adguard")
    assert counts["domains"] > adguard.domains  # the overlay adds domains AdGuard lacks
    assert counts["companies"] < adguard.companies + 40  # merged companies disappear
    assert set(counts) == {"companies", "services", "domains"}
