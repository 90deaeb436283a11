"""Detections that one value proves on its own: key name plus format, or format alone.

Each rule gets the leaf, its key name, the stripped value and the name of
the enclosing object, and returns a :class:`Detection` or None. Rules for a
key family give ``likely`` hits; :func:`format_only` gives ``possible``
ones for values whose format alone says what they are (an email address
under an unrelated key, a number passing the IMEI check), except a
multi-line stack trace, which nothing else looks like.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flowaudit.payload.detectors import events, formats
from flowaudit.payload.detectors.evidence import hit, mask, mask_email, mask_hash, mask_ip, mask_url, quote
from flowaudit.payload.detectors.families import PERSON_PARENTS, PURCHASE_EVENTS, Family
from flowaudit.payload.detectors.keys import DEVICE_OBJECTS, fold, key_path
from flowaudit.payload.model import Detection, Leaf

DETECTOR = "generic:"
LIKELY = "likely"
POSSIBLE = "possible"

_PLACEHOLDERS = frozenset(
    {
        "null",
        "none",
        "nil",
        "undefined",
        "unknown",
        "0",
        "-1",
        "false",
        "true",
        "n/a",
        "na",
        "(null)",
        "{{auto}}",
        "anonymous",
        "guest",
        "[]",
        "{}",
        "$direct",
    }
)
_GENDERS = frozenset(
    "m f w d x male female other man woman nonbinary non-binary diverse homme femme hombre mujer mann frau".split()
)
_FRAME_MIN = 3

Rule = Callable[[Leaf, str, str, str], Detection | None]


def is_placeholder(value: str) -> bool:
    """Values that stand for "no value": sent in the field, but identify no one.

    Every detector and adapter asks this before reporting a value, so an
    all-zero advertising id (the opt-out value), an unfilled template macro
    (``%DID%``) and the hash of an empty field are never reported as data.
    """
    if len(value) > 64:  # placeholders are short: the longest is a sha256 of nothing
        return False
    if formats.is_placeholder_digest(value):
        return True
    if len(value) > 40:
        return False
    return (
        value.lower() in _PLACEHOLDERS
        or len(set(value)) == 1
        or formats.is_null_id(value)
        or formats.is_template(value)
    )


def _has_letter(value: str) -> bool:
    return any(c.isalpha() for c in value)


def _hashed(leaf: Leaf, name: str, value: str, data_type: str, what: str) -> Detection | None:
    kind = formats.hash_kind(value)
    if kind is None:
        return None
    how = f"key '{name}' + {kind} hex (hashed {what})"
    return hit(leaf, data_type, LIKELY, how, mask_hash(value), DETECTOR + what, value=value.lower())


def _email(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if formats.is_email(value):
        how = f"key '{name}' + email format"
        return hit(leaf, "contact.email", LIKELY, how, mask_email(value), DETECTOR + "email", value=value.lower())
    return _hashed(leaf, name, value, "contact.email", "email")


def _phone(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    digits = formats.phone_digits(value)
    if digits is not None:
        how = f"key '{name}' + phone number format"
        return hit(leaf, "contact.phone", LIKELY, how, mask(value), DETECTOR + "phone", value=digits)
    return _hashed(leaf, name, value, "contact.phone", "phone")


def _person_name(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if fold(name) in ("fn", "ln"):  # Meta's hashed first/last name fields
        return _hashed(leaf, name, value, "contact.name", "name")
    if len(value) > 100 or not _has_letter(value) or is_placeholder(value) or "@" in value or formats.is_url(value):
        return None
    return hit(leaf, "contact.name", LIKELY, f"key '{name}' + a name", mask(value), DETECTOR + "name")


def _address(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if len(value) < 5 or not _has_letter(value) or is_placeholder(value) or formats.is_url(value):
        return _hashed(leaf, name, value, "contact.address", "address")
    return hit(leaf, "contact.address", LIKELY, f"key '{name}' + an address", mask(value), DETECTOR + "address")


def _postcode(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    # Hashed, it is the postcode of the user's profile (advertising match keys): contact data,
    # not a location reading (rules/data-types.yml: contact.other).
    found = _hashed(leaf, name, value, "contact.other", "postcode")
    if found is not None:
        return found
    compact = value.replace(" ", "").replace("-", "")
    if not 3 <= len(compact) <= 10 or not compact.isalnum() or not any(c.isdigit() for c in compact):
        return None
    if is_placeholder(compact):
        return None
    return hit(leaf, "location.coarse", LIKELY, f"key '{name}' + a postcode", mask(value), DETECTOR + "postcode")


def _city(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if fold(name) == "ct":  # Meta's hashed city of the profile; "ct" means too many other things in clear
        return _hashed(leaf, name, value, "contact.other", "city")
    plain = value.replace(" ", "").replace("-", "").replace("'", "")
    if not 2 <= len(value) <= 60 or not plain.isalpha() or is_placeholder(value):
        return None
    return hit(leaf, "location.coarse", LIKELY, f"key '{name}' + a place name", quote(value), DETECTOR + "city")


def _profile(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    folded = fold(name)
    if folded in ("db", "ge"):  # Meta's hashed date of birth / gender
        return _hashed(leaf, name, value, "contact.other", "profile")
    if folded == "age":
        ok = value.isdigit() and 1 <= int(value) <= 120
    elif folded in ("gender", "sex"):
        ok = value.lower() in _GENDERS or formats.hash_kind(value) is not None
    else:  # dates of birth, birth year
        ok = 4 <= len(value) <= 30 and any(c.isdigit() for c in value) and not is_placeholder(value)
    if not ok:
        return None
    return hit(leaf, "contact.other", LIKELY, f"key '{name}' + a profile value", mask(value), DETECTOR + "profile")


def _advertising_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if is_placeholder(value):
        return None
    if formats.is_uuid(value):
        how = f"key '{name}' + UUID format"
    elif fold(name) == "oaid" and formats.is_hex(value, 16, 32, 64):
        how = f"key '{name}' + OAID format"
    else:
        return None
    return hit(
        leaf, "identifiers.advertising_id", LIKELY, how, mask(value), DETECTOR + "advertising_id", value=value.lower()
    )


def _device_id(leaf: Leaf, name: str, value: str, what: str) -> Detection:
    how = f"key '{name}' + {what}"
    return hit(leaf, "identifiers.device_id", LIKELY, how, mask(value), DETECTOR + "device_id", value=value)


def _uuid_device_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if formats.is_uuid(value) and not is_placeholder(value):
        return _device_id(leaf, name, value, "UUID format")
    return None


def _android_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if formats.is_hex(value, 15, 16) and not is_placeholder(value):
        return _device_id(leaf, name, value, "Android ID format (16 hex)")
    return None


def _firebase_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if formats.is_firebase_installation_id(value):
        return _device_id(leaf, name, value, "Firebase installation id format")
    return None


def _push_token(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if formats.is_hex(value, 64):
        return _device_id(leaf, name, value, "APNs token format (64 hex)")
    if formats.is_fcm_token(value):
        return _device_id(leaf, name, value, "FCM token format")
    if len(value) >= 32 and " " not in value and not is_placeholder(value):
        return _device_id(leaf, name, value, "push token")
    return None


def plausible_id(value: str) -> bool:
    """An identifier value: not a placeholder, not prose, not a flag, not a time in milliseconds, not a
    ``Math.random()`` cache buster."""
    if (
        is_placeholder(value)
        or len(value) > 200
        or " " in value.strip()
        or formats.is_epoch_millis(value)
        or formats.is_random_fraction(value)
    ):
        return False
    return len(value) >= 3 or (len(value) == 2 and value.isdigit())


def _any_device_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if len(value) >= 8 and plausible_id(value):
        return _device_id(leaf, name, value, "an identifier")
    return None


def _ga_client_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    head, dot, tail = value.partition(".")
    if (dot and head.isdigit() and tail.isdigit() and len(head) >= 5) or formats.is_uuid(value):
        return _device_id(leaf, name, value, "analytics client id format")
    return None


_ACCOUNT_NAMES = frozenset({"accountid", "profileid"})


def _scoped_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    """``client_id``, ``account_id``, ``instance_id``, ``profile_id``: whose id is it?

    Sites and SDKs name their own configuration by these words as often as
    their users: Pardot's ``account_id`` is the site owner's Pardot account,
    PayPal's ``client-id`` the merchant's app, a chat widget's ``client_id``
    the widget's, an ad exchange's ``account_id`` the publisher's, a page
    component's ``instanceId`` the component's; the same value then goes out
    for every visitor. Inside a user's or a device's object the id is the
    user's or the device's; elsewhere nothing in the request says whose it
    is, so it is only ``possible``. Vendors whose ``client_id`` is a
    per-browser id (Google Analytics ``cid``, the Measurement Protocol's
    ``client_id``) say so in their adapters, which are ``certain``.
    """
    if not plausible_id(value):
        return None
    folded = fold(name)
    data_type = "identifiers.user_id" if folded in _ACCOUNT_NAMES else "identifiers.device_id"
    for holder in reversed(key_path(leaf.location)[:-1]):
        owner = fold(holder)
        if owner in PERSON_PARENTS:
            how = f"key '{name}' inside '{holder}'"
            return hit(leaf, "identifiers.user_id", LIKELY, how, mask(value), DETECTOR + "user_id", value=value)
        if owner in DEVICE_OBJECTS:
            return _device_id(leaf, name, value, f"inside '{holder}'")
    how = f"key '{name}': the site's or SDK's own configuration id, or its user's; nothing says which"
    return hit(leaf, data_type, POSSIBLE, how, mask(value), DETECTOR + "scoped_id")


def path_user_id(leaf: Leaf, collection: str, value: str) -> Detection | None:
    """``/customers/<id>``, ``/users/<id>``: the REST convention puts the user id in the URL path."""
    if not plausible_id(value) or value.isalpha():
        return None
    how = f"URL path /{collection}/<id>"
    return hit(leaf, "identifiers.user_id", LIKELY, how, mask(value), DETECTOR + "user_id", value=value)


def _user_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if not plausible_id(value):
        return None
    if value.startswith("$device:"):  # Mixpanel's anonymous distinct_id is the device id
        return _device_id(leaf, name, value, "'$device:' prefix")
    how = f"key '{name}' + an identifier"
    return hit(leaf, "identifiers.user_id", LIKELY, how, mask(value), DETECTOR + "user_id", value=value)


def _user_or_browser_id(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    """``uid``, ``user_id``, ``external_user_id``: an account's id, or the browser's?

    Apps name their account ids so, and so do ad-tech tags and cookie syncs
    their pseudonymous id of the browser (``sync?uid=…``, ``external_user_id``
    of a partner's cookie), which Google Play counts as a device id ("relate
    to an individual device, browser or app"). Inside a user's object it is
    the account's. A machine-made value (a UUID, a long random token or
    number) is a generated id: the browser's or the device's, or an account
    id the app made the same way, reported as a device id. A handle
    (``user-4242``) in a body is the account's; in a tag's address or a
    cookie nothing says whose, so it is only ``possible``.
    https://support.google.com/googleplay/android-developer/answer/10787469
    """
    if not plausible_id(value):
        return None
    if value.startswith("$device:"):  # Mixpanel's anonymous distinct_id is the device id
        return _device_id(leaf, name, value, "'$device:' prefix")
    holder = next((k for k in reversed(key_path(leaf.location)[:-1]) if fold(k) in PERSON_PARENTS), None)
    if holder is not None:
        how = f"key '{name}' inside '{holder}'"
        return hit(leaf, "identifiers.user_id", LIKELY, how, mask(value), DETECTOR + "user_id", value=value)
    if formats.looks_generated(value):
        return _device_id(leaf, name, value, "a generated id (a browser's or device's pseudonymous id)")
    if leaf.part == "body":
        return _user_id(leaf, name, value, _parent)
    how = f"key '{name}' + a handle in the address: an account's id or the browser's"
    return hit(leaf, "identifiers.user_id", POSSIBLE, how, mask(value), DETECTOR + "user_id")


def _hardware(leaf: Leaf, name: str, value: str, what: str) -> Detection:
    how = f"key '{name}' + {what}"
    return hit(leaf, "identifiers.hardware_id", LIKELY, how, mask(value), DETECTOR + "hardware_id", value=value)


def _imei(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if value.isdigit() and 14 <= len(value) <= 16 and not is_placeholder(value):
        return _hardware(leaf, name, value, "IMEI format")
    if fold(name) == "meid" and formats.is_hex(value, 14):
        return _hardware(leaf, name, value, "MEID format")
    return None


def _mac(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    return _hardware(leaf, name, value, "MAC address format") if formats.is_mac(value) else None


def _serial(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if 6 <= len(value) <= 40 and value.replace("-", "").isalnum() and not is_placeholder(value):
        return _hardware(leaf, name, value, "a serial number")
    return None


def _ip(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    version = formats.ip_address(value)
    if version is None:
        return None
    how = f"key '{name}' + IP{version} address"
    return hit(leaf, "network.ip_address", LIKELY, how, mask_ip(value), DETECTOR + "ip_address", value=value)


def _coordinates(leaf: Leaf, name: str, value: str, parent: str) -> Detection | None:
    pair = formats.coordinate_pair(value)
    if pair is None:
        return _page_url(leaf, name, value, parent) if formats.is_url(value) else None
    lat, lon, decimals = pair
    if lat == 0 and lon == 0:
        return None
    data_type = "location.precise" if decimals >= 3 else "location.coarse"
    how = f"key '{name}' + lat,lon pair with {decimals} decimals"
    return hit(leaf, data_type, LIKELY, how, f"{lat:.1f}, {lon:.1f}", DETECTOR + "coordinates")


# Objects describing the SDK itself ("notifier": {"url": <the SDK's homepage>}), not a page the user saw.
_SDK_OBJECTS = frozenset({"notifier", "library", "sdk", "lib", "integrations", "client", "plugin"})


def _page_url(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if any(fold(key) in _SDK_OBJECTS for key in key_path(leaf.location)[:-1]):
        return None
    page = formats.page_url_in(value)
    if page is not None:
        excerpt = mask_url(page)
    elif formats.is_url(value):
        return None  # a file the page loads (a script, an image), not a page
    elif value.startswith("/") and fold(name) in ("page", "pagepath") and len(value) > 1:
        excerpt = mask(value)
    else:
        return None
    how = f"key '{name}' + a page URL"
    return hit(leaf, "browsing.history", LIKELY, how, excerpt, DETECTOR + "page_url")


def _search(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if len(value) > 200 or not _has_letter(value) or is_placeholder(value) or formats.is_url(value):
        return None
    return hit(leaf, "usage.search", LIKELY, f"key '{name}' + search text", mask(value), DETECTOR + "search")


# Titles search-result pages get from the most common site software, naming the search:
# WordPress core "Search Results for “%s”" (wp_get_document_title,
# https://developer.wordpress.org/reference/functions/wp_get_document_title/) and Yoast SEO's
# default search title "You searched for %%searchphrase%%"
# (https://yoast.com/help/list-available-snippet-variables-yoast-seo/). Trackers send the page
# title with every page view (GA dt, Meta's page features, UET tl).
_SEARCH_TITLES = ("you searched for ", "search results for ")
_QUOTES = "\"'“”‘’«»"
_TITLE_SEPARATOR = re.compile(r"\s[|\-–—>»:·•]+\s")  # before the site's name: "… | Shop", "… > Shop"


def search_title(leaf: Leaf, value: str) -> Detection | None:
    """A page title that names the visitor's search on the site (``You searched for pregnancy``)."""
    low = value[:20].lower()
    prefix = next((p for p in _SEARCH_TITLES if low.startswith(p)), None)
    if prefix is None or len(value) > 300:
        return None
    term = _TITLE_SEPARATOR.split(value[len(prefix) :], 1)[0].strip().strip(_QUOTES).strip()
    if not term or not _has_letter(term) or is_placeholder(term):
        return None
    how = "a page title naming the search on the site"
    return hit(leaf, "usage.search", LIKELY, how, mask(term), DETECTOR + "search")


def _weak_search(leaf: Leaf, name: str, value: str, parent: str) -> Detection | None:
    found = _search(leaf, name, value, parent)
    if found is None or leaf.part not in ("query", "body"):
        return None
    return hit(leaf, "usage.search", POSSIBLE, f"key '{name}' (a query?)", found.excerpt, DETECTOR + "search")


def _purchase(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    """An amount (``revenue``, ``price``; a purchase only in a purchase event: see
    :mod:`~flowaudit.payload.detectors.commerce`) or the id of a transaction (``order_id``)."""
    if fold(name).endswith("id"):
        if not plausible_id(value):
            return None
        how = f"key '{name}' + a transaction id"
    elif formats.is_amount(value):
        how = f"key '{name}' + an amount"
    else:
        return None
    return hit(leaf, "financial.purchase", LIKELY, how, mask(value), DETECTOR + "purchase")


def _card_number(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    digits = value.replace(" ", "").replace("-", "")
    if 13 <= len(digits) <= 19 and digits.isdigit() and formats.luhn_ok(digits):
        how = f"key '{name}' + card number passing the Luhn check"
        return hit(leaf, "financial.payment", LIKELY, how, "•••• " + digits[-4:], DETECTOR + "payment")
    return None


def _event(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if is_placeholder(value) or len(value) > 200 or events.is_machinery(value):
        return None
    if fold(value) in PURCHASE_EVENTS:
        how = f"event '{value}' is a purchase"
        return hit(leaf, "financial.purchase", LIKELY, how, quote(value), DETECTOR + "purchase")
    how = f"key '{name}' + an event name"
    return hit(leaf, "usage.interactions", LIKELY, how, quote(value), DETECTOR + "event")


_IN_CARRIED_URL = " > query:"  # the walker's step into the query of a URL inside a value


def _weak_event(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    """``e``, ``type``, ``action``: an event only when the value is a user interaction by name.

    Not inside a URL carried as a value (a link or an image of a page snapshot, a redirect):
    its parameters are what a request to that URL would report, not an event of this one.
    """
    if is_placeholder(value) or formats.is_url(value) or _IN_CARRIED_URL in leaf.location:
        return None
    named = events.interaction(value)
    if named is None:
        return None
    how = f"key '{name}' + '{named}', a user interaction by name"
    return hit(leaf, "usage.interactions", LIKELY, how, quote(named), DETECTOR + "event")


def _fingerprint_hash(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    """``fp=2492086463``, ``fprnt=164c…``: a hash the tag computed from the browser's attributes.

    Only a hash's shapes count (6 to 20 digits: a 32-bit hash; 8 to 64 hex characters), so a
    flag (``fp=0``) or another meaning of the name (``fp=client=ca-pub-…``) is no fingerprint.
    """
    digits = value.isdigit() and 6 <= len(value) <= 20
    if is_placeholder(value) or not (digits or formats.is_hex(value, *range(8, 65))):
        return None
    how = f"key '{name}' + a hash of the browser's attributes"
    return hit(leaf, "device.fingerprint", LIKELY, how, mask(value), DETECTOR + "fingerprint")


def _advertising(leaf: Leaf, name: str, value: str, _parent: str) -> Detection | None:
    if is_placeholder(value):
        return None
    how = f"key '{name}' (ad click, campaign or ad revenue)"
    return hit(leaf, "usage.advertising", LIKELY, how, mask(value), DETECTOR + "advertising")


RULES: dict[Family, Rule] = {
    Family.EMAIL: _email,
    Family.PHONE: _phone,
    Family.PERSON_NAME: _person_name,
    Family.ADDRESS: _address,
    Family.POSTCODE: _postcode,
    Family.CITY: _city,
    Family.PROFILE: _profile,
    Family.ADVERTISING_ID: _advertising_id,
    Family.VENDOR_ID: _uuid_device_id,
    Family.APP_SET_ID: _uuid_device_id,
    Family.ANDROID_ID: _android_id,
    Family.FIREBASE_ID: _firebase_id,
    Family.PUSH_TOKEN: _push_token,
    Family.DEVICE_ID: _any_device_id,
    Family.GA_CLIENT_ID: _ga_client_id,
    Family.SCOPED_ID: _scoped_id,
    Family.USER_ID: _user_id,
    Family.USER_OR_BROWSER_ID: _user_or_browser_id,
    Family.IMEI: _imei,
    Family.MAC: _mac,
    Family.SERIAL: _serial,
    Family.IP: _ip,
    Family.COORDINATES: _coordinates,
    Family.PAGE_URL: _page_url,
    Family.SEARCH: _search,
    Family.SEARCH_WEAK: _weak_search,
    Family.PURCHASE: _purchase,
    Family.CARD_NUMBER: _card_number,
    Family.EVENT: _event,
    Family.EVENT_WEAK: _weak_event,
    Family.ADVERTISING: _advertising,
    Family.FINGERPRINT_HASH: _fingerprint_hash,
}

# Generic names that mean something inside a telling object: {"user": {"id": ..., "name": ...}},
# {"device": {"token": ...}}. Name -> (enclosing objects, rule).
PARENT_RULES: dict[str, tuple[frozenset[str], Rule]] = {
    "id": (PERSON_PARENTS, _user_id),
    "name": (PERSON_PARENTS, _person_name),
    "token": (DEVICE_OBJECTS, _push_token),
}


def format_only(leaf: Leaf, name: str, value: str) -> list[Detection]:
    """What a value's format says without a telling key (``possible``, except stack traces)."""
    found: list[Detection] = []
    first = value[0]
    if "@" in value:
        if formats.is_email(value):
            found.append(
                hit(leaf, "contact.email", POSSIBLE, "email format", mask_email(value), DETECTOR + "email", value=value)
            )
        else:
            for address in formats.emails_in(value)[:1]:
                how = "email address inside a text"
                found.append(
                    hit(leaf, "contact.email", POSSIBLE, how, mask_email(address), DETECTOR + "email", value=address)
                )
    if first == "+" and formats.is_e164(value):
        found.append(hit(leaf, "contact.phone", POSSIBLE, "E.164 phone format", mask(value), DETECTOR + "phone"))
    elif first.isdigit() or ":" in value:
        if formats.is_imei(value):
            how = "15 digits passing the IMEI (Luhn) check"
            found.append(hit(leaf, "identifiers.hardware_id", POSSIBLE, how, mask(value), DETECTOR + "hardware_id"))
        elif "version" not in fold(name) and formats.ip_address(value) is not None:
            how = "IP address format"
            found.append(hit(leaf, "network.ip_address", POSSIBLE, how, mask_ip(value), DETECTOR + "ip_address"))
        elif formats.is_mac(value):
            found.append(
                hit(leaf, "identifiers.hardware_id", POSSIBLE, "MAC address format", mask(value), DETECTOR + "mac")
            )
    if "\n" in value:
        frames = formats.stack_frames(value)
        if frames >= _FRAME_MIN:
            # Frames without the error they belong to say where code ran, not that it failed:
            # only a possible crash (an error line sent in another field would make it one).
            if formats.is_call_trace(value):
                how, confidence = f"stack frames without an error line ({frames} frames): a call trace", POSSIBLE
            else:
                how, confidence = f"stack trace ({frames} frames)", LIKELY
            excerpt = quote(value.strip().splitlines()[0])
            found.append(hit(leaf, "diagnostics.crash", confidence, how, excerpt, DETECTOR + "crash"))
    return found
