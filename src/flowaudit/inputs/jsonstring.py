"""Decoding one long JSON string, piece by piece, into a single buffer.

A HAR holds a request body as one JSON string (``postData.text``),
base64-encoded when ``encoding`` says so, and that key may come before or
after the text. Handing a 200 MiB string to the JSON parser held it four
times over (the parser's buffers, a Python ``str``, the body's bytes). Here
the string's raw bytes are decoded as they are read, each piece appended to
one ``bytearray``, so the text is held once.

Whether it is base64 is not known while it is read, so the text is decoded
as base64 as long as it could be (every 4-character group maps to 3 bytes
and back exactly): a base64 body is then held as its decoded bytes, never as
text. Text that turns out not to be base64 (its first ``{`` usually) is
encoded back, once, and read on as text.

The string's JSON must be valid as the parser would require (no raw
control character, only the escapes JSON defines): anything else raises
:class:`StringError`, as the parser would have stopped there.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

_BACKSLASH = ord("\\")
_NOT_CONTROL = bytes(range(0x20, 0x100))  # a control character is not allowed raw in a JSON string (RFC 8259, 7)
# A backslash that does not begin an escape JSON defines (once escaped backslashes are gone).
_INVALID_ESCAPE = re.compile(rb'\\(?:[^"\\/bfnrtu]|u(?![0-9A-Fa-f]{4}))', re.DOTALL)
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ENCODE_PIECE = 3 * 1024 * 1024  # decoded bytes encoded back to base64 at once
_HIGH_SURROGATES = ("\ud800", "\udbff")
_CONTROL_CHARACTER = "invalid character inside string"
_BAD_ESCAPE = "invalid escape inside string"


class StringError(ValueError):
    """The string is not valid JSON text."""


@dataclass(frozen=True)
class LongString:
    """A long JSON string as read: its text as UTF-8, or what its base64 decodes to.

    Only the first ``limit`` bytes (of the text, or of the decoded bytes)
    are kept; ``cut`` says that there was more.
    """

    data: bytearray
    decoded: bool  # data is the decoded base64 of the text (the text is base64 throughout)
    groups: int  # decoded: how much of data whole 4-character groups decode to
    tail: bytes  # decoded: the text after its last whole group (a short group, padding)
    valid_base64: bool  # decoded: the whole text is base64 as ``base64.b64decode(validate=True)`` takes it
    cut: bool

    def utf8(self) -> bytes | bytearray:
        """The text, as UTF-8 (encoded back to base64 if it was held decoded)."""
        if not self.decoded:
            return self.data
        groups = self.groups - self.groups % 3 if self.cut else self.groups
        view = memoryview(self.data)[:groups]
        text = bytearray()
        for start in range(0, len(view), _ENCODE_PIECE):
            text += base64.b64encode(view[start : start + _ENCODE_PIECE])
        if self.cut:  # the text's first bytes, as many as were kept
            del text[len(self.data) :]
        else:
            text += self.tail
        return text

    def text(self) -> str:
        """The string (as far as it was kept)."""
        return self.utf8().decode("utf-8", "replace")

    def body(self, base64_encoded: bool) -> bytes | bytearray:
        """The body the string holds: its base64 decoded if labelled so and valid, else its text."""
        if base64_encoded and self.decoded and self.valid_base64:
            return self.data
        return self.utf8()


class StringReader:
    """Takes a JSON string's raw bytes (between its quotes) piece by piece; :meth:`finish` gives the string.

    ``limit`` bounds what is kept; 0 reads the string only to check it.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._data = bytearray()
        self._decoded = limit > 0  # still reading it as base64
        self._base64_chars = 0  # base64 characters read (before any padding)
        self._quad = b""  # base64 characters not yet a whole group
        self._padding = 0  # "=" characters read
        self._carry = b""  # raw bytes of an escape cut at the end of a piece
        self._cut = not limit  # (a string read only to check it is not empty: it is long)

    def take_carry(self) -> bytes:
        """The raw bytes held back from the last piece (an escape it cut); the next piece must start with them."""
        carry, self._carry = self._carry, b""
        return carry

    def feed(self, raw: bytes) -> None:
        """The next raw bytes of the string (after :meth:`take_carry`'s bytes, if any)."""
        end = _complete(raw)
        if not self._limit:
            self._carry = raw[end:]
            self._check(raw[:end] if end < len(raw) else raw)
            return
        piece = raw[:end] if end < len(raw) else raw
        if piece.translate(None, _NOT_CONTROL):
            raise StringError(_CONTROL_CHARACTER)
        if b"\\" not in piece:
            text = piece
        else:
            try:
                decoded = json.decoder.scanstring('"' + piece.decode("utf-8") + '"', 1, True)[0]  # type: ignore[attr-defined]
            except ValueError as e:  # (control characters are found above)
                raise StringError(_BAD_ESCAPE) from e
            if decoded and _HIGH_SURROGATES[0] <= decoded[-1] <= _HIGH_SURROGATES[1]:
                decoded, end = decoded[:-1], end - 6  # the first half of a pair: decoded with its second
            text = decoded.encode("utf-8", "replace")
        self._carry = raw[end:]
        if self._decoded and not self._read_base64(text):
            self._to_text()
        if not self._decoded:
            self._keep(text)

    def finish(self) -> LongString:
        """The string read (its closing quote was reached); the carry must be empty by now."""
        if self._carry:
            raise StringError("an escape cut short by the closing quote")
        tail = self._quad + b"=" * self._padding
        valid = self._decoded and self._padding <= 2
        groups = len(self._data)
        if valid and self._quad:  # a short last group: decoded like the whole text would be
            try:
                self._keep(base64.b64decode(tail, validate=True))
            except binascii.Error:
                valid = False
        return LongString(self._data, self._decoded, groups, tail, valid, self._cut)

    def _check(self, raw: bytes) -> None:
        if raw.translate(None, _NOT_CONTROL):
            raise StringError(_CONTROL_CHARACTER)
        if b"\\" in raw and _INVALID_ESCAPE.search(raw.replace(b"\\\\", b"")):
            raise StringError(_BAD_ESCAPE)

    def _read_base64(self, text: bytes) -> bool:
        """Decode ``text`` as more of the base64 read so far; False: the text is not base64."""
        letters = text.rstrip(b"=")
        padding = self._padding + len(text) - len(letters)
        if letters.translate(None, _ALPHABET) or (letters and self._padding) or padding > 2:
            return False  # a character base64 does not use, text after the padding, or too much of it
        self._padding = padding
        self._base64_chars += len(letters)
        if self._cut:  # nothing more is kept: only the last, short group matters (to check it)
            short = self._base64_chars % 4
            self._quad = (self._quad + letters[-4:])[len(self._quad + letters[-4:]) - short :] if short else b""
            return True
        view = memoryview(letters)
        if self._quad:
            take = min(4 - len(self._quad), len(view))
            self._quad += bytes(view[:take])
            view = view[take:]
            if len(self._quad) < 4:
                return True
            self._keep(binascii.a2b_base64(self._quad))
            self._quad = b""
        whole = len(view) - len(view) % 4
        self._quad = bytes(view[whole:])
        if whole:
            self._keep(binascii.a2b_base64(view[:whole]))
        return True

    def _to_text(self) -> None:
        """The string is not base64 after all: what was decoded becomes text again."""
        groups = len(self._data)
        held = LongString(self._data, True, groups, self._quad + b"=" * self._padding, False, False)
        self._data, self._decoded, self._cut = bytearray(), False, False
        self._keep(held.utf8())

    def _keep(self, text: bytes | bytearray) -> None:
        room = self._limit - len(self._data)
        if len(text) > room:
            self._data += memoryview(text)[:room]
            self._cut = True
        else:
            self._data += text


def _complete(raw: bytes) -> int:
    """Where ``raw`` ends, short of an escape or a UTF-8 sequence its end cuts."""
    end = _complete_escapes(raw)
    lead = end - 1
    while lead >= 0 and end - lead < 4 and 0x80 <= raw[lead] < 0xC0:
        lead -= 1  # continuation bytes
    if lead >= 0 and raw[lead] >= 0xC0 and end - lead < (2 if raw[lead] < 0xE0 else 3 if raw[lead] < 0xF0 else 4):
        return lead
    return end


def _complete_escapes(raw: bytes) -> int:
    """Where ``raw`` ends, short of an escape its end cuts (a backslash in its last 6 bytes)."""
    last = raw.rfind(b"\\", max(0, len(raw) - 6))
    if last < 0:
        return len(raw)
    run = last
    while run > 0 and raw[run - 1] == _BACKSLASH:
        run -= 1
    if (last - run) % 2:
        return len(raw)  # the last backslash is escaped itself: every escape is complete
    needed = 6 if raw[last + 1 : last + 2] == b"u" else 2
    return last if len(raw) - last < needed else len(raw)
