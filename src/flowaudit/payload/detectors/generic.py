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

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from flowaudit.payload.detectors.adbeacons import AdBeacon
from flowaudit.payload.detectors.evidence import hit, mask_url
from flowaudit.payload.detectors.families import Family, family_of, fingerprint_category, needs_parent
from flowaudit.payload.detectors.formats import is_url, looks_generated
from flowaudit.payload.detectors.health import TERM_PARTS, TermScan, words_and_terms
from flowaudit.payload.detectors.keys import fold, key_path, leaf_name, under_credential
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
    Fingerprint,
    NamesBesideEmail,
    PageEcho,
    PurchaseDetails,
    SiteAccounts,
    Timings,
    timing_name,
)
from flowaudit.payload.detectors.terms import Term
from flowaudit.payload.model import CONFIDENCES, DecodedRequest, Detection, Leaf

USER_ID = "identifiers.user_id"
# URL path segments after which the next segment is a user's id (/customers/<id>).
_USER_COLLECTIONS = frozenset({"customers", "customer", "users", "user", "profiles", "members", "accounts", "people"})


# URL path segments that name a performance endpoint: Slack's /beacon/timing, web-vitals
# collectors. Not "rum": Index Exchange's r.casalemedia.com/rum is a cookie sync.
_PERFORMANCE_ENDPOINTS = frozenset({"timing", "timings", "webvitals", "vitals"})


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


@lru_cache(maxsize=1 << 12)
def _name(key: str | None) -> _Name:
    name = leaf_name(key) if key else ""
    folded = fold(name)
    return _Name(
        name=name,
        folded=folded,
        family=family_of(name) if name else None,
        parent_rule=PARENT_RULES.get(folded),
        fingerprint=fingerprint_category(name),
        fingerprint_by_parent=needs_parent(name),
        timing=timing_name(name) if name else False,
        words_and_terms=words_and_terms(name),
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
    for leaf in decoded.leaves:
        location = leaf.location
        if location in skip or under_credential(location):
            continue
        value = leaf.value.strip()
        if not value:
            continue
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
        key = _name(leaf.key)
        name = key.name
        if key.folded == "name":
            names.add_name(leaf)
        elif key.family is Family.EMAIL:
            names.add_email(leaf)
        if leaf.part == "header":
            pages.add_header(key.folded, value)
            if key.folded == "referer" and is_url(value):
                how = "Referer header: the page that made the request"
                found.append(hit(leaf, "browsing.history", POSSIBLE, how, mask_url(value), DETECTOR + "page_url"))
            continue
        family = key.family
        pages.add(leaf, name, value, named_page=family is Family.PAGE_URL)
        if leaf.key is not None and family is not Family.IP:
            ads.add(leaf, name, value)
        if family is Family.LATITUDE or family is Family.LONGITUDE:
            coordinates.add(leaf, family, name)
        elif family is Family.PURCHASE_DETAIL:
            purchases.add(leaf, name, value)
        elif family is Family.CAMPAIGN:
            campaigns.add(leaf, name, value.strip())
        elif family is not None:
            detection = RULES[family](leaf, name, value, "")
            handle = detection is not None and detection.data_type == USER_ID and detection.confidence == LIKELY
            if detection is not None and handle and not looks_generated(value):
                accounts.add_user_id(leaf, detection)  # whose handle: the siblings say (SiteAccounts)
            elif detection is not None:
                found.append(detection)
                if family is Family.ADVERTISING:
                    campaigns.saw_ad()
        if key.folded in CONFIG_KEYS:
            accounts.add_config(leaf)
        elif key.parent_rule is not None:
            parents, rule = key.parent_rule
            path = key_path(location)
            if len(path) >= 2 and fold(path[-2]) in parents:
                detection = rule(leaf, name, value, path[-2])
                if detection is not None:
                    found.append(detection)
        if _format_worth_checking(value):
            found.extend(format_only(leaf, name, value))
        if value[0] in "YySs" and len(value) > 17:
            titled = search_title(leaf, value)
            if titled is not None:
                found.append(titled)
        # a cheap first look for exception, stacktrace, frames, crash, minidump
        if "xception" in location or "tack" in location or "rame" in location or "rash" in location:
            crash.add(leaf, name)
        if key.fingerprint is not None:
            fingerprint.add(leaf, key.fingerprint, value)
        elif key.fingerprint_by_parent:
            path = key_path(location)
            category = fingerprint_category(path[-2]) if len(path) >= 2 else None
            if category is not None:
                fingerprint.add(leaf, category, value)
        if key.timing or ("iming" in location and _in_timing_object(location)):
            timings.add(leaf, name, value)
        if leaf.part in TERM_PARTS:
            if name:
                terms.add(leaf, name, value, key.words_and_terms)
            else:
                terms.add(leaf, _container_name(leaf), value)
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
        if kept is None or CONFIDENCES.index(detection.confidence) < CONFIDENCES.index(kept.confidence):
            best[where] = detection
    return list(best.values())
