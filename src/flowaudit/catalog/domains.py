"""Host names as the catalog compares them, and who registered them.

Captures spell hosts in many ways (``API.Mixpanel.com.``, ``[::1]``), so
everything is compared in one normal form. The registrable domain (the
public suffix plus one label, from the Public Suffix List bundled with
``publicsuffixlist``) is what a party actually registers: the engine groups
unknown hosts by it, and the catalog uses it to keep one customer's host
under a shared suffix (``d123.cloudfront.net``) from being credited to the
suffix's operator.
"""

from __future__ import annotations

import ipaddress
from functools import cache, lru_cache

from publicsuffixlist import PublicSuffixList

# Enough for every distinct host of a very large capture; bounded so a
# hostile input with millions of random names cannot grow memory forever.
_CACHE_SIZE = 1 << 16


def normalize_host(host: str) -> str:
    """Lower-case, without a trailing dot or IPv6 brackets."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def ip_literal(host: str) -> str | None:
    """The canonical text of ``host`` when it is an IP address, else None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


@cache
def _psl() -> PublicSuffixList:
    # Parsing the bundled list takes ~50 ms: only pay it when first needed.
    return PublicSuffixList()


@lru_cache(maxsize=_CACHE_SIZE)
def registrable_domain(host: str) -> str:
    """The domain a party registered: ``o1.ingest.us.sentry.io`` -> ``sentry.io``.

    ``foo.co.uk`` stays ``foo.co.uk`` and ``a.b.github.io`` gives
    ``b.github.io`` (``github.io`` is a public suffix: each name under it
    belongs to a different owner). An IP address is returned as itself; a
    host that is itself a public suffix, or a single label such as
    ``localhost``, is returned unchanged.
    """
    host = normalize_host(host)
    literal = ip_literal(host)
    if literal is not None:
        return literal
    if not host:
        return host
    return _psl().privatesuffix(host) or host
