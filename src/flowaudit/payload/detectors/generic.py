"""Generic detectors: data types in traffic that no vendor adapter describes.

One pass over the decoded leaves. For each value the key name picks at
most one rule (a dictionary lookup, cached per name), the value's own
format is checked with cheap tests first, and the request-level collectors
(coordinates, purchases, crash reports, fingerprints, terms) are fed. The
engine runs this on every flow, so nothing here compiles, loads or
allocates more than it must per value.

Never reported: values under a credential (``Authorization``, API keys,
tokens: see :mod:`~flowaudit.payload.detectors.keys`), values the caller
marks as secrets (vendor adapters), and anything in headers except a
``Referer`` (a page URL the browser adds, so only ``possible``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Final, NamedTuple

from flowaudit.payload.detectors.adbeacons import AdBeacon, AdFacts, AdPlace, ad_facts, ad_place
from flowaudit.payload.detectors.evidence import hit, mask_url
from flowaudit.payload.detectors.families import Family, family_of, fingerprint_category, needs_parent
from flowaudit.payload.detectors.formats import is_url, looks_generated
from flowaudit.payload.detectors.health import (
    TERM_PARTS,
    TermFacts,
    TermKey,
    TermScan,
    term_facts,
    term_key,
    words_and_terms,
)
from flowaudit.payload.detectors.keys import fold, key_path, leaf_name, shaped, under_credential
from flowaudit.payload.detectors.leafrules import (
    DETECTOR,
    LIKELY,
    PARENT_RULES,
    POSSIBLE,
    RULES,
    Rule,
    format_only,
    path_user_id,
    search_title,
)
from flowaudit.payload.detectors.requestrules import (
    CONFIG_KEYS,
    TIMING_OBJECTS,
    Campaigns,
    Coordinates,
    Crash,
    CrashFacts,
    Fingerprint,
    NamesBesideEmail,
    PageEcho,
    PageFacts,
    PagePlace,
    PurchaseDetails,
    SiteAccounts,
    Timings,
    attribute_read,
    crash_facts,
    is_timing,
    page_facts,
    page_place,
    timing_name,
)
from flowaudit.payload.detectors.terms import Term
from flowaudit.payload.model import CONFIDENCES, DecodedRequest, Detection, Leaf

USER_ID = "identifiers.user_id"
# URL path segments after which the next segment is a user's id (/customers/<id>).
_USER_COLLECTIONS: Final = frozenset(
    {"customers", "customer", "users", "user", "profiles", "members", "accounts", "people"}
)


# URL path segments that name a performance endpoint: Slack's /beacon/timing, web-vitals
# collectors. Not "rum": Index Exchange's r.casalemedia.com/rum is a cookie sync.
_PERFORMANCE_ENDPOINTS: Final = frozenset({"timing", "timings", "webvitals", "vitals"})


@dataclass(frozen=True, slots=True)
class _Name:
    """Everything the detectors read from a key name, worked out once per name."""

    name: str  # the last name of the key: "ud[em]" -> "em"
    folded: str
    family: Family | None
    parent_rule: tuple[frozenset[str], Rule] | None
    fingerprint: str | None  # the device attribute it names
    fingerprint_by_parent: bool  # "name", "version": the enclosing object says which attribute
    timing: bool  # a time a page or request took (domComplete, t_dns, PLT)
    words_and_terms: tuple[frozenset[str], tuple[Term, ...]]
    rule: Rule | None  # its family's rule, when it judges a value alone (not one of _GATHERED)
    collected_family: bool  # its family is one a collector takes whatever the verdict (_COLLECTED_FAMILIES)


# The families the pass tells apart, read once: Family is an interpreted enum, and each read of
# one of its members was a lookup by name (a tenth of detect_generic's own instructions).
_ADVERTISING: Final = Family.ADVERTISING
_CAMPAIGN: Final = Family.CAMPAIGN
_EMAIL: Final = Family.EMAIL
_IP: Final = Family.IP
_LATITUDE: Final = Family.LATITUDE
_LONGITUDE: Final = Family.LONGITUDE
_PAGE_URL: Final = Family.PAGE_URL
_PURCHASE_DETAIL: Final = Family.PURCHASE_DETAIL
# Families whose values only mean something together: collected per request, not judged alone.
_GATHERED: Final = frozenset({Family.LATITUDE, Family.LONGITUDE, Family.PURCHASE_DETAIL, Family.CAMPAIGN})
# Families the pass hands to a collector whatever the verdict (see detect_generic).
_COLLECTED_FAMILIES: Final = _GATHERED | {Family.EMAIL}


@lru_cache(maxsize=1 << 12)
def _name(key: str | None) -> _Name:
    name = leaf_name(key) if key else ""
    folded = fold(name)
    family = family_of(name) if name else None
    return _Name(
        name=name,
        folded=folded,
        family=family,
        parent_rule=PARENT_RULES.get(folded),
        fingerprint=fingerprint_category(name),
        fingerprint_by_parent=needs_parent(name),
        timing=timing_name(name) if name else False,
        words_and_terms=words_and_terms(name),
        rule=RULES[family] if family is not None and family not in _GATHERED else None,
        collected_family=family in _COLLECTED_FAMILIES,
    )


def _format_worth_checking(value: str) -> bool:
    """Whether :func:`format_only` can find anything: it looks for @, +, 15/17-character
    values (IMEI, MAC), dotted quads and colons (IP addresses) and line breaks (stack traces)."""
    size = len(value)
    return (
        "@" in value
        or "\n" in value
        or value[0] == "+"
        or size == 15
        or size == 17
        or (6 < size < 16 and value.count(".") == 3)
        or value.count(":") >= 2
    )


class _Verdict(NamedTuple):
    """What one leaf says on its own, whatever else its request holds (:func:`_verdict`)."""

    key: _Name
    found: tuple[Detection, ...]  # detections of the leaf alone, in the order the pass reports them
    handle: Detection | None  # a user id written as a handle: whose, its siblings say (SiteAccounts)
    saw_ad: bool  # an ad click, campaign or ad revenue
    page: PageFacts | None
    ad: AdFacts | None
    crash: CrashFacts | None
    fingerprint: str | None  # the device attribute the value is, when it was read
    timing: bool  # a time a page or request took
    terms: TermFacts | None  # None also when the key and value hold no word
    # Whether a request-level collector other than the terms' takes the leaf (or it is in the
    # URL path or a header): most leaves are not, and the pass skips those checks for them.
    collected: bool


# _Verdict(*fields) without the NamedTuple's Python-level __new__: made for every leaf not seen before.
_new_verdict: Callable[[tuple[object, ...]], _Verdict] = partial(tuple.__new__, _Verdict)


class _Place(NamedTuple):
    """What :func:`_judge` reads in a leaf's place (part, location, decoding, key), whatever its
    value (:func:`_place`): most of a leaf's reading, so a value not seen before costs little."""

    key: _Name
    parent: tuple[str, Rule] | None  # the enclosing key and the key's rule for it, when one applies (PARENT_RULES)
    page: PagePlace
    ad: AdPlace | None  # None: a list item or an IP address's key, which no ad beacon reads
    crash: CrashFacts | None
    fingerprint: str | None  # the device attribute a value here would be
    timing: bool  # a time a page or request took may be here
    terms: TermKey | None  # None: not a part whose words are read, or code
    collected: bool  # a request-level collector takes every value here (see _Verdict.collected)
    # The verdict on any plain token here (:func:`_plain_token`); None where a check reads such
    # a value (a rule of the key, a price, a timing, a device attribute).
    token: _Verdict | None


# _Place(*fields) without the NamedTuple's Python-level __new__: made for every place not seen before.
_new_place: Callable[[tuple[object, ...]], _Place] = partial(tuple.__new__, _Place)

# Shapes of places whose readings are kept (see _shape_place): fewer than the places kept (_KEPT).
_CACHED_SHAPES = 1 << 12


def _place(where: tuple[str, str, tuple[str, ...], str | None]) -> _Place | None:
    """:class:`_Place` of a leaf's first four fields (``leaf[:4]``); None under a credential.
    Its reading (:func:`_place_at`) reads only the leaf's part, location, decoding and key,
    never its value: read once per shape of its location where it can be (:func:`_shape_place`),
    else here. Places with list positions are many (every stack frame, DOM node, event of a
    batch) and their shapes few, so they are read once per shape; :func:`_verdict` keeps the
    reading of each place it meets (:class:`_Spots`)."""
    part, location, decoding, name_key = where
    if "[" in location:  # perhaps a list position
        shape = shaped(location)
        if shape != location:
            place = _shape_place((part, shape, decoding, name_key))
            if place is not _LOCATED:
                return place
    return _place_at(where)


_LOCATED = _new_place(())  # the reading of a shape says where at its locations: read each (_shape_place)


@lru_cache(maxsize=_CACHED_SHAPES)
def _shape_place(where: tuple[str, str, tuple[str, ...], str | None]) -> _Place | None:
    """:func:`_place_at` of a place whose location is a shape (:func:`~flowaudit.payload.detectors.keys.shaped`),
    which its locations share, or :data:`_LOCATED` when the reading holds a location.

    What :func:`_place_at` reads in a location is its key path (under_credential, the parent's
    rule, crash objects, device attributes, frames, timing objects) and pieces of its text
    without digits or brackets ("xception", "iming", " > query:"): the same at every location
    of a shape. Only a host's or search's object (:class:`PagePlace`) and a numbered key's
    object (:class:`AdPlace`) are locations, and those are read at each location."""
    place = _place_at(where)
    if place is not None and (
        place.page.host_object is not None
        or place.page.search_in is not None
        or (place.ad is not None and place.ad.numbered is not None)
    ):
        return _LOCATED
    return place


def _place_at(where: tuple[str, str, tuple[str, ...], str | None]) -> _Place | None:
    """:func:`_place`, read from the place alone."""
    part, location, _, name_key = where
    if under_credential(location):
        return None
    leaf = _new_leaf((*where, ""))
    key = _name(name_key)
    name = key.name
    parent = None
    if key.folded not in CONFIG_KEYS and key.parent_rule is not None:
        parents, rule = key.parent_rule
        path = key_path(location)
        if len(path) >= 2 and fold(path[-2]) in parents:
            parent = (path[-2], rule)
    # a cheap first look for exception, stacktrace, frames, crash, minidump
    crash = None
    if "xception" in location or "tack" in location or "rame" in location or "rash" in location:
        crash = crash_facts(leaf, name)
    category = key.fingerprint
    if category is None and key.fingerprint_by_parent:
        path = key_path(location)
        category = fingerprint_category(path[-2]) if len(path) >= 2 else None
    terms = None
    if part in TERM_PARTS:
        terms = term_key(leaf, name, key.words_and_terms) if name else term_key(leaf, _container_name(leaf))
    collected = (
        part == "url" or key.folded == "name" or key.folded in CONFIG_KEYS or key.collected_family or crash is not None
    )
    page = page_place(leaf, name)
    ad = ad_place(leaf, name) if name_key is not None and key.family is not _IP else None
    timing = key.timing or ("iming" in location and _in_timing_object(location))
    token = None
    if (
        part != "header"
        and key.rule is None
        and parent is None
        and category is None
        and not timing
        and (ad is None or not (ad.auction_key or ad.price_key))
    ):
        # What _judge finds in any plain token here: "0" stands for them all (see _plain_token).
        token_page = page_facts(page, "0")
        token_ad = ad_facts(ad, "0") if ad is not None else None
        token_terms = term_facts(terms, "0") if terms is not None else None
        token_collected = collected or token_page is not None or token_ad is not None
        token = _new_verdict(
            (key, (), None, False, token_page, token_ad, crash, None, False, token_terms, token_collected)
        )
    return _new_place((key, parent, page, ad, crash, category, timing, terms, collected, token))


# The characters of plain tokens (str.strip takes them all away from one), of numbers and dates
# among them, and of those that hold no digit.
_TOKEN: Final = "0123456789abcdefABCDEF-"
_DIGITS: Final = "0123456789-"
_HEX_LETTERS: Final = "abcdefABCDEF-"


def _plain_token(value: str) -> bool:
    """A number, a date or a long hexadecimal identifier (a hash, a UUID): a value in which no
    check of :func:`_judge` finds anything unless its place asks for one (a key's rule, a price,
    a timing, a device attribute; :attr:`_Place.token` is None there). Such values are most of
    the values not seen before (timestamps, counters, event ids), so telling them apart this
    cheaply (no regular expression, no allocation) spares them the checks one by one.

    Why each check passes them over: no "/", "=", "@", ":", ".", "+", space or line break (no
    page URL, path, host, packed URL, address, IP address, stack trace); not 15 or 17
    characters (an IMEI, a MAC address); not starting with a letter of a search title
    (``YySs``); and no words (:func:`~flowaudit.payload.detectors.health.words_and_terms`
    passes over numbers and dates starting with a digit, and tokens of 16 characters or more
    with a digit in them)."""
    size = len(value)
    if size == 15 or size == 17 or not value.isascii():
        return False
    if value.isdigit():  # the most common (times, counters): ASCII digits alone, told without a copy
        return True
    if value.strip(_TOKEN):
        return False
    if value[0].isdigit() and not value.strip(_DIGITS):
        return True
    return size >= 16 and bool(value.strip(_HEX_LETTERS))


_new_leaf: Callable[[tuple[object, ...]], Leaf] = partial(tuple.__new__, Leaf)


def _judge(leaf: Leaf) -> _Verdict | None:
    """Everything :func:`detect_generic` reads in a leaf without looking at its siblings;
    None for a value under a credential or an empty one."""
    place = _place(leaf[:4])
    if place is None:
        return None
    value = leaf.value.strip()
    if not value:
        return None
    if place.token is not None and _plain_token(value):
        return place.token
    return _judge_value(leaf, place, value)


def _judge_value(leaf: Leaf, place: _Place, value: str) -> _Verdict:
    """:func:`_judge` of a value that is not empty, checked one detector at a time."""
    key = place.key
    name = key.name
    if leaf.part == "header":
        found: tuple[Detection, ...] = ()
        if key.folded == "referer" and is_url(value):
            how = "Referer header: the page that made the request"
            found = (hit(leaf, "browsing.history", POSSIBLE, how, mask_url(value), DETECTOR + "page_url"),)
        return _new_verdict((key, found, None, False, None, None, None, None, False, None, True))
    family = key.family
    page = page_facts(place.page, value)
    ad = ad_facts(place.ad, value) if place.ad is not None else None
    detections: list[Detection] = []
    handle = None
    saw_ad = False
    if key.rule is not None:
        detection = key.rule(leaf, name, value, "")
        if detection is None:
            pass
        elif detection.data_type == USER_ID and detection.confidence == LIKELY and not looks_generated(value):
            handle = detection
        else:
            detections.append(detection)
            saw_ad = family is _ADVERTISING
    if place.parent is not None:
        parent, rule = place.parent
        detection = rule(leaf, name, value, parent)
        if detection is not None:
            detections.append(detection)
    if _format_worth_checking(value):
        detections.extend(format_only(leaf, name, value))
    if value[0] in "YySs" and len(value) > 17:
        titled = search_title(leaf, value)
        if titled is not None:
            detections.append(titled)
    crash = place.crash
    category = place.fingerprint
    fingerprint = category if category is not None and attribute_read(value) else None
    timing = place.timing and is_timing(value)
    terms = term_facts(place.terms, value) if place.terms is not None else None
    collected = (
        place.collected
        or page is not None
        or ad is not None
        or handle is not None
        or saw_ad
        or fingerprint is not None
        or timing
    )
    return _new_verdict(
        (key, tuple(detections), handle, saw_ad, page, ad, crash, fingerprint, timing, terms, collected)
    )


class _Spot(NamedTuple):
    """A place as met at one location (:class:`_Spots`): its part, decoding and key, its reading
    (None under a credential) and the verdicts on the values met there, by value as sent: those
    of this generation, and those its spot of the older generation held (``earlier``)."""

    part: str
    decoding: tuple[str, ...]
    key: str | None
    place: _Place | None
    verdicts: dict[str, _Verdict | None]
    earlier: dict[str, _Verdict | None]


_new_spot: Callable[[tuple[object, ...]], _Spot] = partial(tuple.__new__, _Spot)
_NONE_EARLIER: Final[dict[str, _Verdict | None]] = {}  # the earlier verdicts of a new spot: none (never written)


class _Spots:
    """The spots of recent requests by location, in two generations of plain dictionaries, as
    are their verdicts: a spot or verdict found in the older generation is kept in the newer one
    too, and a full newer generation becomes the older one as the oldest is dropped, so what
    recent requests used stays and memory stays flat. A generation is full when the spots and
    verdicts added to it reach :data:`_KEPT`."""

    def __init__(self) -> None:
        self.recent: dict[str, _Spot] = {}
        self.older: dict[str, _Spot] = {}
        self.kept = 0  # spots and verdicts added to the newer generation

    def find(self, leaf: Leaf) -> _Spot:
        """The spot of a leaf's place in the newer generation, after :func:`_verdict` found none
        at its location there (or one of another place)."""
        location = leaf.location
        self._add()
        spot = self.older.get(location)
        if spot is None or spot.key != leaf.key or spot.decoding != leaf.decoding or spot.part != leaf.part:
            spot = _new_spot((leaf.part, leaf.decoding, leaf.key, _place(leaf[:4]), {}, _NONE_EARLIER))
        else:
            spot = _new_spot((*spot[:4], {}, spot.verdicts))
        self.recent[location] = spot
        return spot

    def keep(self, spot: _Spot, value: str, verdict: _Verdict | None) -> None:
        self._add()
        spot.verdicts[value] = verdict

    def _add(self) -> None:
        """Count one spot or verdict in the newer generation, after the swap it may make. The
        verdicts of the dropped generation are cleared: the spots of the older one still point
        to them as theirs from before."""
        if self.kept >= _KEPT:
            for dropped in self.older.values():
                dropped.verdicts.clear()
            self.older, self.recent, self.kept = self.recent, {}, 0
        self.kept += 1


# Spots and verdicts kept per generation (see _Spots). A request's leaves sit at a few dozen
# places, and SDKs send the same places, and there many of the same values (event names,
# versions, the same user's ids), in request after request: two generations hold the places
# and values of a hundred or more recent requests. On real traffic (the first 2,000 entries of
# the bench HAR, before its entries repeat) 4,096 misses 2.4% of the spots an unbounded cache
# finds (places read 7,940 times against 7,403 distinct in 29,624 leaves) and 1.5% of the
# verdicts (5,498 judged against 5,418), 8,192 half as many, for twice the memory, filled later
# into a long capture. Long values are not kept: they rarely come again.
_KEPT: Final = 1 << 12
_CACHED_VALUE: Final = 256
_SPOTS: Final = _Spots()
_UNSEEN: Final = _new_verdict(())  # no verdict kept


def _verdict(leaf: Leaf) -> _Verdict | None:
    """:func:`_judge`, kept per place and value (:class:`_Spots`): what a leaf says alone
    depends on nothing else, and a verdict's detections were made at the same place.

    Kept by location, then value, rather than by leaf: a hit costs two lookups of strings
    whose hashes are known or cheap (the location's was taken to look it up among the
    skipped ones) instead of hashing and comparing five fields, and a location is kept once
    for all its values. Plain tokens (:func:`_plain_token`) are not kept: most are new
    (timestamps, event ids), their place holds their verdict, and telling one costs about
    what a kept one would."""
    spots = _SPOTS
    spot = spots.recent.get(leaf.location)
    if spot is None or spot.key != leaf.key or spot.decoding != leaf.decoding or spot.part != leaf.part:
        spot = spots.find(leaf)
    place = spot.place
    if place is None:
        return None
    value = leaf.value
    verdict = spot.verdicts.get(value, _UNSEEN)
    if verdict is not _UNSEEN:
        return verdict
    verdict = spot.earlier.get(value, _UNSEEN)
    if verdict is _UNSEEN:
        stripped = value.strip()
        if not stripped:
            verdict = None
        elif place.token is not None and _plain_token(stripped):
            return place.token
        else:
            verdict = _judge_value(leaf, place, stripped)
    if len(value) <= _CACHED_VALUE:
        spots.keep(spot, value, verdict)
    return verdict


def detect_generic(
    decoded: DecodedRequest,
    *,
    skip: Collection[str] = (),
    described: Mapping[str, tuple[str, str, str]] | None = None,
) -> list[Detection]:
    """Every data type the generic detectors recognise in a decoded request.

    ``skip`` holds locations not to look at (what a vendor adapter marked
    as a credential); ``described`` maps locations a vendor adapter
    documents as value-dependent to (field, detector), so that terms found
    there name the field. At most one detection per location and data
    type, the most confident.

    What each leaf says on its own is worked out once per distinct leaf
    (:func:`_verdict`); this pass feeds it to the request-level collectors.
    """
    coordinates = Coordinates()
    purchases = PurchaseDetails()
    crash = Crash()
    fingerprint = Fingerprint()
    terms = TermScan()
    names = NamesBesideEmail()
    campaigns = Campaigns()
    pages = PageEcho()
    accounts = SiteAccounts()
    timings = Timings()
    ads = AdBeacon()
    found: list[Detection] = []
    previous_segment = ""
    add_terms = terms.add
    for leaf in decoded.leaves:
        if leaf.location in skip:
            continue
        verdict = _verdict(leaf)
        if verdict is None:
            continue
        if not verdict.collected:  # the common case: what the leaf says alone, and its words
            if verdict.found:
                found.extend(verdict.found)
            if verdict.terms is not None:
                add_terms(leaf, verdict.terms)
            continue
        value = leaf.value.strip()
        if leaf.part == "url":
            if fold(previous_segment) in _USER_COLLECTIONS:
                detection = path_user_id(leaf, previous_segment, value)
                if detection is not None:
                    found.append(detection)
            previous_segment = value
            if leaf.key is None and fold(value) in _PERFORMANCE_ENDPOINTS:
                timings.endpoint(leaf, value)
            if leaf.key is None:
                ads.path_segment(leaf, value)
        key = verdict.key
        name = key.name
        if key.folded == "name":
            names.add_name(leaf)
        elif key.family is _EMAIL:
            names.add_email(leaf)
        if leaf.part == "header":
            pages.add_header(key.folded, value)
            found.extend(verdict.found)
            continue
        family = key.family
        if verdict.page is not None:
            pages.add(leaf, name, verdict.page, named_page=family is _PAGE_URL)
        if verdict.ad is not None:
            ads.add(leaf, name, verdict.ad)
        if family is _LATITUDE or family is _LONGITUDE:
            coordinates.add(leaf, family, name)
        elif family is _PURCHASE_DETAIL:
            purchases.add(leaf, name, value)
        elif family is _CAMPAIGN:
            campaigns.add(leaf, name, value)
        if verdict.handle is not None:
            accounts.add_user_id(leaf, verdict.handle)  # whose handle: the siblings say (SiteAccounts)
        if verdict.saw_ad:
            campaigns.saw_ad()
        if key.folded in CONFIG_KEYS:
            accounts.add_config(leaf)
        found.extend(verdict.found)
        if verdict.crash is not None:
            crash.add(leaf, verdict.crash)
        if verdict.fingerprint is not None:
            fingerprint.add(leaf, verdict.fingerprint)
        if verdict.timing:
            timings.add(leaf, name)
        if verdict.terms is not None:
            terms.add(leaf, verdict.terms)
    if ads.is_ad_beacon():
        campaigns.saw_ad()
    for collector in (coordinates, purchases, crash, fingerprint, names, campaigns, pages, accounts, timings, ads):
        found.extend(collector.detections())
    found.extend(terms.detections(described))
    return strongest(found)


def _in_timing_object(location: str) -> bool:
    path = key_path(location)
    return len(path) >= 2 and fold(path[-2]) in TIMING_OBJECTS


def _container_name(leaf: Leaf) -> str:
    """For a list item, the name of the list: ``symptoms: ["cough"]`` -> ``symptoms``."""
    path = key_path(leaf.location)
    return path[-1] if path else ""


def strongest(detections: Iterable[Detection]) -> list[Detection]:
    """One detection per location and data type: the most confident, the first among equals."""
    best: dict[tuple[str, str], Detection] = {}
    for detection in detections:
        where = (detection.location, detection.data_type)
        kept = best.get(where)
        if kept is None or _RANK[detection.confidence] < _RANK[kept.confidence]:
            best[where] = detection
    return list(best.values())


_RANK: Final = {confidence: rank for rank, confidence in enumerate(CONFIDENCES)}
