"""Recognising base64, base64url and JWT strings, strictly.

Ids, hashes and tokens are everywhere in tracking payloads, and many of
them are valid base64 by accident. A wrong decode would turn an id into
noise leaves (or, worse, into a false detection), so a string is decoded
only when it is long enough, uses one alphabet throughout, mixes upper and
lower case as encoded bytes do (hex ids, UUIDs and words do not), and the
caller then keeps the result only if it is text or compressed data.
"""

from __future__ import annotations

import binascii
import re
from typing import Final

MIN_BASE64: Final = 16  # characters; 12 decoded bytes

_STANDARD = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_URLSAFE = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_TO_STANDARD = str.maketrans("-_", "+/")


def is_text(text: str) -> bool:
    """No control characters other than tab and line breaks (deleted by ``replace``, which
    finds them by a fast search, where ``translate`` looked each character up in a table)."""
    return text.isprintable() or text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable()


def base64_decode(s: str) -> tuple[str, bytes] | None:
    """``("base64" | "base64url", bytes)`` when ``s`` is plausibly base64, else ``None``."""
    n = len(s)
    if n < MIN_BASE64 or n % 4 == 1 or s.islower() or s.isupper() or s.isdigit():
        return None
    if _STANDARD.fullmatch(s):
        step = "base64"
    elif _URLSAFE.fullmatch(s):
        step = "base64url"
        s = s.translate(_TO_STANDARD)
    else:
        return None
    if "=" in s and n % 4:
        return None
    try:
        return step, binascii.a2b_base64(s + "=" * (-n % 4))
    except binascii.Error:
        return None


def jwt_payload(s: str) -> bytes | None:
    """The payload bytes of a JSON Web Token (RFC 7519: ``header.payload.signature``, base64url)."""
    if not s.startswith("eyJ") or s.count(".") != 2:
        return None
    payload = s.split(".")[1]
    if not payload or not _URLSAFE.fullmatch(payload):
        return None
    try:
        return binascii.a2b_base64(payload.translate(_TO_STANDARD) + "=" * (-len(payload) % 4))
    except binascii.Error:
        return None
