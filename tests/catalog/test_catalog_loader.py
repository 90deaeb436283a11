"""How AdGuard data and the overlay combine, on small hand-written rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.catalog import load_catalog
from flowaudit.errors import FlowauditError

RulesFactory = Callable[..., Path]

ACME = """\
companies:
  - id: acme
    name: Acme
    legal_name: Acme Corporation
    merge: [acme_old]
    source: https://acme.example/about
"""


def test_adguard_alone(make_rules: RulesFactory) -> None:
    catalog = load_catalog(make_rules())
    match = catalog.match("www.acme.example")
    assert match is not None
    assert (match.service.id, match.company.name, match.service.source) == ("acme_ads", "Acme Corp.", "adguard")
    assert catalog.version == "2026.01.02+adguard.0123456"


def test_overlay_domain_wins(make_rules: RulesFactory) -> None:
    catalog = load_catalog(
        make_rules(
            {
                "s.yml": """\
        services:
          - id: acme_pixel
            name: Acme Pixel
            company: acme
            category: analytics
            domains: [pixel.acme.example]
            source: https://acme.example/pixel
        """
            }
        )
    )
    pixel = catalog.match("a.pixel.acme.example")
    assert pixel is not None and pixel.service.id == "acme_pixel"
    assert pixel.service.source == "https://acme.example/pixel"
    rest = catalog.match("www.acme.example")
    assert rest is not None and rest.service.id == "acme_ads"
    assert catalog.service("acme_ads").domains == ("acme.example",)


def test_replaces_moves_domains(make_rules: RulesFactory) -> None:
    catalog = load_catalog(
        make_rules(
            {
                "s.yml": """\
        services:
          - id: acme_ads
            name: Acme Advertising
            company: acme
            category: attribution
            replaces: [acme_ads]
            source: https://acme.example/ads
        """
            }
        )
    )
    match = catalog.match("pixel.acme.example")
    assert match is not None
    assert (match.service.name, match.service.category) == ("Acme Advertising", "attribution")
    assert catalog.service("acme_ads").domains == ("acme.example", "pixel.acme.example")


def test_reusing_an_adguard_id_needs_replaces(make_rules: RulesFactory) -> None:
    root = make_rules(
        {
            "s.yml": """\
        services:
          - id: acme_ads
            name: Acme Advertising
            company: acme
            category: advertising
            domains: [ads.acme.example]
            source: https://acme.example/ads
        """
        }
    )
    with pytest.raises(FlowauditError) as info:
        load_catalog(root)
    assert (Path(info.value.path or "").name, info.value.line) == ("s.yml", 2)
    assert "replaces" in (info.value.hint or "")


def test_merge_folds_companies(make_rules: RulesFactory) -> None:
    catalog = load_catalog(make_rules({"c.yml": ACME}))
    legacy = catalog.match("legacy-acme.example")
    assert legacy is not None and legacy.company.id == "acme"  # the folded company's service moved
    assert catalog.company("acme_old").id == "acme"
    assert catalog.find_entity("Acme Legacy").id == "acme"  # type: ignore[union-attr]
    assert catalog.find_entity("Acme Corp.").id == "acme"  # AdGuard's name stays findable  # type: ignore[union-attr]
    assert catalog.find_entity("acme corporation").id == "acme"  # type: ignore[union-attr]
    assert catalog.company("acme").name == "Acme"


def test_parent_cycle_is_an_error(make_rules: RulesFactory) -> None:
    root = make_rules(
        {
            "c.yml": """\
        companies:
          - id: acme
            name: Acme
            parent: cdnco
            source: https://acme.example/about
          - id: cdnco
            name: CDN Co
            parent: acme
            source: https://cdn.example/about
        """
        }
    )
    with pytest.raises(FlowauditError) as info:
        load_catalog(root)
    assert "cycle" in info.value.message
    assert info.value.line in (2, 6)


def test_unknown_parent_is_an_error(make_rules: RulesFactory) -> None:
    root = make_rules({"c.yml": ACME.replace("    merge: [acme_old]\n", "    parent: nobody\n")})
    with pytest.raises(FlowauditError) as info:
        load_catalog(root)
    assert info.value.line == 2 and "nobody" in info.value.message


def test_unknown_company_is_an_error(make_rules: RulesFactory) -> None:
    root = make_rules(
        {
            "s.yml": """\
        services:
          - id: thing
            name: Thing
            company: nobody
            category: other
            domains: [thing.example]
            source: https://thing.example/
        """
        }
    )
    with pytest.raises(FlowauditError) as info:
        load_catalog(root)
    assert info.value.line == 2 and "nobody" in info.value.message


def test_domain_listed_twice_is_an_error(make_rules: RulesFactory) -> None:
    service = """\
          - id: {id}
            name: Thing
            company: acme
            category: other
            domains: [thing.example]
            source: https://thing.example/
    """
    root = make_rules(
        {"a.yml": "services:\n" + service.format(id="one"), "b.yml": "services:\n" + service.format(id="two")}
    )
    with pytest.raises(FlowauditError) as info:
        load_catalog(root)
    assert Path(info.value.path or "").name == "b.yml" and "twice" in info.value.message


def test_public_suffix_rule(make_rules: RulesFactory) -> None:
    catalog = load_catalog(make_rules())
    # A customer's distribution under a hosting provider's shared suffix is
    # served by the provider: it resolves to the provider's hosting service.
    customer = catalog.match("d999.cloudfront.net")
    assert customer is not None and (customer.service.id, customer.domain) == ("cdn", "cloudfront.net")
    known = catalog.match("x.d1known.cloudfront.net")
    assert known is not None and known.service.id == "tenant"
    # A service of another kind listed on a shared suffix never claims its customers.
    assert catalog.match("github.io") is not None
    assert catalog.match("someone.github.io") is None


def test_covers_subdomains(make_rules: RulesFactory) -> None:
    catalog = load_catalog(
        make_rules(
            {
                "s.yml": """\
        services:
          - id: edge
            name: CDN Co Edge
            company: cdnco
            category: cdn
            replaces: [cdn]
            domains: [cloudfront.net]
            covers_subdomains: true
            source: https://cdn.example/
        """
            }
        )
    )
    match = catalog.match("d999.cloudfront.net")
    assert match is not None and match.service.id == "edge"


PATH_SCOPED = """\
    services:
      - id: acme_checks
        name: Acme connectivity check
        company: acme
        category: platform
        domains: [www.acme.example/ping, www.acme.example/os/check/]
        source: https://acme.example/docs
    """


def test_path_scoped_domains(make_rules: RulesFactory) -> None:
    catalog = load_catalog(make_rules({"p.yml": PATH_SCOPED}))
    for path in ("/ping", "/ping?x=1", "/ping/", "/os/check/a", "/os/check"):
        match = catalog.match("www.acme.example", path)
        assert match is not None and match.service.id == "acme_checks", path
        assert match.matched in ("www.acme.example/ping", "www.acme.example/os/check/")
    for path in (None, "", "/", "/pingpong", "/pixel/ping", "/os/checked"):
        match = catalog.match("www.acme.example", path)
        assert match is not None and match.service.id == "acme_ads", path  # the host-wide entry
    assert catalog.service("acme_checks").domains == ("www.acme.example/os/check/", "www.acme.example/ping")
    assert catalog.path_scope("www.acme.example", "/ping?x=1") == "www.acme.example/ping"
    assert catalog.path_scope("www.acme.example", "/pixel") is None
    assert catalog.path_scope("acme.example", "/ping") is None  # scoped to www.acme.example only


def test_same_path_scope_twice_is_an_error(make_rules: RulesFactory) -> None:
    other = PATH_SCOPED.replace("acme_checks", "acme_other")
    with pytest.raises(FlowauditError) as info:
        load_catalog(make_rules({"a.yml": PATH_SCOPED, "b.yml": other}))
    assert "www.acme.example/ping" in info.value.message and "twice" in info.value.message


def test_loaded_once_per_folder(make_rules: RulesFactory) -> None:
    root = make_rules()
    assert load_catalog(root) is load_catalog(root)


def test_damaged_adguard_file(make_rules: RulesFactory, adguard_sample: dict) -> None:
    adguard_sample["services"]["acme_ads"]["company"] = "nobody"
    with pytest.raises(FlowauditError) as info:
        load_catalog(make_rules(adguard=adguard_sample))
    assert (info.value.path or "").endswith("adguard.json")
