"""The rows ``flowaudit rules list`` shows: each data source, then the total.

Each bundled source is listed with its license and version because the
AdGuard data is CC BY-SA: naming it, its license and its commit wherever
the catalog is described is part of the attribution it requires.
"""

from __future__ import annotations

from flowaudit.catalog.catalog import Catalog

ROW_KEYS = ("source", "license", "version", "url", "companies", "services", "domains")


def rules_list_rows(catalog: Catalog) -> list[dict[str, str | int]]:
    """One row per catalog source, then a ``catalog`` row for the merged result."""
    rows: list[dict[str, str | int]] = [
        {
            "source": src.name,
            "license": src.license,
            "version": src.version,
            "url": src.url,
            "companies": src.companies,
            "services": src.services,
            "domains": src.domains,
        }
        for src in catalog.sources
    ]
    rows.append(
        {"source": "catalog (merged)", "license": "", "version": catalog.version, "url": "", **catalog.counts()}
    )
    return rows
