from __future__ import annotations

from flowaudit.catalog import Catalog, rules_list_rows
from flowaudit.catalog.listing import ROW_KEYS


def test_rows_attribute_each_source(catalog: Catalog) -> None:
    rows = rules_list_rows(catalog)
    assert all(tuple(row) == ROW_KEYS for row in rows)
    adguard, overlay, merged = rows
    assert adguard["source"] == "AdGuard companiesdb"
    assert adguard["license"] == "CC BY-SA 4.0"
    assert adguard["version"] == "94ac1779b1de0ba5f72253abcb24cea0680e66d6"
    assert adguard["url"] == "https://github.com/AdguardTeam/companiesdb"
    assert overlay["license"] == "Apache-2.0"
    assert merged["version"] == catalog.version
    assert merged["domains"] == catalog.counts()["domains"]
