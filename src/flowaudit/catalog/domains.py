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
from pathlib import Path

import publicsuffixlist
from publicsuffixlist import PublicSuffixList

from flowaudit import cache as kept

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
def _rules_by_tld() -> dict[str, list[str]]:
    """The bundled list's rules (:func:`psl_rules`), grouped by their last label.

    Reading the list as shipped takes ~50 ms, most of it making the punycode
    form of each rule (Python's IDNA codec, rule by rule); handing all ~10,000
    rules to the library's parser still took ~25 ms of a small audit. The
    grouped rules are kept in flowaudit's cache, by the list's bytes, the
    library's version and this code, and each top-level domain's rules are
    parsed when a host under it is first seen (:func:`_psl`).
    """
    data = Path(publicsuffixlist.PSLFILE).read_bytes()
    entry = kept.key(data, publicsuffixlist.__version__, Path(__file__).read_bytes())
    return kept.cached("psl-tld", entry, lambda: rules_by_tld(psl_rules(data)))


def rules_by_tld(rules: list[str]) -> dict[str, list[str]]:
    """``rules`` grouped by their last label (``!www.ck`` and ``*.ck`` under ``ck``), in order."""
    groups: dict[str, list[str]] = {}
    for rule in rules:
        groups.setdefault(rule.rpartition(".")[2], []).append(rule)
    return groups


def _psl(tld: str) -> PublicSuffixList:
    """The library's parser of the rules under ``tld``: every rule that can match a host
    ends in the host's last label, so its answers are those of the whole list. A
    top-level domain the list does not know shares the parser of no rules."""
    return _parsed(tld if tld in _rules_by_tld() else "")


@cache  # one per top-level domain of the list (~1,600 at most)
def _parsed(tld: str) -> PublicSuffixList:
    return PublicSuffixList(_rules_by_tld().get(tld, ()), accept_encoded_idn=False)


def psl_rules(data: bytes) -> list[str]:
    """The rules of a Public Suffix List file, each also in punycode where that differs.

    The format (https://publicsuffix.org/list/): one rule per line, up to the
    first space; ``//`` starts a comment; ``!`` marks an exception. A rule of
    internationalised labels matches a host in either form, so both are listed.
    """
    rules: list[str] = []
    for line in data.decode("utf-8").splitlines():
        rule = line.lower().split(" ")[0].rstrip()
        if not rule or rule.startswith("//"):
            continue
        rules.append(rule)
        if not rule.isascii():
            exception = "!" if rule.startswith("!") else ""
            rules.append(exception + rule.removeprefix("!").encode("idna").decode("ascii"))
    return rules


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
    return _psl(host.rpartition(".")[2]).privatesuffix(host) or host
