"""Walking tnetstring data by position, without building what is not asked for.

A tnetstring item is ``<length>:<payload><tag>``: its length comes first, so
an item can be passed over without looking inside it. That is what makes a
flow file cheap to read for the audit: a record's response body, TLS
certificates and connection details are skipped by their length and never
copied, and only the few fields the audit uses are turned into Python values.

Anything that is not exactly the shape expected raises :class:`Unexpected`;
the caller then hands the record to mitmproxy's own parser, which decides
(rebuilds it, or says why it cannot). So this walker never has to be the
judge of a broken record, only quick on a good one.

Values are built as mitmproxy's parser builds them (``,`` bytes, ``;`` UTF-8
text, ``#`` int, ``^`` float, ``!`` true/false, ``~`` null, ``]`` list,
``}`` dict), so a value read either way is the same value.

The record is a ``bytearray`` (the reader's own buffer, never copied): a
request body of hundreds of megabytes is taken out of it by :func:`take`
rather than sliced, so it is held once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, cast

# The tags, as the byte values indexing gives (Final: compiled in as constants, not looked up).
BYTES: Final = 44  # ,
TEXT: Final = 59  # ;
INT: Final = 35  # #
FLOAT: Final = 94  # ^
BOOL: Final = 33  # !
NULL: Final = 126  # ~
LIST: Final = 93  # ]
DICT: Final = 125  # }

# A length prefix (at most 12 digits, as mitmproxy's reader allows), and a
# dictionary entry whose key is a plain name: "<n>:<key>;<m>:" (the value follows).
_PREFIX: Final = re.compile(rb"(\d{1,12}):")
_ENTRY: Final = re.compile(rb"(\d{1,12}):([A-Za-z_]{1,40});(\d{1,12}):")
# A list's length prefix and its first item's: "<n>:<m>:" (the item follows).
_PAIR: Final = re.compile(rb"(\d{1,12}):(\d{1,12}):")
# A pair of bytes whose first item holds no comma (a header name), up to the second's length
# prefix: "<n>:<m>:<name>,<k>:" (the second item follows).
_HEADER: Final = re.compile(rb"(\d{1,12}):(\d{1,12}):([^,]*),(\d{1,12}):")
# A pair of bytes neither of which holds a comma, whole: "<n>:<m>:<name>,<k>:<value>,]".
_WHOLE_HEADER: Final = re.compile(rb"(\d{1,12}):(\d{1,12}):([^,]*),(\d{1,12}):([^,]*),\]")
# Deeper values (metadata nested this far) go to mitmproxy's parser, which
# has its own limit: a record is never rejected here for its depth.
MAX_DEPTH: Final = 32

Span = tuple[int, int, int]  # payload start, payload end (= where the tag is), tag
Buffer = bytes | bytearray


class Unexpected(ValueError):
    """The data is not what the fast path expects; mitmproxy's parser is to decide."""


def item(buf: Buffer, pos: int, end: int) -> Span:
    """The item starting at ``pos``, which must end (tag included) before ``end``.
    The next item starts one past the returned payload end."""
    prefix = _PREFIX.match(buf, pos, end)
    if prefix is None:
        raise Unexpected("no length prefix")
    start = prefix.end()
    stop = start + int(prefix.group(1))
    if stop >= end:
        raise Unexpected("an item runs past its container")
    return start, stop, buf[stop]


def fields(buf: Buffer, span: Span) -> dict[bytes, Span]:
    """The items of a dictionary whose keys are text: key bytes -> value span.
    A repeated key keeps its last value, as mitmproxy's parser does."""
    start, stop, tag = span
    if tag != DICT:
        raise Unexpected("not a dictionary")
    out: dict[bytes, Span] = {}
    pos = start
    entry = _ENTRY.match
    while pos < stop:
        # One match reads a key named like a flow's fields and its value's length prefix.
        found = entry(buf, pos, stop)
        key_length, key, value_length = found.groups() if found is not None else (b"", b"", b"")
        if found is not None and len(key) == int(key_length):
            v_start = found.end()
            v_stop = v_start + int(value_length)
        else:
            k_start, k_stop, k_tag = item(buf, pos, stop)
            if k_tag != TEXT:
                raise Unexpected("a dictionary key that is not text")
            key = bytes(buf[k_start:k_stop])
            v_start, v_stop, _ = item(buf, k_stop + 1, stop)
        if v_stop >= stop:
            raise Unexpected("an item runs past its container")
        out[key] = (v_start, v_stop, buf[v_stop])
        pos = v_stop + 1
    return out


class Shape:
    """A dictionary of known text keys, read in one pass: what a flow's own dictionaries are.

    One regular expression holds every key with its exact length prefix, each
    alternative ending in its own group for the value's length: which group
    matched (``lastindex``) names the key, so a key costs one match, and no
    key is decoded or compared. ``tags`` gives, for each key, the tags its
    value may have (``None``: not checked; a null must then be empty too):
    a value of another type, a key of another spelling (a length prefix with
    a leading zero, say) or any other key raises :class:`Unexpected`, for
    mitmproxy's parser to judge, as does anything ``fields`` would not read.
    """

    def __init__(self, tags: Mapping[bytes, bytes | None]) -> None:
        self.keys = tuple(tags)
        self._entry = re.compile(
            b"|".join(re.escape(b"%d:%s;" % (len(key), key)) + rb"(\d{1,12}):" for key in self.keys)
        ).match
        self._tags = (None, *tags.values())  # by group number
        # By group number: the length of the key's text before that group (the value's length prefix).
        self._before = (0, *(len(b"%d:%s;" % (len(key), key)) for key in self.keys))

    def read(self, buf: Buffer, span: Span) -> list[Span | None]:
        """The value of each key, in the order of ``keys`` (None: absent); a repeated key keeps its
        last value, as mitmproxy's parser does."""
        start, stop, tag = span
        if tag != DICT:
            raise Unexpected("not a dictionary")
        out: list[Span | None] = [None] * (len(self.keys) + 1)  # by group number: out[0] stays None
        entry, tags, before = self._entry, self._tags, self._before
        pos = start
        while pos < stop:
            found = entry(buf, pos, stop)
            if found is None:
                raise Unexpected("not a field of this dictionary")
            n = found.lastindex
            assert n is not None  # every alternative ends in its group
            digits = found[n]
            v_start = pos + before[n] + len(digits) + 1  # where the match ends, without asking it
            v_stop = v_start + int(digits)
            if v_stop >= stop:
                raise Unexpected("an item runs past its container")
            v_tag = buf[v_stop]
            allowed = tags[n]
            if allowed is not None and (v_tag not in allowed or (v_tag == NULL and v_start != v_stop)):
                raise Unexpected("a field of the wrong type")
            out[n] = (v_start, v_stop, v_tag)
            pos = v_stop + 1
        del out[0]
        return out

    def read_all(self, buf: Buffer, span: Span) -> list[Span]:
        """The value of each key, in the order of ``keys``: every key must be there."""
        out = self.read(buf, span)
        if None in out:
            raise Unexpected("a field missing")
        return cast(list[Span], out)


def elements(buf: Buffer, span: Span) -> list[Span]:
    """The spans of a list's items."""
    start, stop, tag = span
    if tag != LIST:
        raise Unexpected("not a list")
    out: list[Span] = []
    pos = start
    while pos < stop:
        element = item(buf, pos, stop)
        out.append(element)
        pos = element[1] + 1
    return out


def pairs(buf: Buffer, span: Span) -> list[tuple[bytes, bytes]]:
    """The items of a list of [bytes, bytes] lists (a message's headers), read in one pass.

    One match reads a whole pair when neither item holds a comma (most
    headers), each item's length then checked against its prefix; else one
    reads up to the value's length prefix when the name holds none (header
    names do not), the value then taken by its length. A pair neither fits
    is read item by item."""
    start, stop, tag = span
    if tag != LIST:
        raise Unexpected("not a list")
    out: list[tuple[bytes, bytes]] = []
    pos = start
    whole, header = _WHOLE_HEADER.match, _HEADER.match
    while pos < stop:
        found = whole(buf, pos, stop)
        if found is not None:
            length, name_length, name, value_length, value = found.groups()  # one call for the five
            end = found.end() - 1  # where the pair's tag is (the match starts at pos)
            whole_pair = end == pos + len(length) + 1 + int(length)
            if whole_pair and len(name) == int(name_length) and len(value) == int(value_length):
                out.append((name, value))
                pos = end + 1
                continue
        found = header(buf, pos, stop)
        if found is None or len(found[3]) != int(found[2]):
            pos = _pair(buf, pos, stop, out)
            continue
        b_start = found.end()
        end = b_start + int(found[4]) + 1  # where the pair's tag is
        if end >= stop or end != found.end(1) + 1 + int(found[1]) or buf[end] != LIST or buf[end - 1] != BYTES:
            raise Unexpected("not a pair of bytes")
        out.append((found[3], bytes(buf[b_start : end - 1])))
        pos = end + 1
    return out


def _pair(buf: Buffer, pos: int, stop: int, out: list[tuple[bytes, bytes]]) -> int:
    """The pair at ``pos`` read item by item, appended to ``out``; where the next item starts."""
    found = _PAIR.match(buf, pos, stop)  # the pair's length prefix and its first item's
    if found is None:
        raise Unexpected("not a pair")
    end = found.end(1) + 1 + int(found[1])  # where the pair's tag is
    a_start = found.end()
    a_stop = a_start + int(found[2])
    if end >= stop or buf[end] != LIST or a_stop >= end or buf[a_stop] != BYTES:
        raise Unexpected("not a pair of bytes")
    second = _PREFIX.match(buf, a_stop + 1, end)
    if second is None:
        raise Unexpected("not a pair")
    b_start = second.end()
    b_stop = b_start + int(second[1])
    if b_stop + 1 != end or buf[b_stop] != BYTES:  # exactly two items
        raise Unexpected("not a pair of bytes")
    out.append((bytes(buf[a_start:a_stop]), bytes(buf[b_start:b_stop])))
    return end + 1


def text(buf: Buffer, span: Span) -> str:
    if span[2] != TEXT:
        raise Unexpected("not text")
    try:
        return buf[span[0] : span[1]].decode("utf-8")
    except UnicodeDecodeError as e:
        raise Unexpected("text that is not UTF-8") from e


def raw(buf: Buffer, span: Span) -> bytes:
    if span[2] != BYTES:
        raise Unexpected("not bytes")
    return bytes(buf[span[0] : span[1]])


def take(buf: bytearray, span: Span) -> bytearray:
    """The bytes of an item, made out of ``buf`` itself, which is nothing else afterwards.

    What follows the item is cut off and what precedes it dropped: CPython
    drops the head of a bytearray by moving where it starts, so a body that
    fills most of its record is never copied (a small one may be, once).
    Read every other field of the record first.
    """
    if span[2] != BYTES:
        raise Unexpected("not bytes")
    del buf[span[1] :]
    del buf[: span[0]]
    return buf


def integer(buf: Buffer, span: Span) -> int:
    if span[2] != INT:
        raise Unexpected("not an integer")
    digits = buf[span[0] : span[1]]
    if not digits.removeprefix(b"-").isdigit():
        raise Unexpected("not an integer")
    return int(digits)


def number(buf: Buffer, span: Span) -> float:
    """A float, or an integer where a float belongs (mitmproxy accepts one and keeps it as it is)."""
    if span[2] == INT:
        return integer(buf, span)
    if span[2] != FLOAT:
        raise Unexpected("not a float")
    try:
        return float(buf[span[0] : span[1]])
    except ValueError as e:
        raise Unexpected("not a float") from e


def is_null(span: Span) -> bool:
    return span[2] == NULL and span[0] == span[1]


def value(buf: Buffer, span: Span, depth: int = 0) -> object:
    """Any value, built whole: for the small parts of a record (its metadata)."""
    start, stop, tag = span
    if tag == BYTES:
        return bytes(buf[start:stop])
    if tag == TEXT:
        return text(buf, span)
    if tag == INT:
        return integer(buf, span)
    if tag == FLOAT:
        return number(buf, span)
    if tag == BOOL:
        flag = buf[start:stop]
        if flag not in (b"true", b"false"):
            raise Unexpected("not a boolean")
        return flag == b"true"
    if tag == NULL:
        if start != stop:
            raise Unexpected("not null")
        return None
    if depth >= MAX_DEPTH:
        raise Unexpected("nested too deep for the fast path")
    if tag == LIST:
        return [value(buf, element, depth + 1) for element in elements(buf, span)]
    if tag == DICT:
        out: dict[object, object] = {}
        pos = start
        while pos < stop:
            key_span = item(buf, pos, stop)
            if key_span[2] not in (TEXT, BYTES):
                raise Unexpected("a dictionary key that is not text or bytes")
            key = value(buf, key_span, depth + 1)
            val_span = item(buf, key_span[1] + 1, stop)
            out[key] = value(buf, val_span, depth + 1)
            pos = val_span[1] + 1
        return out
    raise Unexpected("unknown tag")
