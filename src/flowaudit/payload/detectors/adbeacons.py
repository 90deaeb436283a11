"""Ad-serving beacons: the request that tells an ad server an ad was shown or won.

An ad view, impression or win notice is advertising data by what it is, not by
one field: Google's ``pagead2…/pcs/activeview`` and ``…/pagead/adview``,
Admixer's ``ev_view.aspx``, a ``/win`` notice. Such a request is named by its
endpoint, or carries the price paid for the ad (``price=0.11`` on an
``/ad/<id>/`` path; ``priceBid``, ``pricePaid``: see the ADVERTISING family).

Inside an ad beacon, opaque keys (``kv4``, ``kv16``/``kv17``) still carry the
viewer's data, because the ad server reports whom the ad reached. Only there,
and only with a shape that leaves no doubt, are they read:

* a routable IPv4 address under any key is the viewer's IP address (an
  address with its last octet zeroed still places the viewer);
* two numbered keys of one object (``kv16``, ``kv17``: one prefix, consecutive
  numbers) holding a latitude then a longitude, each with at least
  ``_PAIR_DECIMALS`` decimals, are the viewer's position.

Outside an ad beacon a dotted quad may be a version and two decimals may be
anything, so nothing is read there.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from flowaudit.payload.detectors import formats
from flowaudit.payload.detectors.evidence import hit, mask_ip, quote
from flowaudit.payload.detectors.keys import fold, object_location
from flowaudit.payload.detectors.leafrules import DETECTOR, LIKELY
from flowaudit.payload.model import Detection, Leaf

# URL path segments (extension dropped, folded) that name an ad view, impression or win notice:
# Google Active View (https://support.google.com/admanager/answer/4524488) posts /pcs/activeview
# and /activeview, AdSense's view ping is /pagead/adview, Admixer's ad view is ev_view.aspx.
AD_VIEW_ENDPOINTS = frozenset({"activeview", "adview", "evview", "adimpression", "impression", "winnotice"})
# Endpoints named by their last two segments: Google Ad Manager counts a downloaded impression
# with securepubads.g.doubleclick.net/pcs/view?xai=… ("view" alone names too much)
# (https://adtechmadness.wordpress.com/2019/10/19/how-google-ad-manager-counts-impressions/).
_AD_VIEW_PATHS = frozenset({("pcs", "view")})
# Path segments that say the request is about one ad (LiquidM's /ad/2064250/t.gif?price=…).
_AD_SEGMENTS = frozenset({"ad", "ads", "creative", "creatives"})
# Keys of the price of an ad, read only on a path naming an ad or an ad view.
_PRICE_KEYS = frozenset({"price", "bidprice", "winprice", "cost"})
# Keys of an auction's price, which only an ad served reports (the ADVERTISING family holds them
# too, for the advertising row). A click id or UTM tag does not make a beacon: it is a page view.
AUCTION_PRICE_KEYS = frozenset({"pricebid", "pricepaid", "winprice", "winningprice", "clearingprice"})
_NUMBERED = re.compile(r"([A-Za-z_]+)(\d{1,3})")
_PAIR_DECIMALS = 4


# Extensions a beacon endpoint may have (a script or a page; a tracking pixel's image).
_BEACON_EXTENSIONS = frozenset({"aspx", "asp", "php", "jsp", "cgi", "gif", "png"})


def _segment(value: str) -> str:
    """``ev_view.aspx`` -> ``evview``."""
    return fold(value.rsplit(".", 1)[0])


class AdFacts(NamedTuple):
    """What a query or body field may tell an ad beacon: worked out from the field alone."""

    auction: bool  # an auction's price
    price: bool  # an ad's price (counts on an ad's path)
    ipv4: bool  # an IPv4 address, not under a version key
    numbered: tuple[str, str, str, int] | None  # (part, object, prefix, number) of a numbered key (kv16)


class AdPlace(NamedTuple):
    """What :func:`ad_facts` reads in a field's place, whatever its value: worked out once per place."""

    auction_key: bool  # the key names an auction's price
    price_key: bool  # the key names an ad's price
    version_key: bool  # the key names a version: a dotted quad there is no address
    numbered: tuple[str, str, str, int] | None  # (part, object, prefix, number) of a numbered key (kv16)


_NO_AD_PLACE = AdPlace(False, False, False, None)


def ad_place(leaf: Leaf, name: str) -> AdPlace:
    """The part of :func:`ad_facts` that depends on where a field is, not on its value.
    Most places are none of these: they share one :class:`AdPlace`, not one made per place."""
    folded = fold(name)
    auction_key = folded in AUCTION_PRICE_KEYS
    price_key = folded in _PRICE_KEYS
    version_key = "version" in folded
    # a numbered key ends in a digit (str.isdigit takes every character \d does)
    found = _NUMBERED.fullmatch(name) if name[-1:].isdigit() else None
    if found is None:
        if not (auction_key or price_key or version_key):
            return _NO_AD_PLACE
        return AdPlace(auction_key, price_key, version_key, None)
    numbered = (leaf.part, object_location(leaf.location, leaf.key), found.group(1).lower(), int(found.group(2)))
    return AdPlace(auction_key, price_key, version_key, numbered)


def ad_facts(place: AdPlace, value: str) -> AdFacts | None:
    """What :meth:`AdBeacon.add` needs of a field at a place (:func:`ad_place`), None when it tells nothing."""
    amount = (place.auction_key or place.price_key) and formats.is_amount(value)
    auction = amount and place.auction_key
    price = amount and place.price_key
    ipv4 = not place.version_key and value.count(".") == 3 and formats.ip_address(value) == "v4"  # a.b.c.d
    numbered = place.numbered
    if not (auction or price or ipv4 or numbered):
        return None
    return AdFacts(auction, price, ipv4, numbered)


class AdBeacon:
    """Collects what makes a request an ad beacon, then what such a beacon says of the viewer."""

    def __init__(self) -> None:
        self._last: tuple[Leaf, str] | None = None
        self._before_last: str = ""
        self._ad_path: bool = False
        self._price: tuple[Leaf, str] | None = None
        self._auction: bool = False
        self._ips: list[tuple[Leaf, str]] = []
        self._numbered: dict[tuple[str, str, str, int], tuple[Leaf, str]] = {}

    def path_segment(self, leaf: Leaf, value: str) -> None:
        """A URL path segment, in order: the last one names the endpoint (see :meth:`_view_endpoint`)."""
        if self._last is not None:
            self._before_last = self._last[1]
        self._last = (leaf, value)
        if _segment(value) in _AD_SEGMENTS:
            self._ad_path = True

    def _view_endpoint(self) -> tuple[Leaf, str] | None:
        """The last path segment when it names an ad view: ``/pcs/activeview``, ``ev_view.aspx``.

        Only the last one, and only without the extension of a static file: Google serves
        its viewability script from ``…/activeview/osd_listener_heavy.js``, which is no beacon.
        """
        if self._last is None:
            return None
        leaf, value = self._last
        stem, dot, extension = value.rpartition(".")
        if dot and extension.lower() not in _BEACON_EXTENSIONS:
            return None
        segment = fold(stem if dot else value)
        if segment in AD_VIEW_ENDPOINTS or (fold(self._before_last), segment) in _AD_VIEW_PATHS:
            return self._last
        return None

    def add(self, leaf: Leaf, name: str, said: AdFacts) -> None:
        """A query or body field (what :func:`ad_facts` read in it), kept for :meth:`detections`."""
        if said.auction:
            self._auction = True
        if said.price and self._price is None:
            self._price = (leaf, name)
        elif said.ipv4 and len(self._ips) < 4:
            self._ips.append((leaf, name))
        if said.numbered is not None and len(self._numbered) < 64:
            self._numbered.setdefault(said.numbered, (leaf, name))

    def is_ad_beacon(self) -> bool:
        """The request reports an ad shown: by its endpoint, its auction price, or a price on an ad's path."""
        return self._beacon(self._view_endpoint())

    def _beacon(self, endpoint: tuple[Leaf, str] | None) -> bool:
        """:meth:`is_ad_beacon`, given :meth:`_view_endpoint`."""
        return endpoint is not None or self._auction or (self._ad_path and self._price is not None)

    def detections(self) -> list[Detection]:
        endpoint = self._view_endpoint()
        if not self._beacon(endpoint):
            return []
        found: list[Detection] = []
        if endpoint is not None:
            leaf, segment = endpoint
            how = f"sent to an endpoint named '{segment}': an ad view, impression or win notice"
            found.append(hit(leaf, "usage.advertising", LIKELY, how, quote(segment), DETECTOR + "advertising"))
        if self._price is not None and (self._ad_path or endpoint is not None):
            leaf, name = self._price
            how = f"key '{name}' + an amount, on the path of an ad: the price of the ad shown"
            found.append(
                hit(leaf, "usage.advertising", LIKELY, how, quote(leaf.value.strip()), DETECTOR + "advertising")
            )
        for leaf, name in self._ips:
            value = leaf.value.strip()
            how = f"key '{name}' + IPv4 address in an ad beacon: the address the ad was served to"
            found.append(
                hit(leaf, "network.ip_address", LIKELY, how, mask_ip(value), DETECTOR + "ip_address", value=value)
            )
        found.extend(self._positions())
        return found

    def _positions(self) -> list[Detection]:
        """``kv16=52.4564&kv17=13.3425``: a latitude and a longitude under consecutive numbered keys."""
        found: list[Detection] = []
        for (part, where, prefix, number), (lat_leaf, lat_name) in self._numbered.items():
            following = self._numbered.get((part, where, prefix, number + 1))
            if following is None:
                continue
            lon_leaf, lon_name = following
            lat = formats.coordinate(lat_leaf.value.strip(), 90)
            lon = formats.coordinate(lon_leaf.value.strip(), 180)
            if lat is None or lon is None or (lat[0] == 0 and lon[0] == 0):
                continue
            decimals = min(lat[1], lon[1])
            if decimals < _PAIR_DECIMALS:
                continue
            how = f"keys '{lat_name}'/'{lon_name}' in an ad beacon + a latitude and longitude with {decimals} decimals"
            excerpt = f"{lat[0]:.1f}, {lon[0]:.1f}"
            found.append(hit(lat_leaf, "location.precise", LIKELY, how, excerpt, DETECTOR + "coordinates"))
        return found
