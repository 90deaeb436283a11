"""Which event names say what the user did, and which are a tag reporting on itself.

Under a key that can only hold an event name (``event``, ``event_name``,
``ev``, ``en``) any name is the tracker's record of an event, except the
tag's or SDK's own machinery: Meta's pixel sends ``ev=PixelInitialized``
when its script starts and Pinterest's tag ``event=init`` when it loads,
before the visitor has done anything; PayPal's SDK logs ``setup_production``
and ``CPL_LATENCY_METRICS_FIRST_RENDER``; a video player
``playerEmbedReportsApi``. Those name no interaction of the user.

Under a key that holds an event name only among other things (``e``,
``evt``, ``t``, ``action``, ``type``) the value counts only when it is a
user interaction by a documented vocabulary: the standard events of the
ad and analytics platforms, and the page-view codes of common tracker
protocols. ``type=image`` or ``action=get_candidate`` stay unreported.

Sources of the vocabulary:
- Meta Pixel standard events (PageView, ViewContent, Search, AddToCart, Lead, Purchase, ...):
  https://developers.facebook.com/docs/meta-pixel/reference#standard-events
- GA4 recommended events (page_view, view_item, add_to_cart, begin_checkout, sign_up, login, search, ...):
  https://developers.google.com/analytics/devguides/collection/ga4/reference/events
- Snowplow tracker protocol ``e=pv`` (page view), ``pp`` (page ping), ``se`` (structured event):
  https://docs.snowplow.io/docs/sources/trackers/snowplow-tracker-protocol/
- Quantcast's event labels ``_fp.event.<name>``:
  https://help.quantcast.com/hc/en-us/articles/360051716134
"""

from __future__ import annotations

from functools import lru_cache

from flowaudit.payload.detectors.keys import fold, words

# Words of an event name that make it the tag's or SDK's own machinery, not the user's doing.
_MACHINERY_WORDS = frozenset(
    {
        "init",
        "initialize",
        "initialized",
        "initialization",
        "sdk",
        "setup",
        "config",
        "configure",
        "configured",
        "heartbeat",
        "latency",
        "metrics",
        "cache",
        "embed",
        "api",
        "debug",
        "ready",
    }
)

# Whole event names (folded) that are a user interaction.
_INTERACTIONS = frozenset(
    {
        "pageview",
        "pagevisit",
        "sitevisit",
        "pv",  # Snowplow's page view
        "pp",  # Snowplow's page ping: the page is still open and in use
        "view",
        "viewed",
        "visit",
        "pageload",
        "click",
        "clicked",
        "tap",
        "scroll",
        "lead",
        "search",
        "signup",
        "login",
        "register",
        "completeregistration",
        "subscribe",
        "contact",
        "submit",
        "submitapplication",
        "schedule",
        "findlocation",
        "donate",
        "share",
        "download",
        "conversion",
        "viewcontent",
        "viewitem",
        "viewitemlist",
        "viewproduct",
        "viewcart",
        "addtocart",
        "addtowishlist",
        "addpaymentinfo",
        "addshippinginfo",
        "initiatecheckout",
        "begincheckout",
        "checkout",
        "purchase",
        "customizeproduct",
        "starttrial",
    }
)

# First words of a compound event name that make it an interaction (VISIT_URL, view_item_list, click_button).
_INTERACTION_VERBS = frozenset({"view", "visit", "click", "search", "scroll", "tap", "submit"})

_EVENT_MARK = "event"  # Quantcast's labels: "_fp.event.Homepage"
_MAX_NAME = 100


def _last_segment(value: str) -> str:
    """``Ascend/VISIT_URL`` -> ``VISIT_URL``, ``_fp.event.Homepage`` -> ``Homepage``."""
    for separator in ("/", ".", ":"):
        value = value.rpartition(separator)[2]
    return value


@lru_cache(maxsize=1 << 10)
def is_machinery(name: str) -> bool:
    """Whether an event name is the tag or SDK reporting on itself (``PixelInitialized``, ``init``)."""
    return any(word in _MACHINERY_WORDS for word in words(name))


@lru_cache(maxsize=1 << 10)
def interaction(value: str) -> str | None:
    """The user interaction a value under a generic key (``e``, ``type``, ``action``) names, or None."""
    if not value or len(value) > _MAX_NAME or " " in value.strip() and _EVENT_MARK not in value:
        return None
    if is_machinery(value):
        return None
    pieces = [p for p in value.replace("/", ".").split(".") if p]
    if len(pieces) >= 2 and _EVENT_MARK in (fold(p) for p in pieces[:-1]):
        return pieces[-1]  # "_fp.event.Homepage": a labelled event of any name
    last = _last_segment(value)
    if fold(value) in _INTERACTIONS or fold(last) in _INTERACTIONS:
        return value
    parts = words(last)
    if parts and parts[0] in _INTERACTION_VERBS and len(parts) <= 4:
        return value
    return None
