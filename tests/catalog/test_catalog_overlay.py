"""The overlay files: shipped content rules, and schema errors naming file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from flowaudit.catalog import CATEGORIES
from flowaudit.catalog.loader import overlay_files
from flowaudit.catalog.overlay import read_overlay_file
from flowaudit.errors import FlowauditError
from flowaudit.resources import rules_dir
from flowaudit.rulesfiles import validate_file

OVERLAY = rules_dir() / "catalog" / "overlay"


def _raw_entries(kind: str) -> list[tuple[Path, dict]]:
    """Entries read with plain PyYAML, independent of the loader under test."""
    found = []
    for path in overlay_files(OVERLAY):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(path, entry) for entry in doc.get(kind, [])]
    return found


def test_overlay_is_not_empty() -> None:
    assert len(_raw_entries("services")) > 40
    assert len(_raw_entries("companies")) > 20


@pytest.mark.parametrize("kind", ["companies", "services"])
def test_every_entry_cites_a_link(kind: str) -> None:
    for path, entry in _raw_entries(kind):
        source = entry.get("source")
        assert isinstance(source, str) and source.startswith("https://"), (path.name, entry["id"])


def test_every_service_has_a_catalog_category() -> None:
    for path, entry in _raw_entries("services"):
        assert entry["category"] in CATEGORIES, (path.name, entry["id"])


def test_shipped_files_pass_the_schema() -> None:
    assert [error for path in overlay_files(OVERLAY) for error in validate_file(path)] == []
    parsed = [read_overlay_file(p) for p in overlay_files(OVERLAY)]
    assert sum(len(f.services) for f in parsed) == len(_raw_entries("services"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> FlowauditError:
    """The first problem ``flowaudit rules validate`` finds (schema, then the reader's own checks)."""
    errors = validate_file(_write(tmp_path, text))
    assert errors, "no problem found"
    assert errors[0].path is not None and errors[0].path.endswith("bad.yml")
    return errors[0]


GOOD_SERVICE = """\
services:
  - id: acme
    name: Acme
    company: acme
    category: analytics
    domains: [acme.example]
    source: https://acme.example/docs
"""


def test_good_entry_parses(tmp_path: Path) -> None:
    parsed = read_overlay_file(_write(tmp_path, GOOD_SERVICE))
    (service,) = parsed.services
    assert (service.id, service.domains, service.where.line) == ("acme", ("acme.example",), 2)


def test_unknown_key_names_its_line(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE + "    catgory: advertising\n")
    assert err.line == 8
    assert "catgory" in err.message
    assert "bad.yml:8:" in str(err)


def test_missing_source(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("    source: https://acme.example/docs\n", ""))
    assert err.line == 2 and "source" in err.message


def test_source_must_be_a_link(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("https://acme.example/docs", "the vendor docs"))
    assert err.line == 7 and "source" in err.message


def test_unknown_category(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("analytics", "tracking"))
    assert err.line == 5 and "tracking" in err.message


@pytest.mark.parametrize("domain", ["https://acme.example", "*.acme.example", "Acme.example", "acme.example."])
def test_malformed_domain(tmp_path: Path, domain: str) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("[acme.example]", f"['{domain}']"))
    assert err.line == 6


def test_domain_with_a_path_scope_parses(tmp_path: Path) -> None:
    text = GOOD_SERVICE.replace("[acme.example]", "[acme.example, www.acme.example/collect/]")
    (service,) = read_overlay_file(_write(tmp_path, text)).services
    assert service.domains == ("acme.example", "www.acme.example/collect/")


@pytest.mark.parametrize("domain", ["www.acme.example/collect?x=1", "www.acme.example/a b", "www.acme.example/#top"])
def test_malformed_path_scope(tmp_path: Path, domain: str) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("[acme.example]", f"['{domain}']"))
    assert err.line == 6 and "path" in err.message


def test_path_scope_cannot_cover_subdomains(tmp_path: Path) -> None:
    text = GOOD_SERVICE.replace("[acme.example]", "[www.acme.example/collect/]") + "    covers_subdomains: true\n"
    err = _error(tmp_path, text)
    assert err.line == 6 and "covers_subdomains" in err.message


def test_service_needs_domains_or_replaces(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE.replace("    domains: [acme.example]\n", ""))
    assert err.line == 2


def test_duplicate_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD_SERVICE + "    name: Acme again\n")
    assert err.line == 8 and "duplicate" in err.message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = _error(tmp_path, "service:\n  - id: acme\n")
    assert err.line == 1


def test_invalid_yaml(tmp_path: Path) -> None:
    err = _error(tmp_path, "services:\n  - id: [unclosed\n")
    assert err.line is not None


def test_company_entry_keys(tmp_path: Path) -> None:
    err = _error(
        tmp_path,
        """\
        companies:
          - id: acme
            name: Acme
            owner: bigco
            source: https://acme.example/about
        """,
    )
    assert err.line == 4 and "owner" in err.message
