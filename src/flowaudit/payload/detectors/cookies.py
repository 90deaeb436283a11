"""Browser ids in cookies that no adapter names.

A third-party cookie exists to recognise the browser on the next request:
that is what ad-tech and analytics companies set them for, whatever they call
them (``CMID``, ``tuuid``, ``TapAd_DID``, ``IMRID``, ``lr_uid``, ``uuid``, ...).
A cookie whose name says it holds an id (``…id``, ``…uid``, ``…uuid``,
``…guid``, an ``id`` word) and whose value, or one field of it (Rubicon's
``ruid`` is ``<hex>^1^<time>^<n>``), is shaped like a generated id (a UUID,
long hex, a long number, or a long token mixing letters and digits) is
reported as a device id, ``likely``: both halves are needed, as for any
generic detection (a bare ``b`` or ``AEC`` cookie of random bytes may be an
anti-abuse token; an ``id`` cookie holding ``en`` is no id). Cookies named by
a vendor adapter are ``certain`` there and win.

Sent to a third party whose business is advertising or analytics (the
caller says so: ``tracker``), the name need not announce an id: an ad-tech
company sets its cookie to recognise the browser, whatever it calls it
(Quantcast ``d`` and ``mc``, RTB House ``g``). There a cookie is a device
id when its value, or a field of it (``<uuid>#<time>#1``, ``<token>_<time>``),
is a generated id of 16 or more characters. Not its consent cookies (``euconsent-v2``,
``usprivacy``: the user's choices, read by the consent signals), nor the
cookies of load balancers and bot defences (``AWSALB``, ``__cf_bm``,
``_abck``): infrastructure that pins or screens a connection.

A cookie that holds a JSON object is judged by its top-level fields: a field
whose name announces an id (``{"id": "33a12b9c…"}``, Canned Banners'
``cannedbanners_dynamic``) holding a generated id is the cookie's id of the
browser, as if the cookie held it bare; a session's id is not.

Never reported: cookies under a credential name (sessions, tokens: those
are secrets, masked in every output), and structured values (consent
strings, sync lists with ``=``, ``&`` or ``|``), dates and timestamps.
The decoder has already walked into values that hold JSON, base64 or URLs;
only a cookie's top-level value, or a top-level field of its JSON, is judged here.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from flowaudit.payload.detectors.evidence import hit, mask
from flowaudit.payload.detectors.formats import hash_kind, is_uuid
from flowaudit.payload.detectors.keys import fold, under_credential, words
from flowaudit.payload.model import DecodedRequest, Detection
from flowaudit.redact import is_secret_name

DETECTOR = "generic:cookie_id"
_TOKEN = re.compile(r"[A-Za-z0-9._\-:+/~]{16,200}")
_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")
_TIMESTAMP = re.compile(r"1[0-9]{9}(?:[0-9]{3})?(?:\.[0-9]+)?")  # epoch seconds or milliseconds
# Separators between the fields of one cookie value (<uuid>#<time>#1, <token>_<time>, <id>.<time>,
# Rubicon's ruid <hex>^1^<time>^<n>).
_FIELDS = re.compile(r"[#|_.:,^]")
# Words of cookie names that hold the user's consent choices, not an id.
_CONSENT_WORDS = ("consent", "gdpr", "ccpa", "usprivacy", "optout", "gpp", "tcf", "cmp")
# Load balancers' stickiness and bot defences' cookies (AWS ELB, Cloudflare, Akamai Bot Manager, Imperva,
# Google's AEC: "ensures that requests within a browsing session are made by the user",
# https://policies.google.com/technologies/cookies).
_INFRASTRUCTURE = (
    "awsalb",
    "awselb",
    "cfbm",
    "cfclearance",
    "cflb",
    "abck",
    "bmsz",
    "bmsv",
    "akbmsc",
    "incapses",
    "aec",
)


def looks_like_browser_id(value: str) -> bool:
    """A generated id: a UUID, a hash-length hex string, a number of 16+ digits that is no timestamp,
    or a token of 16+ characters with at least four digits and four letters."""
    value = value.strip()
    if is_uuid(value) or hash_kind(value) is not None:
        return True
    if not _TOKEN.fullmatch(value) or _TIMESTAMP.fullmatch(value) or len(set(value)) < 6:
        return False
    if value.removeprefix("-").isdigit():  # a signed 64-bit number: Dynamic Yield's DYID
        return True
    return len(_DIGITS.findall(value)) >= 4 and len(_LETTERS.findall(value)) >= 4


def names_an_id(name: str) -> bool:
    """``CMID``, ``tuuid``, ``TapAd_DID``, ``lr_uid``, ``id5``, ``visitor-id``: the name announces an id."""
    folded = fold(name)
    return folded.endswith(("id", "ids")) or "uuid" in folded or "guid" in folded or "id" in words(name)


def detect_cookie_ids(decoded: DecodedRequest, skip: Collection[str] = (), *, tracker: bool = False) -> list[Detection]:
    """A device id for each cookie holding a generated id (its own value, not something decoded from it);
    sent to a ``tracker``, whatever the cookie's name."""
    found: list[Detection] = []
    for leaf in decoded.leaves:
        if leaf.part != "cookie" or leaf.location in skip:
            continue
        name = leaf.key or ""
        if not name or is_secret_name(name) or under_credential(leaf.location):
            continue
        value = leaf.value.strip()
        if leaf.decoding == _JSON_FIELD:
            cookie, _, field = leaf.location.removeprefix("cookie:").partition(" > json:")
            if not _json_field_id(cookie, field, value):
                continue
            how = f"cookie {cookie!r}, its JSON field {field!r}: a generated id (it recognises the browser)"
        elif leaf.decoding != ("cookie",):
            continue
        elif names_an_id(name) and _holds_generated_id(value):
            how = f"cookie {name!r}: an id cookie holding a generated id (it recognises the browser)"
        elif tracker and _tracker_cookie_id(name, value):
            how = f"cookie {name!r} of an ad-tech or analytics company: a generated id (it recognises the browser)"
        else:
            continue
        found.append(hit(leaf, "identifiers.device_id", "likely", how, mask(value), DETECTOR, value=value))
    return found


# A top-level field of a cookie that holds a JSON object.
_JSON_FIELD = ("cookie", "json")


def _json_field_id(cookie: str, field: str, value: str) -> bool:
    """A top-level JSON field (no nesting) named as an id, of a cookie that is no secret, session or
    consent record, holding a generated id."""
    if not field or any(c in field for c in ".[") or is_secret_name(cookie):
        return False
    folded = fold(cookie)
    if any(word in folded for word in _CONSENT_WORDS) or is_session_name(folded) or is_session_name(fold(field)):
        return False
    return names_an_id(field) and _holds_generated_id(value)


def is_session_name(folded: str) -> bool:
    """``PHPSESSID``, ``session``, Dynamic Yield's ``DYSES``: one visit's id, new on the next."""
    return "sess" in folded or folded.endswith("ses")


def _tracker_cookie_id(name: str, value: str) -> bool:
    """A tracker's cookie whose value, or one field of it, is a generated id; not consent or infrastructure."""
    folded = fold(name)
    if any(word in folded for word in _CONSENT_WORDS) or folded.startswith(_INFRASTRUCTURE) or is_session_name(folded):
        return False
    return _holds_generated_id(value)


def _holds_generated_id(value: str) -> bool:
    """The value, or one field of it, is a generated id; a list of pairs (sync states, settings) is not."""
    if "=" in value or "&" in value:
        return False
    return looks_like_browser_id(value) or any(looks_like_browser_id(part) for part in _FIELDS.split(value))
