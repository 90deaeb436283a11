"""When an amount is a purchase: only inside a completed purchase.

Detectors and adapters recognise money fields by name (``revenue``,
``price``, Facebook's ``_valueToSum``, a ``value`` beside a currency). The
name says "a number to add up", not "the user bought something":

- Facebook sums the session length in the ``_valueToSum`` of its own
  ``fb_mobile_deactivate_app`` event, and a product view sends the price of
  the product shown;
- a search page lists catalogue prices (schema.org ``offers`` in JSON-LD).

So an amount counts as a purchase only where the event it belongs to is a
completed purchase: Google Play's "purchase history" is "information about
purchases or transactions a user has made"
(https://support.google.com/googleplay/android-developer/answer/10787469).
Meta's app events reference lists the events that carry a value
(https://developers.facebook.com/docs/app-events/reference): of those,
Purchase, Spent Credits and Subscribe are transactions; Add to Cart, Add to
Wishlist, Initiated Checkout and Add Payment Info carry a price or a cart
total before any order, as do GA4's ``add_to_cart`` and ``begin_checkout``
(https://developers.google.com/analytics/devguides/collection/ga4/reference/events)
and Segment's "Checkout Started"
(https://segment.com/docs/connections/spec/ecommerce/v2/). Events are
recognised by their words (``fb_mobile_purchase``, ``in_app_purchase``,
``Order Completed``), not by a list of spellings.

:func:`purchases_in_context` applies this to what adapters and generic
detectors found, after both ran:

- an amount under a schema.org offer is a catalogue price: dropped;
- an amount whose nearest event is not a completed purchase: dropped;
- an amount in a request without any event name: a generic hit becomes
  ``possible`` (nothing says what it sums); an adapter's is kept, because the
  vendor documents that field as a purchase amount (Adjust's ``revenue``).

The same holds for the id of an order (``orderId`` is also a feed's sort
order, next to an ``offset``); a purchase event's own name is a purchase
whatever surrounds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flowaudit.payload.detectors.families import Family, family_of
from flowaudit.payload.detectors.keys import fold, key_path, object_location
from flowaudit.payload.detectors.terms import tokenize
from flowaudit.payload.model import DecodedRequest, Detection, Leaf

PURCHASE = "financial.purchase"
_GENERIC = "generic:"
# Words of an event name that make it a completed purchase (see the sources above).
_PURCHASE_WORDS = frozenset(
    {"purchase", "purchased", "purchases", "transaction", "refund", "refunded", "revenue", "subscribe", "subscribed"}
)
_PURCHASE_PHRASES = frozenset(
    {
        ("order", "completed"),
        ("order", "placed"),
        ("place", "order"),
        ("checkout", "completed"),
        ("completed", "checkout"),
        ("payment", "completed"),
        ("payment", "succeeded"),
        ("spent", "credits"),
    }
)
# Keys that name an event: the event-name family, less screen names; GA Universal's
# product action (pa=purchase, https://developers.google.com/analytics/devguides/collection/protocol/v1/parameters#pa).
_SCREEN_KEYS = frozenset({"screenname", "screenclass"})
_PRODUCT_ACTION = "pa"
# Lists whose items name their event in a bare "name" (GA4 Measurement Protocol: events[].name).
_EVENT_LISTS = frozenset({"events", "event"})
# schema.org Offer and its parts: prices a page lists (https://schema.org/Offer).
_CATALOGUE = frozenset(
    {"offers", "offer", "aggregateoffer", "pricespecification", "itemoffered", "highprice", "lowprice"}
)


@lru_cache(maxsize=1 << 10)
def is_purchase_event(name: str) -> bool:
    """Whether an event name is a completed purchase (not a product view, a cart or a started checkout)."""
    words = tokenize(name)
    if _PURCHASE_WORDS.intersection(words):
        return True
    return not _PURCHASE_PHRASES.isdisjoint(zip(words, words[1:], strict=False))


def _is_event_key(leaf: Leaf) -> bool:
    if not leaf.key:
        return False
    folded = fold(leaf.key)
    if folded == _PRODUCT_ACTION or (family_of(leaf.key) is Family.EVENT and folded not in _SCREEN_KEYS):
        return True
    path = key_path(leaf.location)
    return folded == "name" and len(path) >= 2 and fold(path[-2]) in _EVENT_LISTS


def _in_catalogue(leaf: Leaf) -> bool:
    return any(fold(name) in _CATALOGUE for name in key_path(leaf.location))


class _Events:
    """The event names of a request, by the object that holds them."""

    def __init__(self, leaves: Iterable[Leaf]) -> None:
        self._by_object: dict[str, list[str]] = {}
        for leaf in leaves:
            if _is_event_key(leaf) and leaf.value.strip():
                where = object_location(leaf.location, leaf.key)
                self._by_object.setdefault(where, []).append(leaf.value.strip())

    def governing(self, leaf: Leaf) -> list[str]:
        """The event names nearest above a value: in its object or the closest enclosing one;
        else those at the top of any part (Meta's pixel names the event in the query, the
        amounts in the body)."""
        where = object_location(leaf.location, leaf.key)
        best = ""
        for holder in self._by_object:
            if where.startswith(holder) and len(holder) > len(best):
                best = holder
        if best:
            return self._by_object[best]
        return [name for holder, names in self._by_object.items() if holder.endswith(":") for name in names]


def purchases_in_context(decoded: DecodedRequest, detections: list[Detection]) -> list[Detection]:
    """``detections`` with each purchase field kept only in a completed purchase; a purchase
    event's own name stays a purchase."""
    if not any(d.data_type == PURCHASE for d in detections):
        return detections
    leaves = {leaf.location: leaf for leaf in decoded.leaves}
    events = _Events(decoded.leaves)
    kept: list[Detection] = []
    for detection in detections:
        leaf = leaves.get(detection.location)
        if detection.data_type != PURCHASE or leaf is None or _is_event_key(leaf):
            kept.append(detection)
            continue
        if _in_catalogue(leaf):
            continue  # a price a page lists, not a transaction
        names = events.governing(leaf)
        purchase_events = [name for name in names if is_purchase_event(name)]
        if purchase_events:
            kept.append(detection._replace(how=f"{detection.how}, in a '{purchase_events[0]}' event"))
        elif not names and detection.detector.startswith(_GENERIC):
            how = f"{detection.how}; no event says what it is"
            kept.append(detection._replace(confidence="possible", how=how))
        elif not names:
            kept.append(detection)
    return kept
