"""Which hosts ``--sinkhole third-party`` answers locally instead of forwarding.

The point of this sinkhole is not feeding trackers while still letting the
app work: a host is sinkholed when the audit would count it as a third
party (a catalog company, or a recipient the declaration pins by domain),
except the infrastructure an app needs to show its own content (CDNs,
hosting, essential services), the bot checks its forms need (security:
a CAPTCHA that never loads blocks sign-in) and the operating system's own
traffic (platform). The app's first-party domains and hosts the catalog does not
know are forwarded: they may be the app's own backend. ``--sinkhole all``
forwards nothing.

The decision is the engine's own (:class:`DestinationResolver`), so what is
sinkholed is exactly what the audit calls a third party.
"""

from __future__ import annotations

from collections.abc import Callable

from flowaudit.catalog import load_catalog
from flowaudit.declaration import load_declaration
from flowaudit.engine.destinations import DestinationResolver

# Third-party categories that are forwarded all the same: without them the app breaks.
SPARED_CATEGORIES = frozenset({"cdn", "hosting", "essential", "security", "platform"})


def third_party_matcher(declared: str | None) -> Callable[[str], bool]:
    """A predicate on host names (lower-case): True for hosts to answer locally.

    Raises :class:`~flowaudit.errors.FlowauditError` for a bad declaration.
    """
    catalog = load_catalog()
    declaration = load_declaration(declared, catalog) if declared else None
    resolver = DestinationResolver(catalog, declaration)

    def sinkholed(host: str) -> bool:
        destination = resolver.resolve(host)
        return destination.party == "third" and destination.category not in SPARED_CATEGORIES

    return sinkholed
