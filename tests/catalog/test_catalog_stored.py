"""The merged catalog kept in the cache: made back, it answers as the merged one does."""

from __future__ import annotations

import marshal
from collections.abc import Callable
from pathlib import Path

from flowaudit.catalog import stored
from flowaudit.catalog.catalog import Catalog
from flowaudit.catalog.merge import merge_files
from flowaudit.catalog.model import Company
from flowaudit.resources import rules_dir

RulesFactory = Callable[..., Path]

SCOPED = """\
services:
  - id: acme_captcha
    name: Acme Captcha
    company: acme
    category: security
    domains: [www.acme.example/captcha/]
    source: https://acme.example/captcha
"""


def test_the_shipped_catalog_made_back_from_the_cache_answers_alike() -> None:
    parts = merge_files(rules_dir())
    merged = Catalog(**parts._asdict())
    kept = stored.from_plain(marshal.loads(marshal.dumps(stored.plain(parts))))  # as the cache stores it
    assert kept.companies() == merged.companies()
    assert kept.services() == merged.services()
    assert kept.sources == merged.sources and kept.version == merged.version and kept.counts() == merged.counts()
    for host, path in [
        ("graph.facebook.com", "/v1/events"),
        ("www.google.com", "/recaptcha/api.js"),
        ("d123.cloudfront.net", "/"),
        ("app.example.org", "/"),
    ]:
        assert kept.match(host, path) == merged.match(host, path)
    assert kept.find_entity("Facebook") == merged.find_entity("Facebook")
    assert kept.suggest("Mixpanl") == merged.suggest("Mixpanl")


def test_a_kept_catalog_makes_only_the_entities_looked_up(make_rules: RulesFactory) -> None:
    kept = stored.from_plain(stored.plain(merge_files(make_rules({"s.yml": SCOPED}))))
    made = kept._companies
    assert isinstance(made, stored.Made)
    match = kept.match("www.acme.example", "/captcha/x")
    assert match is not None and match.service.id == "acme_captcha"
    assert "acme" in made and list(made._made) == ["acme"]
    assert isinstance(made["acme"], Company)
