"""Detections that need several values of a request together.

A latitude means little without its longitude, a currency only marks a
purchase next to an amount, one device attribute is diagnostics but five
together are a fingerprint, and a crash report is one finding however many
frames it has. Each collector here is fed leaf by leaf during the single
pass of :func:`~flowaudit.payload.detectors.generic.detect_generic` and
asked for its detections at the end.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from flowaudit.payload.detectors import formats
from flowaudit.payload.detectors.evidence import hit, mask, mask_url, quote
from flowaudit.payload.detectors.families import CRASH_WORDS, FRAME_CONTAINERS, FRAME_KEYS, Family
from flowaudit.payload.detectors.keys import fold, key_path, object_location, words
from flowaudit.payload.detectors.leafrules import DETECTOR, LIKELY, POSSIBLE, is_placeholder
from flowaudit.payload.model import Detection, Leaf
from flowaudit.urls import split_url

FINGERPRINT_MIN = 4  # distinct device attributes that make a bundle a fingerprint


def _object_of(leaf: Leaf) -> str:
    return object_location(leaf.location, leaf.key)


class Coordinates:
    """Pairs a latitude with the longitude in the same object."""

    def __init__(self) -> None:
        self._lat: dict[tuple[str, str], tuple[Leaf, str]] = {}
        self._lon: dict[tuple[str, str], tuple[Leaf, str]] = {}

    def add(self, leaf: Leaf, family: Family, name: str) -> None:
        side = self._lat if family is Family.LATITUDE else self._lon
        side.setdefault((leaf.part, _object_of(leaf)), (leaf, name))

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for where, (lat_leaf, lat_name) in self._lat.items():
            if where not in self._lon:
                continue
            lon_leaf, lon_name = self._lon[where]
            lat = formats.coordinate(lat_leaf.value.strip(), 90)
            lon = formats.coordinate(lon_leaf.value.strip(), 180)
            if lat is None or lon is None or (lat[0] == 0 and lon[0] == 0):
                continue
            decimals = min(lat[1], lon[1])
            data_type = "location.precise" if decimals >= 3 else "location.coarse"
            how = f"keys '{lat_name}'/'{lon_name}' + coordinates with {decimals} decimals"
            excerpt = f"{lat[0]:.1f}, {lon[0]:.1f}"
            found.append(hit(lat_leaf, data_type, LIKELY, how, excerpt, DETECTOR + "coordinates"))
        return found


class PurchaseDetails:
    """A currency code and an amount in the same object: a purchase."""

    def __init__(self) -> None:
        self._currency: dict[tuple[str, str], str] = {}
        self._amounts: dict[tuple[str, str], tuple[Leaf, str]] = {}

    def add(self, leaf: Leaf, name: str, value: str) -> None:
        where = (leaf.part, _object_of(leaf))
        if "currency" in fold(name):
            if len(value) == 3 and value.isalpha():
                self._currency.setdefault(where, value.upper())
            return
        if formats.is_amount(value):
            self._amounts.setdefault(where, (leaf, name))

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for where, currency in self._currency.items():
            if where in self._amounts:
                leaf, name = self._amounts[where]
                how = f"key '{name}' + currency {currency} beside it"
                found.append(hit(leaf, "financial.purchase", LIKELY, how, mask(leaf.value), DETECTOR + "purchase"))
        return found


class CrashFacts(NamedTuple):
    """The crash object (part, key path) a value sits in, and its key (what the detection quotes).
    Nothing of the value's own location: every frame of a stack trace shares it."""

    where: tuple[str, str]
    key: str


def crash_facts(leaf: Leaf, name: str) -> CrashFacts | None:
    """The outermost exception or stack-trace object holding a value, if any."""
    path = key_path(leaf.location)
    depth = _crash_depth(path, fold(name) in FRAME_KEYS)
    if depth is None:
        return None
    return CrashFacts((leaf.part, "/".join(path[: depth + 1])), path[depth])


@lru_cache(maxsize=1 << 12)
def _crash_depth(path: tuple[str, ...], frame_key: bool) -> int | None:
    """Where in a key path the outermost crash object is (cached: a report's frames share their
    paths); ``frame_key``: the value's own key names a frame's part (``function``, ``lineno``)."""
    for depth, key in enumerate(path):
        folded = fold(key)
        if folded in FRAME_CONTAINERS:
            if frame_key:
                return depth
        elif any(word in folded for word in CRASH_WORDS):
            return depth
    return None


class Crash:
    """Crash reports: one detection per exception or stack-trace object."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Detection] = {}

    def add(self, leaf: Leaf, said: CrashFacts) -> None:
        """A value under crash data (see :func:`crash_facts`): one detection per crash object,
        at its first value."""
        if said.where not in self._seen:
            how = f"crash data under '{said.key}'"
            self._seen[said.where] = hit(leaf, "diagnostics.crash", LIKELY, how, quote(said.key), DETECTOR + "crash")

    def detections(self) -> list[Detection]:
        return list(self._seen.values())


def attribute_read(value: str) -> bool:
    """Whether a device attribute's value says what the attribute is. A number is an attribute's
    value even when a placeholder test would take it for a flag (4 plugins, 0 fonts); words like
    ``unknown`` or ``null`` say the attribute was not read."""
    return value.isdigit() or not is_placeholder(value)


class Fingerprint:
    """Device attributes sent together (model, OS, screen, carrier, locale, ...)."""

    def __init__(self) -> None:
        self._first: dict[str, Leaf] = {}

    def add(self, leaf: Leaf, category: str) -> None:
        """A device attribute's value that was read (see :func:`attribute_read`)."""
        self._first.setdefault(category, leaf)

    def detections(self) -> list[Detection]:
        if len(self._first) < FINGERPRINT_MIN:
            return []
        leaf = next(iter(self._first.values()))
        categories = ", ".join(self._first)
        how = f"{len(self._first)} device attributes sent together: {categories}"
        return [hit(leaf, "device.fingerprint", LIKELY, how, quote(categories), DETECTOR + "fingerprint")]


TIMINGS_MIN = 3  # distinct timings that make a request a performance report ...
# ... or two of the Web Vitals (https://web.dev/articles/vitals), metrics defined only as
# measurements of a page's loading and responsiveness: FCP and TTFB side by side
# (Assertive Yield's ``vitals``) can be nothing else.
_WEB_VITALS = frozenset({"ttfb", "fcp", "lcp", "fid", "inp", "cls"})
WEB_VITALS_MIN = 2
_MAX_TIMINGS = 64
# Objects whose numbers are timings whatever their short names (New Relic's perf.timing {"dl": 62, "di": 841}).
TIMING_OBJECTS = frozenset({"timing", "timings", "navigationtiming", "performancetiming", "pagetimings"})

# Timing names (folded): the W3C Navigation Timing attributes that performance beacons copy
# (https://www.w3.org/TR/navigation-timing/#sec-navigation-timing-interface), the web vitals
# (https://web.dev/articles/vitals), and AppDynamics' browser metrics: page load time, first
# byte time, DOM download and processing time
# (https://docs.appdynamics.com/appd/24.x/latest/en/end-user-monitoring/browser-monitoring/browser-real-user-monitoring/browser-rum-metrics).
_TIMING_NAMES = frozenset(
    {
        "navigationstart",
        "unloadeventstart",
        "unloadeventend",
        "redirectstart",
        "redirectend",
        "fetchstart",
        "domainlookupstart",
        "domainlookupend",
        "connectstart",
        "connectend",
        "secureconnectionstart",
        "requeststart",
        "responsestart",
        "responseend",
        "domloading",
        "dominteractive",
        "domcontentloadedeventstart",
        "domcontentloadedeventend",
        "domcomplete",
        "loadeventstart",
        "loadeventend",
        "ttfb",
        "fcp",
        "lcp",
        "fid",
        "inp",
        "cls",
        "firstpaint",
        "firstcontentfulpaint",
        "largestcontentfulpaint",
        "timetofirstbyte",
        "pageloadtime",
        "plt",
        "fbt",
        "ddt",
        "dpt",
        # The initials of the Navigation Timing attributes, where three letters or more say which
        # (Pingdom's RUM beacon: dLS, dLE, dCLES, lES, lEE, uES); two-letter ones (cS, rS) could be
        # anything.
        "ues",
        "uee",
        "dls",
        "dle",
        "scs",
        "dcles",
        "dclee",
        "les",
        "lee",
    }
)
# Words that make a key a time measurement (t_dns, connect_latency, elapsedMs) ...
_TIMING_WORDS = frozenset({"dns", "tcp", "ssl", "tls", "latency", "elapsed", "duration"})
# ... and first words of a key that is a time of something (Krux's t_window_load, time_to_interactive).
_TIME_PREFIXES = frozenset({"t", "time", "timing"})


def timing_name(name: str) -> bool:
    """Whether a key names a time a page or a request took (``domComplete``, ``t_dns``, ``PLT``)."""
    if fold(name) in _TIMING_NAMES:
        return True
    parts = words(name)
    return len(parts) >= 2 and (parts[0] in _TIME_PREFIXES or not _TIMING_WORDS.isdisjoint(parts))


def is_timing(value: str) -> bool:
    """Whether a value under a timing's name is a time (``-12.5``, ``841``)."""
    return formats.is_amount(value.removeprefix("-"))


class Timings:
    """Page-load and request timings sent together: a performance report of the page or app.

    One number under ``duration`` says little; three or more timings of the navigation
    (DNS, connection, first byte, DOM ready, load) are what real-user-monitoring beacons
    send (New Relic, AppDynamics, Krux), whatever each vendor calls them.
    """

    def __init__(self) -> None:
        self._first: dict[str, tuple[Leaf, str]] = {}
        self._endpoint: tuple[Leaf, str] | None = None

    def add(self, leaf: Leaf, name: str) -> None:
        """A timing's key and value (see :func:`is_timing`)."""
        if len(self._first) < _MAX_TIMINGS:
            self._first.setdefault(fold(name), (leaf, name))

    def endpoint(self, leaf: Leaf, segment: str) -> None:
        """The request goes to an endpoint named for timings (``/beacon/timing``, ``/rum``)."""
        if self._endpoint is None:
            self._endpoint = (leaf, segment)

    def detections(self) -> list[Detection]:
        vitals = len(_WEB_VITALS.intersection(self._first))
        if len(self._first) < TIMINGS_MIN and vitals < WEB_VITALS_MIN:
            if self._endpoint is None:
                return []
            leaf, segment = self._endpoint
            how = f"sent to an endpoint named '{segment}': a performance report"
            return [hit(leaf, "diagnostics.performance", LIKELY, how, quote(segment), DETECTOR + "performance")]
        leaf = next(iter(self._first.values()))[0]
        names = ", ".join(name for _leaf, name in list(self._first.values())[:6])
        how = f"{len(self._first)} page-load timings sent together: {names}"
        return [hit(leaf, "diagnostics.performance", LIKELY, how, quote(names), DETECTOR + "performance")]


class NamesBesideEmail:
    """A bare ``name`` in the same object as an email address is the person's name."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], Leaf] = {}
        self._emails: set[tuple[str, str]] = set()

    def add_name(self, leaf: Leaf) -> None:
        self._names.setdefault((leaf.part, _object_of(leaf)), leaf)

    def add_email(self, leaf: Leaf) -> None:
        self._emails.add((leaf.part, _object_of(leaf)))

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for where, leaf in self._names.items():
            value = leaf.value.strip()
            if where in self._emails and any(c.isalpha() for c in value) and len(value) <= 100 and "@" not in value:
                how = "key 'name' beside an email address"
                found.append(hit(leaf, "contact.name", LIKELY, how, mask(value), DETECTOR + "name"))
        return found


class Campaigns:
    """Campaign, ad group and creative ids: advertising data beside an ad interaction.

    Beside a click id (``gclid``), UTM tags, an impression or ad revenue they
    say which ad the user clicked or saw. Alone they are the site's own
    tracker setup: Pardot's ``campaign_id`` goes out with every page view of
    every visitor. Then they are only ``possible``.
    """

    def __init__(self) -> None:
        self._ids: list[tuple[Leaf, str]] = []
        self._ad_seen: bool = False

    def add(self, leaf: Leaf, name: str, value: str) -> None:
        if not is_placeholder(value):
            self._ids.append((leaf, name))

    def saw_ad(self) -> None:
        """The request carries an ad interaction (a click id, UTM tags, an impression)."""
        self._ad_seen = True

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for leaf, name in self._ids:
            if self._ad_seen:
                how, confidence = f"key '{name}' beside an ad click or impression", LIKELY
            else:
                how, confidence = f"key '{name}': an ad campaign's id, or the site's tracker setup", POSSIBLE
            found.append(hit(leaf, "usage.advertising", confidence, how, mask(leaf.value), DETECTOR + "advertising"))
        return found


def _site(url: str) -> str | None:
    """The host of a URL without a leading ``www.`` (``www.shop.example`` and ``shop.example`` are one site)."""
    host = split_url(url).host
    return host.removeprefix("www.") if host else None


# Search parameters of a site's own URLs (WordPress ?s=, most shops ?q=, ?search=).
_SITE_SEARCH_KEYS = frozenset({"s", "q", "query", "search", "searchterm", "searchquery", "keyword", "keywords", "term"})
_URL_QUERY = " > query:"
_MAX_URLS = 1000
# Names of the host and the path of a page's address, as Location's properties and trackers' short forms.
_HOST_KEYS = frozenset({"host", "hostname", "h", "domain", "dcssip", "pagehost", "sitehost"})
_PATH_KEYS = frozenset({"pathname", "path", "p", "dcsuri", "pagepath", "uri"})
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)


class PageFacts(NamedTuple):
    """What a value may tell :class:`PageEcho`: worked out from the value and its place alone."""

    slash: bool  # it starts with "/"
    path: bool  # a path ("/devices/"), perhaps the Referer's
    path_part: bool  # a path under a path's key, perhaps with its host beside it
    host: tuple[str, str] | None  # (object location, site) of a host under a host's key
    url: str | None  # the page URL it holds
    search_in: str | None  # a site-search parameter in the query of the URL at this location


class PagePlace(NamedTuple):
    """What :func:`page_facts` reads in a value's place, whatever the value: worked out once per place."""

    path_key: bool  # the key names a page's path
    host_object: str | None  # the object holding the value, when its key names a page's host
    search_in: str | None  # the URL whose query holds the value, when its key names a site search


_NO_PAGE_PLACE = PagePlace(False, None, None)


def page_place(leaf: Leaf, name: str) -> PagePlace:
    """The part of :func:`page_facts` that depends on where a value is, not on the value.
    Most keys name no path, host or search: their places share one :class:`PagePlace`."""
    folded = fold(name)
    if folded not in _PATH_KEYS and folded not in _HOST_KEYS and folded not in _SITE_SEARCH_KEYS:
        return _NO_PAGE_PLACE
    at = leaf.location.rfind(_URL_QUERY)
    return PagePlace(
        folded in _PATH_KEYS,
        object_location(leaf.location, leaf.key) if folded in _HOST_KEYS else None,
        leaf.location[:at] if at > 0 and folded in _SITE_SEARCH_KEYS else None,
    )


def page_facts(place: PagePlace, value: str) -> PageFacts | None:
    """What :meth:`PageEcho.add` needs of a value at a place (:func:`page_place`), None when it tells nothing."""
    slash = value[:1] == "/"
    path = slash and len(value) > 1
    path_part = slash and place.path_key
    host = None
    if place.host_object is not None and _HOST.fullmatch(value):
        host = (place.host_object, value.lower().removeprefix("www."))
    url = formats.page_url_in(value) or _packed_url(value)
    search_in = place.search_in
    if not (slash or host is not None or url is not None or search_in is not None):
        return None
    return PageFacts(slash, path, path_part, host, url, search_in)


class PageEcho:
    """The page that sent the request, named under any key, and the visitor's search on it.

    A browser names that page in the Referer or Origin header. A URL value on the same site,
    in a request to another site's tracker, is that page or another page of the site: the
    visitor's browsing (key names vary with every vendor, the site they name does not); so is
    the Referer's own path sent as a value (Floodlight's ``u16=/devices/``); a search
    parameter in such a URL (``?s=pregnancy``) is the visitor's search on the site.

    Scripts also send the page's address in the parts the browser's ``Location`` object
    gives (https://developer.mozilla.org/en-US/docs/Web/API/Location): the site's host under
    a host's name and, beside it in the same object, a path under a path's name (Assertive
    Yield's ``host``/``pathname``, Chartbeat's ``h``/``p``, Oracle WebTrends' ``dcssip``/
    ``dcsuri``). With the host the page's own, the pair is a page URL, even the home page's
    ``/``, which alone would be too common a value to be an echo.
    """

    def __init__(self) -> None:
        self._page_sites: set[str] = set()
        self._urls: dict[str, tuple[Leaf, str, bool, str]] = {}
        self._searches: list[tuple[Leaf, str, str]] = []
        self._page_paths: set[str] = set()
        self._paths: list[tuple[Leaf, str]] = []
        self._hosts: dict[str, str] = {}  # object location -> the site a host key there names
        self._path_parts: list[tuple[Leaf, str]] = []

    def add_header(self, name: str, value: str) -> None:
        if name not in ("referer", "origin"):
            return
        page = _header_page(value)
        if page is None:
            return
        site, path = page
        if site:
            self._page_sites.add(site)
        if len(path) > 1:  # "/" is every site's home page: too common a value to be an echo
            self._page_paths.add(path)

    def add(self, leaf: Leaf, name: str, said: PageFacts, *, named_page: bool) -> None:
        """A value (what :func:`page_facts` read in it); ``named_page``: its key already says
        it is a page URL (reported elsewhere)."""
        if said.slash and len(self._paths) < _MAX_URLS:
            if said.path:
                self._paths.append((leaf, name))
            if said.path_part:
                self._path_parts.append((leaf, name))
        elif said.host is not None and len(self._hosts) < _MAX_URLS:
            self._hosts[said.host[0]] = said.host[1]
        if said.url is not None and len(self._urls) < _MAX_URLS:
            self._urls[leaf.location] = (leaf, name, named_page, said.url)
        if said.search_in is not None and len(self._searches) < _MAX_URLS:
            self._searches.append((leaf, name, said.search_in))

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for leaf, name, named_page, url in self._urls.values():
            if not named_page and _site(url) in self._page_sites:
                how = f"key '{name}' + a URL of the site that sent the request (its Referer)"
                found.append(hit(leaf, "browsing.history", LIKELY, how, mask_url(url), DETECTOR + "page_url"))
        for leaf, name in self._paths:
            if leaf.value.strip().rstrip("/") in self._page_paths:
                how = f"key '{name}' + the path of the page that sent the request (its Referer)"
                found.append(hit(leaf, "browsing.history", LIKELY, how, mask(leaf.value), DETECTOR + "page_url"))
        for leaf, name in self._path_parts:
            site = self._hosts.get(object_location(leaf.location, leaf.key))
            if site is not None and site in self._page_sites:
                how = f"key '{name}' + the path beside the host of the page that sent the request (its Referer)"
                excerpt = mask_url(f"https://{site}{leaf.value.strip()}")
                found.append(hit(leaf, "browsing.history", LIKELY, how, excerpt, DETECTOR + "page_url"))
        for leaf, name, url_location in self._searches:
            value = leaf.value.strip()
            holder = self._urls.get(url_location)
            if holder is None or _site(holder[3]) not in self._page_sites or not _search_text(value, name):
                continue
            how = f"'{name}' in the query of a page URL of the site: the visitor's search there"
            found.append(hit(leaf, "usage.search", LIKELY, how, mask(value), DETECTOR + "search"))
        return found


# Referer and Origin values whose site and path are kept: a page's requests all name it (bounded, small).
_CACHED_PAGES = 1 << 8


@lru_cache(maxsize=_CACHED_PAGES)
def _header_page(value: str) -> tuple[str | None, str] | None:
    """The site and path of a Referer or Origin header's URL; None when the value is no URL."""
    if not formats.is_url(value):
        return None
    return _site(value), _path(value)


def _path(url: str) -> str:
    """A URL's path without a trailing slash (``/devices/`` and ``/devices`` are one page)."""
    path = split_url(url).path
    return path.rstrip("/") or "/"


def _packed_url(value: str) -> str | None:
    """A page URL packed with its name into one value (BlueKai's ``phint=__bk_l=https://…``)."""
    name, eq, rest = value.partition("=")
    if not eq or not name or len(name) > 32 or not name.replace("_", "").isalnum():
        return None
    return rest if formats.is_page_url(rest) else None


def _search_text(value: str, name: str) -> bool:
    """Words someone searched for: not empty, not the button's own label (``search=Search``),
    not a URI template's variable (schema.org ``?s={search_term_string}``)."""
    return (
        any(c.isalpha() for c in value)
        and value.lower() != fold(name)
        and not (value.startswith("{") and value.endswith("}"))
        and not is_placeholder(value)
    )


# Keys of a site's own setup at a vendor (folded names). Not an app's id: app SDKs send it
# beside the account id of their user in every event (OneSignal's app_id and external_user_id).
CONFIG_KEYS = frozenset(
    {
        "siteid",
        "websiteid",
        "propertyid",
        "pixelid",
        "partnerid",
        "publisherid",
        "tenantid",
        "workspaceid",
        "containerid",
        "trackingid",
        "measurementid",
        "merchantid",
        "widgetid",
        "zoneid",
        "placementid",
    }
)


class SiteAccounts:
    """A user id beside the site's own configuration ids is the site's account at the vendor.

    UserWay's widget posts ``{"userId": 74531, "siteId": 981157}``: the
    site owner's UserWay user and site, the same for every visitor. A handle
    (not a generated id) sitting in one object with a site's configuration
    id (``siteId``, ``pixelId``, ``widgetId``, ...) is then only ``possible``.
    """

    def __init__(self) -> None:
        self._config: set[tuple[str, str]] = set()
        self._user_ids: list[tuple[Detection, tuple[str, str]]] = []

    def add_config(self, leaf: Leaf) -> None:
        self._config.add((leaf.part, _object_of(leaf)))

    def add_user_id(self, leaf: Leaf, detection: Detection) -> None:
        self._user_ids.append((detection, (leaf.part, _object_of(leaf))))

    def detections(self) -> list[Detection]:
        found: list[Detection] = []
        for detection, where in self._user_ids:
            if where in self._config:
                how = f"{detection.how}, beside the site's own configuration ids: the site's account"
                detection = detection._replace(confidence=POSSIBLE, how=how, value=None)
            found.append(detection)
        return found
