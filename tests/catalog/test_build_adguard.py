"""The AdGuard conversion script (rules/catalog/build_adguard.py)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from flowaudit.resources import rules_dir

SCRIPT = rules_dir() / "catalog" / "build_adguard.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_adguard", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRACKERS = {
    "timeUpdated": "2026-07-20T11:02:11.184Z",
    "categories": {"4": "advertising", "8": "misc", "101": "mobile_analytics", "13": "email"},
    "trackers": {
        "acme": {"name": " Acme Ads ", "categoryId": 4, "url": "https://acme.example/", "companyId": "acme_inc"},
        "loner": {"name": "Loner", "categoryId": 101, "url": None, "companyId": None},
        "onet.pl": {"name": "onet", "categoryId": 8, "url": None, "companyId": None},
        "mailer": {"name": "Mailer", "categoryId": 13, "url": None, "companyId": "acme_inc"},
    },
    "trackerDomains": {
        "Acme.example": "acme",
        "loner.example": "loner",
        "onet.pl": "onet.pl",
        "mail.acme.example": "mailer",
    },
}
COMPANIES = {
    "companies": {
        "acme_inc": {"name": "Acme Inc.", "websiteUrl": "https://acme.example/", "description": "long text"},
        "onet.pl": {"name": "Onet.pl SA", "websiteUrl": None, "description": ""},
    }
}


def test_conversion(build: ModuleType) -> None:
    doc = build.convert(TRACKERS, COMPANIES, commit="abc", date="2026-07-20")
    assert doc["source"]["commit"] == "abc" and doc["source"]["license"] == "CC BY-SA 4.0"
    assert doc["services"]["acme"] == {
        "name": "Acme Ads",
        "company": "acme_inc",
        "category": "advertising",
        "adguard_category": "advertising",
        "url": "https://acme.example/",
    }
    assert doc["services"]["loner"]["category"] == "analytics"
    assert doc["services"]["mailer"]["category"] == "customer_engagement"
    assert doc["companies"]["acme_inc"] == {"name": "Acme Inc.", "url": "https://acme.example/"}
    # a companyless tracker gets its own company, or the AdGuard company with its id
    assert doc["companies"]["loner"] == {"name": "Loner"}
    assert doc["services"]["loner"]["company"] == "loner"
    assert doc["companies"]["onet.pl"]["name"] == "Onet.pl SA"
    assert doc["domains"]["acme.example"] == "acme"


def test_every_adguard_category_is_mapped(build: ModuleType) -> None:
    unmapped = {**TRACKERS, "categories": {**TRACKERS["categories"], "99": "brand_new"}}
    with pytest.raises(SystemExit, match="brand_new"):
        build.convert(unmapped, COMPANIES, commit="abc", date="2026-07-20")


# The source files: FLOWAUDIT_ADGUARD_DIST, else the project's shared/ folder
# beside the checkout (where CI has it).
ADGUARD_DIST = Path(
    os.environ.get("FLOWAUDIT_ADGUARD_DIST")
    or Path(__file__).resolve().parents[3] / "shared/catalog/adguard-companiesdb"
)


@pytest.mark.needs_shared
@pytest.mark.skipif(
    not (ADGUARD_DIST / "trackers.json").is_file(),
    reason="set FLOWAUDIT_ADGUARD_DIST to companiesdb's dist/ folder (commit 94ac177) to check",
)
def test_shipped_file_is_reproducible(build: ModuleType, tmp_path: Path) -> None:
    dist = ADGUARD_DIST
    build.main(
        [
            str(dist),
            "--commit",
            "94ac1779b1de0ba5f72253abcb24cea0680e66d6",
            "--date",
            "2026-07-20",
            "--out",
            str(tmp_path),
        ]
    )
    shipped = rules_dir() / "catalog" / "adguard"
    assert (tmp_path / "adguard.json").read_bytes() == (shipped / "adguard.json").read_bytes()
    assert (tmp_path / "LICENSE").read_bytes() == (shipped / "LICENSE").read_bytes()
