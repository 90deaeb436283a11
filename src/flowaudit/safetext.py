"""Text from a capture made valid Unicode, once, where it enters flowaudit.

A capture holds whatever the app sent, and not all of it is text Python can
write out: half of an emoji in a JSON string (``"\\ud83d"``), a raw byte in a
request path (mitmproxy hands it over as a surrogate, ``"\\udcff"``), a body
in a charset that decodes to surrogates. A lone surrogate in a ``str`` is
harmless until something encodes it (writing a report, hashing a value), and
then it aborts the whole audit. So text is made valid where it enters: the
capture readers, the payload decoder's JSON parsing, the YAML and result
files. Each lone surrogate is *replaced* by U+FFFD, the replacement
character, as any UTF-8 decoder does for bytes it cannot read: the rest of
the value is kept, and the mark shows that something unreadable was there.
"""

from __future__ import annotations

import json
import re
import sys

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

# "\uD800" to "\uDFFF" written as a JSON escape, and a low surrogate ("\uDC00" on).
# Whether the backslash really starts an escape depends on the backslashes
# before it, which a regular expression would have to look back for at every
# byte (slow); so candidates are found fast and that is checked for each.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_HIGH_NIBBLE = frozenset(b"89abAB")
_ESCAPED_REPLACEMENT = rb"\ufffd"  # as long as the escape it replaces
_LOOKAHEAD = 12  # length of an escaped pair: enough bytes to judge any escape
_BACKSLASH = ord("\\")


def safe_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the same object when there is none)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(REPLACEMENT, text)
    return text


class JsonTooDeep(ValueError):
    """JSON nested deeper than Python's parser can follow."""


def parse_json(text: str) -> object:
    """``json.loads`` for JSON from a capture or a user's file: a lone surrogate
    escape (``"\\ud83d"``) reads as U+FFFD instead of becoming a lone surrogate.

    Raises only ``ValueError``: not JSON, a number too long to convert, or
    :class:`JsonTooDeep` (Python's parser recurses, and would raise
    ``RecursionError`` wherever a caller forgot to expect it).
    """
    if "\\u" in text and ("\\ud" in text or "\\uD" in text):
        try:
            text = mend_surrogates(text.encode("utf-8"), final=True)[0].decode("utf-8")
        except UnicodeEncodeError:  # holds lone surrogates itself: json.loads keeps them
            text = safe_text(text)
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonTooDeep("nested too deeply to read") from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # the one other refusal: Python's message would advise calling sys.set_int_max_str_digits
        raise ValueError(f"a number of more than {sys.get_int_max_str_digits():,} digits") from None


def mend_surrogates(data: bytes, *, final: bool) -> tuple[bytes, bytes]:
    """Replace lone surrogate escapes in JSON bytes; return (bytes ready to parse, bytes to hold back).

    Unless ``final``, the last bytes are held back: an escape there might
    be cut, or be the first half of a pair whose second half has not
    arrived. The split never falls inside a run of backslashes or a pair, so
    the held bytes are judged afresh, correctly, with the next ones.
    """
    limit = len(data) if final else len(data) - _LOOKAHEAD
    cut = max(limit, 0)
    mended: bytearray | None = None  # a copy, made at the first change
    pair_end = 0
    for m in _SURROGATE_ESCAPE.finditer(data):
        at = m.start()
        if at < pair_end:
            continue  # the second half of a pair
        if at >= limit:
            cut = min(cut, _run_start(data, at))  # judge it with the bytes after it
            break
        if (at - _run_start(data, at)) % 2:
            continue  # its backslash is escaped: literal text "\\u..."
        if data[at + 3] in _HIGH_NIBBLE and _LOW_SURROGATE_ESCAPE.match(data, at + 6):
            pair_end = at + 12  # a valid pair: keep, and never split it
            if pair_end > cut:
                cut = min(cut, _run_start(data, at))
            continue
        if mended is None:
            mended = bytearray(data)
        mended[at : at + 6] = _ESCAPED_REPLACEMENT
    result = bytes(mended) if mended is not None else data
    while cut > 0 and result[cut - 1] == _BACKSLASH:
        cut -= 1
    return result[:cut], result[cut:]


def _run_start(data: bytes, at: int) -> int:
    """Where the run of backslashes ending at ``at`` (inclusive) starts."""
    start = at
    while start > 0 and data[start - 1] == _BACKSLASH:
        start -= 1
    return start
