"""Splitting url-encoded forms, query strings and cookie headers (multipart bodies: :mod:`.mime`).

Keys are kept exactly as written once percent-decoded (``ud[em]``,
``cd[value]``, ``ep.plan``): bracket and dot conventions differ between
vendors, and a reader must be able to find the key the report names in the
request. Nothing here interprets values; the walker decides what each holds.
"""

from __future__ import annotations

import binascii
from urllib.parse import unquote, unquote_plus


def percent_decode(s: str, plus: bool = True) -> str:
    """``unquote_plus`` (or ``unquote`` when not ``plus``), an order of magnitude faster on long values.

    Mixpanel and Facebook put kilobytes of url-encoded JSON in one field;
    ``urllib`` decodes escape by escape in Python. Percent-escapes are
    quoted-printable escapes with another lead character, so the C decoder
    of ``binascii`` does the work once ``=`` is escaped and ``%`` turned into
    ``=``. Input that quoted-printable would read differently (a bad escape,
    a line break, non-ASCII) takes the ``urllib`` path. A bad escape is told
    by the length of what ``binascii`` made of the text: every other character
    gives one byte and every valid escape three characters' worth less, while
    an ``=`` that starts no valid escape is kept, or consumed alone, so the
    bytes come out longer than that (a search for bad escapes stopped at every
    ``%`` of kilobytes of url-encoded JSON, the most of this function's time).
    """
    if "%" not in s:
        return s.replace("+", " ") if plus and "+" in s else s
    if s.isascii() and "\n" not in s and "\r" not in s:
        qp = s.replace("=", "=3D").replace("%", "=")
        if plus:
            qp = qp.replace("+", "=20")
        raw = binascii.a2b_qp(qp)
        if len(raw) == len(s) - 2 * s.count("%"):  # every escape valid
            return raw.decode("utf-8", "replace")
    return unquote_plus(s) if plus else unquote(s)


def split_form(text: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` fields, in order, blanks kept.

    A piece without ``=`` is a key with an empty value (``?debug``). A piece
    without a percent-escape is decoded here, without a call per name and value
    (:func:`percent_decode` of such text only turns ``+`` into a space): GA4
    batches hold hundreds of fields, most of them plain.
    """
    fields: list[tuple[str, str]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        if "%" in piece:
            key, _, value = piece.partition("=")
            fields.append((percent_decode(key), percent_decode(value)))
            continue
        if "+" in piece:
            piece = piece.replace("+", " ")
        key, _, value = piece.partition("=")
        fields.append((key, value))
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
