"""The site's own domain, inferred from the capture when nobody declared it.

Without a declaration (or one without ``first_party``), the shop a browser
visited would be listed as an unknown third party of itself, "receiving"
the very health data it asked its visitor for. The capture says which site
it is:

* the pages a HAR says were loaded (``log.pages[].title``, a URL as
  browsers write it);
* top-level documents: ``GET`` requests with ``Sec-Fetch-Dest: document``
  (or, from clients that send no fetch metadata, ``Accept: text/html``),
  counted only when other requests name that site as their page
  (``Origin`` or ``Referer``): an ad network's HTML fetched by an app is no
  page the user was on;
* failing both, the one site that most requests name as their page, when
  it is more than half of them.

Only destinations that the catalog does not know are re-labelled: a known
company stays a third party even on its own pages. The result says the
first party was inferred, so a reader can weigh it.

A site also serves itself from its brand's other domains: images from
``aftonbladet-cdn.se``, sign-in from ``mytoys-group.de``, assets from
``mytoys.com`` (:func:`same_brand`). Those, when the catalog does not know
them either, are the same first party, listed as inferred by their own names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from flowaudit.catalog import registrable_domain
from flowaudit.model import Observation
from flowaudit.urls import split_url

# Distinct sites remembered per kind of hint: bounds memory on hostile captures.
MAX_SITES = 200


class FirstPartyHints:
    """Counts, request by request, which sites the capture's pages were."""

    def __init__(self) -> None:
        self._documents: Counter[str] = Counter()
        self._pages: Counter[str] = Counter()  # sites named by Origin/Referer

    def observe(self, obs: Observation) -> None:
        if obs.kind != "http":
            return
        dest = accept = page = ""
        for name, value in obs.request_headers:
            lower = name.lower()
            if lower == "sec-fetch-dest":
                dest = value.strip().lower()
            elif lower == "accept":
                accept = value.strip().lower()
            elif lower in ("origin", "referer") and not page:
                page = value
        if obs.method == "GET" and (dest == "document" or (not dest and accept.startswith("text/html"))):
            _count(self._documents, registrable_domain(obs.host))
        site = _site(page)
        if site:
            _count(self._pages, site)

    def domains(self, page_hosts: Iterable[str]) -> tuple[str, ...]:
        """The inferred first-party sites (registrable domains), in the order found."""
        named = tuple(dict.fromkeys(registrable_domain(h) for h in page_hosts))
        if named:  # the capture says which pages were loaded: nothing else is needed
            return named
        # Documents that requests name as their page. An ad network's iframe is a
        # document too, named by its own few subresources; the site's pages are
        # named by most of the capture, so only documents named at least half as
        # often as the most-named one count.
        named_documents = {d: self._pages[d] for d in self._documents if self._pages[d]}
        if named_documents:
            top = max(named_documents.values())
            return tuple(d for d, n in named_documents.items() if 2 * n >= top)
        if self._pages:
            site, n = self._pages.most_common(1)[0]
            if 2 * n > sum(self._pages.values()):
                return (site,)
        return ()


def _count(counter: Counter[str], key: str) -> None:
    if key in counter or len(counter) < MAX_SITES:
        counter[key] += 1


@lru_cache(maxsize=1024)
def _site(url: str) -> str:
    """The registrable domain of a page URL (an Origin or Referer: the same few in request after
    request, so the last ones are kept; a function of the URL alone)."""
    host = split_url(url).host
    return registrable_domain(host) if host else ""


# A site's name shorter than this ("bbc", "ing") is too often the start of someone else's.
_MIN_BRAND = 4


def same_brand(domain: str, site: str) -> bool:
    """Whether the registrable ``domain`` carries the name of the site ``site``: the same
    name under another suffix (``mytoys.com`` for ``mytoys.de``) or the name and a hyphen
    before another word (``aftonbladet-cdn.se``, ``mytoys-group.de``). The hyphen keeps
    ``mytoysshop.com`` and ``aftonbladetfan.se`` out: a longer name is another site's."""
    brand = site.split(".", 1)[0]
    name = domain.split(".", 1)[0]
    if len(brand) < _MIN_BRAND or domain == site:
        return False
    return name == brand or name.startswith(brand + "-")
