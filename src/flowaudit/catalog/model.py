"""Catalog entities: who owns a host, and what kind of service runs there.

Two levels, because both matter to readers: the *company* that receives the
data (Meta, Google, Mixpanel) and the *service* that collected it (Facebook
App Events, Firebase), whose category (analytics, advertising, ...) drives
the consent and sensitivity rules.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = (
    "advertising",
    "analytics",
    "attribution",
    "social",
    "crash_reporting",
    "customer_engagement",
    "consent",
    "payments",
    "security",
    "cdn",
    "hosting",
    "essential",
    "platform",
    "other",
)


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str  # short display name: "Meta", not "Meta Platforms, Inc."
    parent_id: str | None = None  # owning company, e.g. "alphabet" for "google"
    url: str | None = None
    source: str = ""  # where the facts come from: a catalog source id or a link
    # Other names people use for it: legal name, former names, names of
    # companies folded into it ("Meta Platforms, Inc.", "Facebook").
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    company_id: str
    category: str  # one of CATEGORIES
    domains: tuple[str, ...]  # "www.google.com/recaptcha/": only requests under that path
    source: str = ""


@dataclass(frozen=True, slots=True)
class HostMatch:
    """A host (and for path-scoped services, a request path) resolved to the
    service, and so the company, behind it."""

    host: str
    domain: str  # the catalog domain that matched (longest suffix)
    service: Service
    company: Company
    path: str | None = None  # the service's path the request was under, for path-scoped services

    @property
    def matched(self) -> str:
        """What matched, as a reader would check it: ``www.google.com/recaptcha/``."""
        return self.domain + (self.path or "")


@dataclass(frozen=True, slots=True)
class CatalogSource:
    """A data set the catalog was built from, for `rules list` and NOTICE."""

    id: str
    name: str
    license: str
    version: str  # commit, date or semantic version
    url: str
    companies: int
    services: int
    domains: int
