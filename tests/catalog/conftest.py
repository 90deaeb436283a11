"""Shared fixtures: the shipped catalog, and small hand-made rules folders.

The synthetic folders hold a few AdGuard-format entries and overlay files
written by the test itself, so loader behaviour (precedence, merging,
errors) is checked against data whose every line the test controls.
"""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.catalog import Catalog, load_catalog

ADGUARD_SAMPLE = {
    "source": {
        "id": "adguard",
        "name": "AdGuard companiesdb",
        "license": "CC BY-SA 4.0",
        "url": "https://github.com/AdguardTeam/companiesdb",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "date": "2026-01-01",
    },
    "companies": {
        "acme": {"name": "Acme Corp."},
        "acme_old": {"name": "Acme Legacy"},
        "cdnco": {"name": "CDN Co"},
    },
    "services": {
        "acme_ads": {"name": "Acme Ads", "company": "acme", "category": "advertising"},
        "acme_legacy": {"name": "Acme Legacy Tracker", "company": "acme_old", "category": "other"},
        "cdn": {"name": "CDN Co Edge", "company": "cdnco", "category": "hosting"},
        "tenant": {"name": "Known Tenant", "company": "cdnco", "category": "analytics"},
    },
    "domains": {
        "acme.example": "acme_ads",
        "pixel.acme.example": "acme_ads",
        "legacy-acme.example": "acme_legacy",
        "cloudfront.net": "cdn",
        "d1known.cloudfront.net": "tenant",
        "github.io": "acme_legacy",
    },
}


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def adguard_sample() -> dict:
    """A fresh copy of the sample AdGuard data, free to modify."""
    return copy.deepcopy(ADGUARD_SAMPLE)


RulesFactory = Callable[..., Path]


@pytest.fixture
def make_rules(tmp_path: Path) -> RulesFactory:
    """Write a rules folder: AdGuard sample (or given) plus overlay files."""

    def make(overlay: dict[str, str] | None = None, adguard: dict | None = None) -> Path:
        root = tmp_path / "rules"
        (root / "catalog" / "adguard").mkdir(parents=True)
        (root / "catalog" / "overlay").mkdir()
        (root / "catalog" / "catalog.yml").write_text(
            'version: "2026.01.02"\noverlay_license: Apache-2.0\n', encoding="utf-8"
        )
        (root / "catalog" / "adguard" / "adguard.json").write_text(
            json.dumps(adguard if adguard is not None else ADGUARD_SAMPLE), encoding="utf-8"
        )
        for name, text in (overlay or {}).items():
            (root / "catalog" / "overlay" / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make
