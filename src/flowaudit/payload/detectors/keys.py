"""Key names and key paths of decoded values, as detectors compare them.

A leaf's ``location`` (``body > form:data > json:[0].properties.$email``)
is written for readers; detectors and vendor adapters need the key names
on the way to the value, without list positions or codec steps:
``("data", "properties", "$email")``. Bracketed names count as keys, so a
form field literally named ``ud[em]`` and a decoder that nested it as
``ud`` > ``em`` give the same path, and so do the GA4 parameter
``ep.search_term`` and a nested ``ep`` > ``search_term``.

Keys are compared *folded* (lower case, separators dropped) because SDKs
spell the same field ``user_id``, ``userId``, ``$user_id`` and ``USER-ID``.

Credentials are recognised here too: a value under ``Authorization``, an
API key or a token is never personal data to report, whatever it looks
like (a bearer JWT holds an email, a Basic header a write key). The test is
narrower than :func:`flowaudit.redact.is_secret_name`, which masks
generously for output; here a false match would hide real data (``keyword``
is a search term, ``signup_email`` an email, ``push_token`` a device id).
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEGMENT = " > "
_KIND = re.compile(r"[A-Za-z0-9_+-]+:(.*)", re.S)
# [3] list index | [*] | ["quoted key"] | [bare key] | dotted name
_TOKEN = re.compile(r'\[(\d+)\]|\[(\*)\]|\["((?:[^"\\]|\\.)*)"\]|\[([^\]]*)\]|([^.\[\]]+)')
_POSITION = re.compile(r"\[\d+\]")  # _TOKEN's list index
_FOLD = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORDS = re.compile(r"[^\W\d_]+|\d+")

_CACHE = 1 << 12  # bounded small: memory must not grow with the capture


@lru_cache(maxsize=_CACHE)
def key_path(location: str) -> tuple[str, ...]:
    """The key names from the root of the request to a value, list positions left out."""
    names: list[str] = []
    for segment in location.split(_SEGMENT):
        found = _KIND.match(segment)
        if found is None:  # "body", "gzip": a step without a path
            continue
        names.extend(path_names(found.group(1)))
    return tuple(names)


def shaped(location: str) -> str:
    """The location with every list position written ``[0]`` when list positions are its only
    brackets, else the location itself: a list of a hundred stack frames or DOM nodes has a
    hundred locations and one shape. Not cached: it is asked of a location the first time a
    request's leaf is met there (:mod:`~flowaudit.payload.detectors.generic` keeps the place
    it names), and on the bench HAR 92% of them were not asked before (a cache of 4,096 missed
    79,640 of 86,231), each miss costing the cache almost as much again as the shape.

    Locations of one shape have one key path: :func:`key_path` drops list positions, and when
    every ``[`` starts one, ``_TOKEN`` reads each as a position (a quoted or bracketed key,
    whose text could hold a position, starts with a ``[`` of its own and keeps the location).
    They also hold the same text outside their positions, so a piece of text without digits
    or brackets (a word, ``" > query:"``) is in both or in neither, at the same offset from the
    start when it comes before the first position."""
    if "[" not in location:
        return location
    # What the list position pattern's substitution gives (_POSITION: a "[", decimal digits, a
    # "]"), without it: each "[" must start one, or the location is its own shape. A regular
    # expression cost several times more on the long locations of real pages (DOM paths).
    pieces = location.split("[")
    for at in range(1, len(pieces)):
        piece = pieces[at]
        end = piece.find("]")
        if end <= 0 or not piece[:end].isdecimal():
            return location
        if end > 1 or piece[0] != "0":
            pieces[at] = "0" + piece[end:]
    return "[".join(pieces)


def path_names(path: str) -> list[str]:
    """Names in one dotted/bracketed path. ``[3]`` and ``[*]`` (any list position) are no names;
    a bare ``*`` or ``**`` stays, for adapter patterns to read as wildcards.

    A path whose only brackets are list positions (most: ``events[0].threads[12].name``) is
    split at its dots and positions, as ``_TOKEN`` would cut it, without a match per name."""
    dotted = _POSITION.sub(".", path) if "[" in path else path
    if "[" not in dotted and "]" not in dotted:
        return [name for name in dotted.split(".") if name]
    return parsed_names(path)


def parsed_names(path: str) -> list[str]:
    """:func:`path_names` by ``_TOKEN``, for paths of any brackets."""
    names: list[str] = []
    for _index, _star, quoted, bracket, bare in _TOKEN.findall(path):
        name = quoted or bracket or bare
        if name:
            names.append(name)
    return names


def object_location(location: str, key: str | None) -> str:
    """The location of the object holding a value: the value's location without its key
    (``body > json:events[1].params.value`` -> ``body > json:events[1].params.``); values of
    one object share it, and an enclosing object's is a prefix of it."""
    return location[: -len(key)] if key and location.endswith(key) else location


@lru_cache(maxsize=_CACHE)
def leaf_name(key: str) -> str:
    """The last name in a key: ``ud[em]`` -> ``em``, ``ep.search_term`` -> ``search_term``."""
    names = path_names(key)
    return names[-1] if names else key


@lru_cache(maxsize=_CACHE // 2)  # names: a few hundred hot ones, then the odd new one (an id as a key)
def fold(name: str) -> str:
    """``$user_id``, ``userId``, ``User-ID`` -> ``userid``. An ASCII name (almost all) is folded
    by :func:`fold_ascii`'s one C loop: a name not cached (a tenth of those asked on the bench
    HAR: ids as keys, new list positions) cost a substitution by regular expression."""
    if name.isascii():
        return fold_ascii(name).decode("ascii")
    return _FOLD.sub("", name).lower()


@lru_cache(maxsize=_CACHE)
def words(name: str) -> tuple[str, ...]:
    """A key split into lower-case words: ``location_lat`` and ``locationLat`` -> ``("location", "lat")``."""
    return tuple(w.lower() for w in _WORDS.findall(_CAMEL.sub(" ", name)))


# Folded names whose value is a credential. Exact names, then endings.
_CREDENTIAL_NAMES = frozenset(
    {
        "authorization",
        "proxyauthorization",
        "auth",
        "xsentryauth",
        "sentrykey",
        "apikey",
        "xapikey",
        "apisecret",
        "apitoken",
        "token",
        "secret",
        "password",
        "passwd",
        "writekey",
        "devkey",
        "appsecret",
        "clientsecret",
        "accesskey",
        "secretkey",
        "privatekey",
        "branchkey",
        "signature",
        "xgoogapikey",
        "cookie",
        "setcookie",
    }
)
_CREDENTIAL_ENDINGS = ("token", "secret", "password", "apikey", "writekey", "accesskey")
# Tokens that identify a device for push messaging: data (identifiers.device_id), not credentials.
_DEVICE_TOKEN_STARTS = ("push", "device", "fcm", "apns", "gcm", "registration", "notification", "firebase")


@lru_cache(maxsize=_CACHE)
def is_credential_name(name: str) -> bool:
    """Whether a header, parameter or field of this name carries a credential."""
    folded = fold(name)
    if folded in _CREDENTIAL_NAMES:
        return True
    return folded.endswith(_CREDENTIAL_ENDINGS) and not folded.startswith(_DEVICE_TOKEN_STARTS)


# A bare "token" inside these objects is a push token (Segment's context.device.token).
DEVICE_OBJECTS = frozenset({"device", "push", "notification", "notifications", "apns", "fcm"})


# What every folded credential name holds (one of them): a location whose folded text holds
# none of them has no credential name on its way (see :func:`may_name_credential`).
CREDENTIAL_WORDS = (b"auth", b"key", b"token", b"secret", b"passw", b"signature", b"cookie")
_CREDENTIAL_WORD = re.compile(b"|".join(CREDENTIAL_WORDS))
# bytes.translate's table and deletions that fold ASCII text as :func:`fold` does: letters
# lowered, all but letters and digits dropped (``_FOLD``'s ``[\W_]`` is exactly those in ASCII).
_LOWER_ASCII = bytes(range(256)).lower()
_NOT_WORD_ASCII = bytes(code for code in range(128) if not chr(code).isalnum())


def fold_ascii(text: str) -> bytes:
    """:func:`fold` of an ASCII text, as bytes, in one C loop (no regular expression)."""
    return text.encode("ascii").translate(_LOWER_ASCII, _NOT_WORD_ASCII)


def may_name_credential(location: str) -> bool:
    """False when no key of this location can name a credential, told without parsing it.

    Every key name of a location (:func:`key_path`) is a piece of its text after its first
    ``:`` (a segment's names follow its kind, ``json:``, and a segment without one has none),
    so the folded text of that part of an ASCII location holds the folded text of every key
    name on the way; each credential name and ending (:data:`_CREDENTIAL_NAMES`,
    :data:`_CREDENTIAL_ENDINGS`) holds one of :data:`CREDENTIAL_WORDS`. A location whose
    folded names' text holds none of them is under no credential. Most are (list positions
    make a new location of every stack frame or DOM node), and folding costs a fraction of
    parsing the location. Locations with other than ASCII characters are not folded so
    (Unicode has more separators): True."""
    if not location.isascii():
        return True
    return _CREDENTIAL_WORD.search(fold_ascii(location[location.find(":") + 1 :])) is not None


@lru_cache(maxsize=_CACHE)
def under_credential(location: str) -> bool:
    """Whether any key on the way to this value names a credential (the value is then never data).
    Cached: asked of every value of every request, and requests repeat their shapes."""
    return may_name_credential(location) and names_credential(key_path(location))


def names_credential(path: tuple[str, ...]) -> bool:
    """Whether a key of this key path names a credential (:func:`under_credential`)."""
    for depth, name in enumerate(path):
        if is_credential_name(name):
            if fold(name) == "token" and depth and fold(path[depth - 1]) in DEVICE_OBJECTS:
                continue
            return True
    return False
