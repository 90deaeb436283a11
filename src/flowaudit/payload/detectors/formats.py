"""What values look like: the format half of each generic detector.

Each test takes a stripped string and answers quickly; the cheap checks
(length, first character) come before any regular expression, since they
run on every value of every request.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re

from flowaudit.urls import split_url

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})"
)
_EMAIL_IN_TEXT = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-])"
)
# "icon@2x.png" is an asset name, not an address: endings that are file types.
_FILE_ENDINGS = frozenset(
    "png jpg jpeg gif webp svg ico bmp tif tiff heic avif css js mjs map json xml html htm txt pdf zip gz mp3 mp4 "
    "mov avi webm wav ogg woff woff2 ttf otf eot plist nib storyboard car dylib so".split()
)
_HEX = re.compile(r"[0-9a-fA-F]+")
_RANDOM_FRACTION = re.compile(r"0\.[0-9]{6,}")
_STAMPED_RANDOM = re.compile(r"[0-9]{6,}[._-]([0-9]{10})")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PHONE_CHARS = re.compile(r"\+?[\d\s().-]{7,24}")
_NON_DIGIT = re.compile(r"\D")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}")
_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:\.(\d+))?")
_PAIR = re.compile(r"\s*([+-]?\d{1,2}(?:\.\d+)?)\s*[,;/ ]\s*([+-]?\d{1,3}(?:\.\d+)?)\s*")
# Addresses of local networks (RFC 1918, carrier-grade NAT RFC 6598, IPv6 unique local RFC 4193):
# every home and office reuses them.
_LAN = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_IPV4_SHAPE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_IPV6_CHARS = re.compile(r"[0-9A-Fa-f:.]{2,45}")
_FCM_TOKEN = re.compile(r"[A-Za-z0-9_-]{11,}:[A-Za-z0-9_-]{100,}")
_FIREBASE_FID = re.compile(r"[cdef][A-Za-z0-9_-]{21}")
# One frame line of a Java/JS, Python or native stack trace, to its end.
_STACK_FRAME = re.compile(
    r"(?:^\s+at [\w.$<>/\[\]-]+ ?\(|^\s*File \"[^\"]+\", line \d+"
    r"|^\s*#\d+\s+0x[0-9a-f]+|^\s*\d+\s+\S+\s+0x[0-9a-f]{6,})[^\n]*",
    re.M,
)

HASH_NAMES = {32: "md5", 40: "sha1", 64: "sha256"}
_NULL_ID_CHARS = frozenset("0-:. ")


def is_email(value: str) -> bool:
    """A whole value that is an email address (not ``icon@2x.png``)."""
    if "@" not in value or len(value) > 254:
        return False
    found = _EMAIL.fullmatch(value)
    return found is not None and found.group(1).lower() not in _FILE_ENDINGS


def emails_in(text: str) -> list[str]:
    """Email addresses inside a longer text."""
    if "@" not in text:
        return []
    return [m.group(0) for m in _EMAIL_IN_TEXT.finditer(text) if m.group(1).lower() not in _FILE_ENDINGS]


# What tags hash when a form field is empty or a template was never filled: the digest of
# nothing is no email. Seen on real sites: criteo m=[sha256("")], TikTok auto_phone_number and
# Meta udff[ph] = sha256("1"), Pinterest pd.em = sha256("<user_email_address>").
_PLACEHOLDER_TEXTS = (
    "",
    "0",
    "1",
    "-1",
    "null",
    "none",
    "nil",
    "undefined",
    "unknown",
    "false",
    "true",
    "n/a",
    "<user_email_address>",
)
_PLACEHOLDER_DIGESTS = frozenset(
    getattr(hashlib, kind)(text.encode()).hexdigest() for text in _PLACEHOLDER_TEXTS for kind in HASH_NAMES.values()
)
# An ad or tag template whose macro was never filled in: %DID%, $UID, [OrderId], {{user_id}}, ${UID}, __UID__
# (upper-case after $: "$pageview", "$email" are real names of PostHog, Mixpanel, Amplitude).
_TEMPLATE = re.compile(r"%\w+%|\$\{?[A-Z][A-Z0-9_]*\}?|\[[A-Za-z_][\w ]*\]|\{\{[^{}]*\}\}|__[A-Z][A-Z0-9_]*__")


def hash_kind(value: str) -> str | None:
    """``md5``, ``sha1`` or ``sha256`` for a hex digest of that length, else None (also for
    the digest of an empty or placeholder text: it hashes nothing)."""
    kind = HASH_NAMES.get(len(value))
    if kind is None or not _HEX.fullmatch(value):
        return None
    if len(set(value)) < 4 or value.lower() in _PLACEHOLDER_DIGESTS:  # padding, or the hash of nothing
        return None
    return kind


def is_placeholder_digest(value: str) -> bool:
    """The md5, sha1 or sha256 of an empty or placeholder text (``sha256("")``, ``sha256("1")``)."""
    return len(value) in HASH_NAMES and value.lower() in _PLACEHOLDER_DIGESTS


def is_template(value: str) -> bool:
    """An unfilled macro of an ad or tag template (``%DID%``, ``$UID``, ``[CACHEBUSTER]``)."""
    return value[:1] in "%$[{_" and _TEMPLATE.fullmatch(value) is not None


def is_null_id(value: str) -> bool:
    """An id of zeros only, separators aside (``00000000-0000-0000-0000-000000000000``).

    It is the value an OS hands out when there is no id to give: the IDFA when
    App Tracking Transparency is not authorised, the Android advertising id
    after the user deleted it, a nil IDFV. It identifies no one; sent in an
    advertising-id field it says that tracking is off, which the consent
    signals report (``zero-advertising-id``), never an id sent.
    https://developer.apple.com/documentation/adsupport/asidentifiermanager/advertisingidentifier
    https://support.google.com/googleplay/android-developer/answer/6048248
    """
    return "0" in value and _NULL_ID_CHARS.issuperset(value)


def is_uuid(value: str) -> bool:
    return len(value) == 36 and value[8] == "-" and _UUID.fullmatch(value) is not None


def looks_generated(value: str) -> bool:
    """A machine-made id: a UUID, 10 or more digits, a random number joined to the time it was
    made (``1619586456_1599559358``: Ascend's visitor ids, as Google Analytics' ``<random>.<time>``),
    or 16 or more characters mixing letters and digits; not a handle a person or an app chose
    (``user-4242``, ``jane``, ``74531``)."""
    if is_uuid(value) or (len(value) >= 10 and value.isdigit()) or _stamped_random(value):
        return True
    if len(value) < 16 or " " in value or "@" in value:
        return False
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


_BASE64URL = re.compile(r"[A-Za-z0-9_-]{20,200}")
# In random base64 about two characters in three change class (upper, lower, digit) from the one
# before; in words written in camel case (SubscribeNowBar1Hover) fewer than two in five do.
_RANDOM_CLASS_CHANGES = 0.45


def _char_class(c: str) -> int:
    return 0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3


def looks_like_random_token(value: str) -> bool:
    """20 or more characters of base64url that read as random bytes written out (Google's cookie-matching
    id ``google_gid=CAESE…``), which may hold fewer than four digits: upper case, lower case and a digit,
    changing class as often as random text does. Words and labels in camel case change far less."""
    if not _BASE64URL.fullmatch(value) or not any(c.isdigit() for c in value):
        return False
    classes = [_char_class(c) for c in value]
    if 0 not in classes or 1 not in classes:
        return False
    changes = sum(a != b for a, b in zip(classes, classes[1:], strict=False))
    return changes >= _RANDOM_CLASS_CHANGES * (len(value) - 1)


def is_epoch_millis(value: str) -> bool:
    """13 digits that read as milliseconds since 1970 between 2001 and 2042: a time, not an id
    (ForeSee's ``uid=1514906720133``)."""
    return len(value) == 13 and value.isdigit() and 1_000_000_000_000 <= int(value) < 2_300_000_000_000


def _stamped_random(value: str) -> bool:
    """Six or more digits, a dot, underscore or hyphen, and ten digits that read as seconds since
    1970 between 2001 and 2042."""
    match = _STAMPED_RANDOM.fullmatch(value)
    return match is not None and 1_000_000_000 <= int(match.group(1)) < 2_300_000_000


def is_random_fraction(value: str) -> bool:
    """A number in [0, 1) written with six or more decimals: what JavaScript's ``Math.random()`` gives,
    made anew for each request as a cache buster, even under an id's name (an ad gateway's
    ``deviceid=0.8251692656672585``). It is stored nowhere, so it identifies no one."""
    return _RANDOM_FRACTION.fullmatch(value) is not None


def is_hex(value: str, *lengths: int) -> bool:
    return len(value) in lengths and _HEX.fullmatch(value) is not None


def phone_digits(value: str) -> str | None:
    """The digits of a plausible phone number (E.164 or national), else None.

    Plausible: 7 to 15 digits (E.164's limit), made only of digits and the
    usual separators, a leading ``+`` only before a non-zero country code.
    """
    if len(value) > 24 or not _PHONE_CHARS.fullmatch(value):
        return None
    digits = _NON_DIGIT.sub("", value)
    if not 7 <= len(digits) <= 15 or len(set(digits)) < 3:
        return None
    if value.startswith("+") and digits.startswith("0"):
        return None
    return digits


def is_e164(value: str) -> bool:
    """``+`` and 8 to 15 digits, nothing else: a phone number even without a telling key."""
    return value.startswith("+") and 9 <= len(value) <= 16 and value[1:].isdigit() and value[1] != "0"


def ip_address(value: str) -> str | None:
    """``"v4"`` or ``"v6"`` for a routable or private address; None otherwise.

    Loopback, unspecified, link-local and local-network addresses
    (127.0.0.1, ::, 169.254.1.1, 10.0.0.1, 192.168.1.20) tell nothing about
    where anyone is and are left out.
    """
    if ":" in value:
        if value.count(":") < 2 or _IPV6_CHARS.fullmatch(value) is None:
            return None
    elif _IPV4_SHAPE.fullmatch(value) is None:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified or address.is_multicast or address.is_link_local:
        return None
    if any(address in network for network in _LAN):
        return None  # a LAN address (10.0.0.1) locates nobody
    return "v4" if address.version == 4 else "v6"


def is_amount(value: str) -> bool:
    """A positive number, as SDKs send money (``9.99``, ``12``); not ``nan`` or ``inf``."""
    try:
        number = float(value)
    except ValueError:
        return False
    return 0 < number < math.inf


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = ord(char) - 48
        if position % 2:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def is_imei(value: str) -> bool:
    """15 digits passing the Luhn check (an IMEI), not all the same digit."""
    return len(value) == 15 and value.isdigit() and len(set(value)) > 2 and luhn_ok(value)


def is_mac(value: str) -> bool:
    """A MAC address, except the placeholders iOS and Android return to apps (02:00:00:00:00:00)."""
    if len(value) != 17 or _MAC.fullmatch(value) is None:
        return False
    return value.replace("-", ":").lower() not in ("00:00:00:00:00:00", "02:00:00:00:00:00", "ff:ff:ff:ff:ff:ff")


def coordinate(value: str, limit: float) -> tuple[float, int] | None:
    """A number within +/-``limit`` and its count of decimals, or None."""
    found = _DECIMAL.fullmatch(value)
    if found is None:
        return None
    number = float(value)
    if not -limit <= number <= limit:
        return None
    return number, len(found.group(1) or "")


def coordinate_pair(value: str) -> tuple[float, float, int] | None:
    """``"48.8566,2.3522"`` -> (lat, lon, fewest decimals); None when not a pair in range."""
    if len(value) > 40:
        return None
    found = _PAIR.fullmatch(value)
    if found is None:
        return None
    lat = coordinate(found.group(1), 90)
    lon = coordinate(found.group(2), 180)
    if lat is None or lon is None:
        return None
    return lat[0], lon[0], min(lat[1], lon[1])


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) > 10 and " " not in value


# Files a page loads, not pages a person visits.
_ASSET_ENDINGS = (".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff", ".woff2", ".mp4")


# A URL written without its scheme: a host name ending in a top-level domain, then a path
# (Webtrends wt.es=www.ferguson.com/, Admixer page=9gag.com/). Letters only in the last label,
# so versions (1.2/…) and media types (text/html) are not hosts.
_SCHEMELESS = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,24}/[^\s]*", re.I)


def page_url_in(value: str) -> str | None:
    """The URL of a page a value holds, with or without its scheme; None for other values and
    for files a page loads (scripts, images)."""
    if is_url(value):
        return value if is_page_url(value) else None
    if len(value) <= 2048 and "/" in value and "." in value and _SCHEMELESS.fullmatch(value):
        url = "http://" + value
        return url if is_page_url(url) else None
    return None


def is_page_url(value: str) -> bool:
    """An http(s) URL that can be a page: not a script, style sheet, image, font or video file."""
    if not is_url(value):
        return False
    path = split_url(value).path
    return not path.lower().endswith(_ASSET_ENDINGS)


def is_fcm_token(value: str) -> bool:
    return len(value) >= 112 and _FCM_TOKEN.fullmatch(value) is not None


def is_firebase_installation_id(value: str) -> bool:
    return len(value) == 22 and _FIREBASE_FID.fullmatch(value) is not None


def without_stack_frames(text: str) -> str:
    """A text with its stack-trace frame lines taken out: they name code, not the user's data."""
    return _STACK_FRAME.sub("", text) if "\n" in text else text


# A Java or JavaScript frame line, indented or not (values arrive stripped):
# "\tat com.acme.Foo.run(Foo.java:12)", "    at Nt (https://…/x.js:2:6428)".
_AT_FRAME = re.compile(r"\s*at [\w.$<>/\[\]-]+ ?\(")


def is_call_trace(text: str) -> bool:
    """Java/JavaScript frames with no error line above them: where code was called from.

    The Java and V8 runtimes write a trace under the error it belongs to
    (``java.lang.IllegalStateException: …``, ``TypeError: x is not a function``,
    at least ``Error``). A trace starting at its first frame was taken
    without an error: a tag logging who called it (the Snap pixel's ``TPFA``
    log, healthexchange maryland request 212), or an error line sent apart.
    Native and Python traces are not judged: theirs may start at a frame.
    """
    return _AT_FRAME.match(text) is not None


def stack_frames(text: str) -> int:
    """How many lines of a text look like stack-trace frames (Java/JS, Python, native)."""
    if "\n" not in text:
        return 0
    return len(_STACK_FRAME.findall(text))
