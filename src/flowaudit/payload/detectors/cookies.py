"""Browser ids in cookies that no adapter names.

A third-party cookie exists to recognise the browser on the next request:
that is what ad-tech and analytics companies set them for, whatever they call
them (``CMID``, ``tuuid``, ``TapAd_DID``, ``IMRID``, ``lr_uid``, ``uuid``, ...).
A cookie whose name says it holds an id (``…id``, ``…uid``, ``…uuid``,
``…guid``, an ``id`` word) and whose value is shaped like a generated id (a
UUID, long hex, a long number, or a long token mixing letters and digits)
is reported as a device id, ``likely``: both halves are needed, as for any
generic detection (a bare ``b`` or ``AEC`` cookie of random bytes may be an
anti-abuse token; an ``id`` cookie holding ``en`` is no id). Cookies named by
a vendor adapter are ``certain`` there and win.

Never reported: cookies under a credential name (sessions, tokens: those
are secrets, masked in every output), and structured values (consent
strings, sync lists with ``=``, ``&`` or ``|``), dates and timestamps.
The decoder has already walked into values that hold JSON, base64 or URLs;
only a cookie's top-level value is judged here.
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


def looks_like_browser_id(value: str) -> bool:
    """A generated id: a UUID, a hash-length hex string, a number of 16+ digits that is no timestamp,
    or a token of 16+ characters with at least four digits and four letters."""
    value = value.strip()
    if is_uuid(value) or hash_kind(value) is not None:
        return True
    if not _TOKEN.fullmatch(value) or _TIMESTAMP.fullmatch(value) or len(set(value)) < 6:
        return False
    if value.isdigit():
        return True
    return len(_DIGITS.findall(value)) >= 4 and len(_LETTERS.findall(value)) >= 4


def names_an_id(name: str) -> bool:
    """``CMID``, ``tuuid``, ``TapAd_DID``, ``lr_uid``, ``id5``, ``visitor-id``: the name announces an id."""
    folded = fold(name)
    return folded.endswith(("id", "ids")) or "uuid" in folded or "guid" in folded or "id" in words(name)


def detect_cookie_ids(decoded: DecodedRequest, skip: Collection[str] = ()) -> list[Detection]:
    """A device id for each cookie holding a generated id (its own value, not something decoded from it)."""
    found: list[Detection] = []
    for leaf in decoded.leaves:
        if leaf.part != "cookie" or leaf.decoding != ("cookie",) or leaf.location in skip:
            continue
        name = leaf.key or ""
        if not name or not names_an_id(name) or is_secret_name(name) or under_credential(leaf.location):
            continue
        if looks_like_browser_id(leaf.value):
            how = f"cookie {name!r}: an id cookie holding a generated id (it recognises the browser)"
            found.append(
                hit(leaf, "identifiers.device_id", "likely", how, mask(leaf.value), DETECTOR, value=leaf.value.strip())
            )
    return found
