"""Splitting url-encoded forms, query strings, cookie headers and multipart bodies.

Keys are kept exactly as written once percent-decoded (``ud[em]``,
``cd[value]``, ``ep.plan``): bracket and dot conventions differ between
vendors, and a reader must be able to find the key the report names in the
request. Nothing here interprets values; the walker decides what each holds.
"""

from __future__ import annotations

import binascii
import re
from urllib.parse import unquote, unquote_plus

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def percent_decode(s: str, plus: bool = True) -> str:
    """``unquote_plus`` (or ``unquote`` when not ``plus``), an order of magnitude faster on long values.

    Mixpanel and Facebook put kilobytes of url-encoded JSON in one field;
    ``urllib`` decodes escape by escape in Python. Percent-escapes are
    quoted-printable escapes with another lead character, so the C decoder
    of ``binascii`` does the work once ``=`` is escaped and ``%`` turned into
    ``=``. Input that quoted-printable would read differently (a bad escape,
    a line break, non-ASCII) takes the ``urllib`` path.
    """
    if "%" not in s:
        return s.replace("+", " ") if plus and "+" in s else s
    if not s.isascii() or "\n" in s or "\r" in s or _BAD_ESCAPE.search(s):
        return unquote_plus(s) if plus else unquote(s)
    qp = s.replace("=", "=3D").replace("%", "=")
    if plus:
        qp = qp.replace("+", "=20")
    return binascii.a2b_qp(qp).decode("utf-8", "replace")


def split_form(text: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` fields, in order, blanks kept.

    A piece without ``=`` is a key with an empty value (``?debug``).
    """
    fields: list[tuple[str, str]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        fields.append((percent_decode(key), percent_decode(value)))
    return fields


def looks_like_form(text: str) -> bool:
    """Whether text without a form content type still reads as ``k=v&k=v``.

    SDKs send forms as ``text/plain`` (GA4 batches). Real forms hold no
    whitespace (it is encoded) and start with a key; prose and code do not
    pass this.
    """
    eq = text.find("=", 0, 64)
    if eq <= 0 or " " in text or not text.isprintable():
        return False
    key = text[:eq]
    return '"' not in key and "{" not in key and "<" not in key


def looks_like_form_lines(text: str) -> bool:
    """Several url-encoded forms, one a line (GA4 ``/g/collect`` batches)."""
    lines = [line for line in text.splitlines() if line]
    return len(lines) > 1 and all(looks_like_form(line) for line in lines)


def split_cookies(value: str) -> list[tuple[str, str]]:
    """``Cookie`` header pairs (RFC 6265 4.2.1); values percent-decoded, as most sites encode them."""
    pairs: list[tuple[str, str]] = []
    for piece in value.split(";"):
        name, eq, val = piece.strip().partition("=")
        if not name:
            continue
        if not eq:
            name, val = "", name
        val = val.strip('"')
        pairs.append((name, percent_decode(val, plus=False)))
    return pairs


def multipart_boundary(content_type: str) -> str | None:
    """The ``boundary`` parameter of a ``multipart/*`` content type (RFC 2046 5.1.1)."""
    kind, _, params = content_type.partition(";")
    if not kind.strip().lower().startswith("multipart/"):
        return None
    for param in params.split(";"):
        name, _, val = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            val = val.strip().strip('"')
            return val or None
    return None


def split_multipart(body: bytes, boundary: str) -> list[tuple[str, str, bytes]] | None:
    """``(name, content type, content)`` of each part, ``None`` when the body does not follow the boundary.

    The name is the ``Content-Disposition`` ``name`` (``filename`` when
    there is no name, the part's position otherwise).
    """
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    pieces = body.split(delimiter)
    if len(pieces) < 3:
        return None
    parts: list[tuple[str, str, bytes]] = []
    for n, piece in enumerate(pieces[1:-1], start=1):
        head, sep, content = piece.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = piece.partition(b"\n\n")
        if not sep:
            continue
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        name, ctype = f"part {n}", ""
        for line in head.decode("utf-8", "replace").splitlines():
            field, _, val = line.partition(":")
            field = field.strip().lower()
            if field == "content-type":
                ctype = val.strip()
            elif field == "content-disposition":
                name = _disposition_name(val) or name
        parts.append((name, ctype, content))
    return parts


def _disposition_name(value: str) -> str | None:
    found: dict[str, str] = {}
    for param in value.split(";")[1:]:
        key, _, val = param.strip().partition("=")
        found[key.strip().lower()] = val.strip().strip('"')
    return found.get("name") or found.get("filename")
