"""The destination catalog: which company and service is behind a host.

Built from AdGuard's companiesdb (CC BY-SA 4.0, a separate data file) with
the project's curated overlay on top. Start with :func:`load_catalog`.
"""

from flowaudit.catalog.catalog import Catalog
from flowaudit.catalog.domains import registrable_domain
from flowaudit.catalog.listing import rules_list_rows
from flowaudit.catalog.loader import load_catalog
from flowaudit.catalog.model import CATEGORIES, CatalogSource, Company, HostMatch, Service
from flowaudit.catalog.taxonomy import UNKNOWN, category_descriptions

__all__ = [
    "CATEGORIES",
    "UNKNOWN",
    "Catalog",
    "CatalogSource",
    "Company",
    "HostMatch",
    "Service",
    "category_descriptions",
    "load_catalog",
    "registrable_domain",
    "rules_list_rows",
]
