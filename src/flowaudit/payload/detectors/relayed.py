"""Values in a request's address or cookies that may be an id handed on from elsewhere.

A cookie sync passes one company's id of the browser to another under
whatever name the receiver chose: Rubicon's ``tap.php?put=<id>``, OpenX's
``/w/1.0/sd?val=<id>``, Tremor's ``sync?UISF=<id>``, AppNexus'
``action=setuid('<id>')``, Bidswitch's ``info=IPON:<id>``. No list of names
can be complete, and a bare name like ``val`` says nothing; what proves the
value is an id is the capture itself: the same value was recognised as an
id in a request to another company (``partner_uid=<id>``), or the browser
holds it in a cookie of another site (Chartbeat's ``u`` is the value of
the site's own ``_chartbeat2`` cookie).

This module only proposes: each id-shaped token of a query, path or
cookie value becomes a ``possible`` detection (never counted as received on
its own). The audit keeps them per recipient and, once the whole capture is
read, turns those whose exact value it saw as an id elsewhere into the
anchor's data type (:mod:`flowaudit.engine.relayed`). Tokens are taken out of
wrappers (``setuid('…')``, ``IPON:…``, ``uid:…``, ``<id>|<time>``) because
syncs wrap ids in the receiver's syntax.

Not proposed: short tokens (fewer than 8 characters: a word, a size, a
flag), tokens without a digit (words and names), times, unfilled macros,
digests of placeholders, null ids, values under a credential. Exact equality
with an id seen elsewhere is the guard: a token that is no id matches no
id.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from flowaudit.payload.detectors.evidence import hit, mask
from flowaudit.payload.detectors.formats import (
    is_epoch_millis,
    is_null_id,
    is_placeholder_digest,
    is_template,
    is_url,
)
from flowaudit.payload.detectors.keys import under_credential
from flowaudit.payload.model import DecodedRequest, Detection

DETECTOR = "generic:relayed_id"
_PARTS = frozenset({"query", "url", "cookie"})
# Characters that wrap an id in a sync's own syntax: setuid('…'), IPON:…, <id>|<time>, a,b lists.
_WRAPPERS = re.compile(r"[\s'\"()\[\]{}|:,;!*<>=&?#]+")
_SIZE = re.compile(r"\d+(?:x\d+)+")  # 1920x1200x24: a screen, not an id
_MIN_TOKEN = 8
_MAX_TOKEN = 200
_MAX_TOKENS = 64  # per request: bounds the memory a request full of tokens can take


def relay_candidates(decoded: DecodedRequest, skip: Collection[str] = ()) -> list[Detection]:
    """A ``possible`` device id for each id-shaped token in the address or cookies, its value kept."""
    found: list[Detection] = []
    seen: set[str] = set()
    for leaf in decoded.leaves:
        # a value shorter than a token holds none (most: flags, sizes, short words)
        if len(leaf.value) < _MIN_TOKEN or leaf.part not in _PARTS or leaf.location in skip:
            continue
        if under_credential(leaf.location):
            continue
        if is_url(leaf.value.strip()):
            continue  # a URL handed on (next=, redirect=): its own ids are its receiver's business
        for token in _WRAPPERS.split(leaf.value):
            if token in seen or not _id_shaped(token):
                continue
            seen.add(token)
            how = "a generated value, the same as an id sent elsewhere in the capture (an id handed on)"
            found.append(hit(leaf, "identifiers.device_id", "possible", how, mask(token), DETECTOR, value=token))
            if len(found) >= _MAX_TOKENS:
                return found
    return found


def _id_shaped(token: str) -> bool:
    return _MIN_TOKEN <= len(token) <= _MAX_TOKEN and _id_shaped_sized(token)


@lru_cache(maxsize=1 << 10)
def _id_shaped_sized(token: str) -> bool:
    """:func:`_id_shaped` of a token of an id's size, cached: a browser's ids come back in
    request after request (cookies, sync calls). Fresh ids (one per event) keep coming too, so
    the bound is kept small: reached early in a capture, memory then stays flat."""
    return (
        any(c.isdigit() for c in token)
        and len(set(token)) >= 5
        and not token.startswith(("http", "/"))
        and not _SIZE.fullmatch(token)
        and not is_epoch_millis(token)
        and not is_template(token)
        and not is_null_id(token)
        and not is_placeholder_digest(token)
    )
