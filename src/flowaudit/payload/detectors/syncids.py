"""Browser ids in the address of a request to an ad-tech or analytics company.

Cookie syncs and tracking pixels hand a company's pseudonymous id of the
browser to another company in the URL: ``match.adsrvr.org/…?ttd_tdid=<id>``,
``pixel.tapad.com/idsync?partner_device_id=<id>``, ``idsync.rlcdn.com/…?partner_uid=<id>``,
``sync.1rx.io/usersync/<partner>/<id>``. Every vendor names its parameter
differently, so no list of names can be complete; what they share is the
shape of the pair. Sent to a recipient whose business is advertising or
analytics (the caller decides that from the catalog: see
:class:`~flowaudit.engine.analysis.PayloadAnalyzer`), a value shaped like a
generated id (:func:`~flowaudit.payload.detectors.cookies.looks_like_browser_id`, or random bytes
in base64url: :func:`~flowaudit.payload.detectors.formats.looks_like_random_token`)

- under a query, path or matrix parameter whose name announces an id
  (:func:`~flowaudit.payload.detectors.cookies.names_an_id`: ``uid``, ``puid``,
  ``tdid``, ``…_uuid``, ``partner_uid``) or a cookie (``dspCookie``,
  ``piggybackCookie``: a cookie's value handed on), or
- as a path segment of a URL whose path says it syncs ids (``/usersync/``,
  ``/csync/``, ``/idsync``, ``/setuid``, ``/match``)

is reported as a device id, ``likely``: Google Play counts such ids as
device ids ("relate to an individual device, browser or app",
https://support.google.com/googleplay/android-developer/answer/10787469).

Not browser ids, and never reported here: the ids of the site's or the
partner's own setup, which are the same for every visitor (``pid``,
``partner_id``, ``dpid``, ``site_id``, ``campaign_id``, ``pixel_id``,
``advertiser_id``, ...), the ids of one request, event or session, cache
busters and timestamps, unfilled template macros and digests of placeholders.
Names the key-name families already give a meaning (``client_id``,
``adid``, ``cid``) are left to the generic detectors, and fields a vendor
adapter documents to the adapter (the caller drops those places).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from flowaudit.payload.detectors.cookies import looks_like_browser_id, names_an_id
from flowaudit.payload.detectors.evidence import hit, mask
from flowaudit.payload.detectors.families import Family, family_of
from flowaudit.payload.detectors.formats import (
    is_epoch_millis,
    is_null_id,
    is_placeholder_digest,
    is_template,
    looks_like_random_token,
)
from flowaudit.payload.detectors.keys import fold, under_credential, words
from flowaudit.payload.model import DecodedRequest, Detection, Leaf
from flowaudit.redact import is_secret_name

DETECTOR = "generic:sync_id"
_PARTS = frozenset({"query", "url"})
# Families whose ids these rules may add to; any other family has its own rule in the generic detectors.
_ID_FAMILIES = frozenset({None, Family.DEVICE_ID, Family.USER_OR_BROWSER_ID})
# Words naming whose id it is: the user's, the browser's, the device's.
_SUBJECT_WORDS = frozenset(
    {"user", "usr", "uid", "uuid", "guid", "visitor", "browser", "device", "cookie", "member", "person", "profile"}
)
# Words naming the site's, the partner's or one request's ids: the same for every visitor, or new on every request.
_SETUP_WORDS = frozenset(
    {
        *("site", "website", "domain", "host", "account", "acct", "org", "company", "brand", "store", "shop"),
        *("partner", "publisher", "pub", "advertiser", "adv", "merchant", "client", "network", "dsp", "ssp"),
        *("campaign", "cmp", "creative", "crid", "ad", "ads", "adunit", "unit", "slot", "placement", "zone"),
        *("line", "lineitem", "deal", "auction", "bid", "impression", "imp", "click", "clk", "conversion"),
        *("pixel", "tag", "container", "property", "app", "widget", "script", "config", "tracking", "measurement"),
        *("event", "evt", "transaction", "txn", "order", "request", "req", "session", "sess", "page", "pageview"),
        *("view", "frame", "window", "tab", "batch", "message", "msg", "trace", "span", "correlation", "nonce"),
        *("product", "item", "sku", "offer", "category", "segment", "seg", "content", "video", "media", "template"),
        *("experiment", "variant", "test", "version", "build", "source", "src", "channel", "cache", "hash"),
        *("sdk", "track", "integration", "extractor", "rule", "form", "list", "feed", "sign", "signature"),
        *("pid", "dpid", "nid", "tid", "sid", "cid", "aid", "rid", "eid", "oid", "iid", "lid", "kid"),
        # abbreviations of one page load's or request's id: pv_id, pl_id, New Relic's ptid (page trace), ev_id, tx_id
        *("pv", "pl", "pt", "ev", "tx", "rq"),
    }
)
# "Third-party id": the partner's id of the browser that a sync hands over (Sovrn's merge?3pid=<id>).
_THIRD_PARTY_IDS = frozenset({"3pid", "3puid", "tpid", "tpuid", "thirdpartyid", "thirdpartyuid"})
# Path words that say the request syncs or matches ids between companies.
_SYNC_WORDS = frozenset(
    {"usersync", "sync", "csync", "cksync", "cookiesync", "idsync", "setuid", "getuid", "match", "usermatch", "map"}
)
_HOST_SPLIT = re.compile(r"[.-]")
# A random 64-bit id prints as 18 to 20 digits; a site's, pixel's or partner's number (Meta's
# 15-16 digit pixel ids, a database's sequence) is shorter.
_RANDOM_NUMBER_DIGITS = 18


def detect_sync_ids(decoded: DecodedRequest, host: str, skip: Collection[str] = ()) -> list[Detection]:
    """A device id for each generated id a tracker's address carries under an id's name or in a sync path."""
    found: list[Detection] = []
    synced = False  # a path word before this segment said the URL syncs ids
    sync_host = any(label in _SYNC_WORDS for label in _HOST_SPLIT.split(host.lower()))
    for leaf in decoded.leaves:
        if leaf.part not in _PARTS or leaf.location in skip or under_credential(leaf.location):
            continue
        value = leaf.value.strip()
        if leaf.part == "url" and leaf.key is None:
            if synced and _is_id(value):
                how = "a generated id in the path of a URL that syncs browser ids with a partner"
                found.append(_device_id(leaf, value, how))
            synced = synced or fold(value) in _SYNC_WORDS
            continue
        name = leaf.key or ""
        if _names_browser_id(name, synced or sync_host) and _is_id(value) and _random_enough(name, value):
            how = f"parameter {name!r}: a generated id under an id's name, sent to a tracker (a browser id)"
            found.append(_device_id(leaf, value, how))
    return found


def _names_browser_id(name: str, sync: bool) -> bool:
    """``ttd_tdid``, ``partner_uid``, ``bidder_uuid``, ``dspCookie``: not ``pid``, ``site_id``, ``client_id``.

    The last word must be the id (``visitor_id_sign`` is a signature). Click
    ids (``…clid``) are the ad's, not the browser's. A name ending in ``pid``
    (a partner's, pixel's or publisher's id: Krux ``_kpid``, ``ttd_pid``) is
    a browser id only where the URL says it syncs ids, or where it says it is
    a third party's id (``3pid``, ``tpid``).
    """
    if not name or is_secret_name(name) or family_of(name) not in _ID_FAMILIES:
        return False
    split = words(name)
    if not split or not (split[-1].endswith(("id", "ids")) or split[-1] == "cookie"):
        return False
    parts = set(split) - {"id", "ids"}
    folded = fold(name)
    if parts & _SUBJECT_WORDS or folded in _THIRD_PARTY_IDS:
        return True
    stems = {folded, folded.removesuffix("s"), folded.removesuffix("s").removesuffix("id")}  # pageids -> page
    if stems & _SETUP_WORDS or parts & _SETUP_WORDS or folded.endswith(("clid", "clkid")):
        return False
    return names_an_id(name) and (sync or not folded.endswith("pid"))


def _random_enough(name: str, value: str) -> bool:
    """A number is a browser id only if it is as long as a random one, unless the name says whose id it is."""
    return not value.isdigit() or len(value) >= _RANDOM_NUMBER_DIGITS or bool(set(words(name)) & _SUBJECT_WORDS)


def _is_id(value: str) -> bool:
    """A generated id: not a time, a macro nobody filled in or the digest of a placeholder."""
    return (
        (looks_like_browser_id(value) or looks_like_random_token(value))
        and not is_epoch_millis(value)
        and not is_template(value)
        and not is_null_id(value)
        and not is_placeholder_digest(value)
    )


def _device_id(leaf: Leaf, value: str, how: str) -> Detection:
    return hit(leaf, "identifiers.device_id", "likely", how, mask(value), DETECTOR, value=value)
