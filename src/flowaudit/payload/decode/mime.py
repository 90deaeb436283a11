"""Content types and multipart bodies, read with the standard library's MIME parser.

HTTP borrowed both from e-mail (RFC 2045, RFC 2046, RFC 7578), and
:mod:`email` has parsed them for decades: quoted and unquoted parameters,
parameter names in any case, RFC 2231 encoded values (``filename*=UTF-8''…``),
folded header lines, a preamble and an epilogue, per-part
``Content-Transfer-Encoding``. A hand-written splitter got the one rule
that matters most wrong (it lower-cased the boundary, which is
case-sensitive, so every real browser request read as one opaque value);
the stdlib parser does not, and says what it found wrong as "defects",
which become the problems an audit reports. :mod:`email` is imported when
a request has a body (it brings ~30 modules: a small audit of GET requests
never needs it). A form written exactly as browsers write one is split
without it, to the parts it gives (:func:`_plain_form`; a test compares the
two on real and made forms), as a plain content type is read
(:data:`_SIMPLE_TYPE`).

The body is bounded before it reaches the parser (:data:`MAX_PARTS` parts;
the reader has already bounded its size), and nothing here raises on
request content.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from flowaudit.payload.model import DecodeProblem

if TYPE_CHECKING:
    import email.policy
    from email.message import EmailMessage, Message

MAX_PARTS = 1000  # parts of one multipart body, nested parts included
MAX_NESTING = 4  # multipart inside multipart (RFC 7578 4.3 deprecates even one level)


@dataclass(frozen=True, slots=True)
class ContentType:
    """A ``Content-Type`` value: the media type lower-cased, the parameters it is read by as written."""

    media_type: str = ""  # "multipart/form-data"; "" when none was given
    boundary: str | None = None  # case-sensitive (RFC 2046 5.1.1): never lower-cased
    charset: str | None = None  # a codec Python knows, lower-cased; None when absent or unknown

    @property
    def multipart(self) -> bool:
        return self.media_type.startswith("multipart/")


NO_TYPE = ContentType()


# Content types are few per capture and the MIME parser is slow: each distinct short value is
# parsed once (a ContentType is immutable). Long values are parsed each time, so the cache stays small.
_CACHED_TYPES = 256
_CACHED_TYPE_LENGTH = 256


# A content type as nearly every request writes it ("application/json", "text/plain;charset=UTF-8"):
# a media type, perhaps a charset given as a plain token. Such a value is read here to what the MIME
# parser reads it as, without importing :mod:`email` (some 30 modules) for it; any other goes to the parser.
_SIMPLE_TYPE = re.compile(
    r"([A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*) *(?:; *(?i:charset) *= *([\w.:-]+))?", re.ASCII
)


def parse_content_type(value: str) -> ContentType:
    """Parameter names in any case (``BOUNDARY=``), values quoted or not, RFC 2231 values decoded."""
    return _parse_cached(value) if len(value) <= _CACHED_TYPE_LENGTH else _parse(value)


def _parse(value: str) -> ContentType:
    simple = _SIMPLE_TYPE.fullmatch(value)
    if simple is not None:
        media_type, charset = simple.groups()
        return ContentType(media_type.lower(), None, _codec(charset))
    return _parse_mime(value)


def _parse_mime(value: str) -> ContentType:
    from email.message import Message

    message = Message()
    message["Content-Type"] = value
    return _content_type(message)


_parse_cached = lru_cache(maxsize=_CACHED_TYPES)(_parse)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a multipart body.

    ``names`` is the path to it: one name per multipart level, each the
    ``Content-Disposition`` ``name``, else its ``filename``, else ``part N``.
    ``content`` is after its ``Content-Transfer-Encoding`` was undone.
    """

    names: tuple[str, ...]
    filename: str | None
    content_type: ContentType
    content: bytes


@dataclass(frozen=True, slots=True)
class Multipart:
    parts: tuple[Part, ...]
    problems: tuple[DecodeProblem, ...]


def split_multipart(body: bytes, content_type: ContentType, location: str) -> Multipart | None:
    """The parts of a multipart body, or ``None`` when it does not follow its boundary at all.

    ``None`` comes with nothing to report by itself: the caller reads the
    body as one value and says so. A body that starts right but is cut or
    malformed further on yields the parts that could be read, and problems.
    """
    boundary = content_type.boundary
    if not boundary or "\r" in boundary or "\n" in boundary:
        return None
    delimiter = b"--" + boundary.encode("utf-8", "surrogateescape")
    first = body.find(delimiter)
    if first < 0 or (first > 0 and body[first - 1 : first] != b"\n"):
        return None  # not even one delimiter at the start of a line: not this multipart body
    plain = _plain_form(body, delimiter)
    if plain is not None:
        return plain
    return _parsed(body, content_type, location, delimiter)


def _parsed(body: bytes, content_type: ContentType, location: str, delimiter: bytes) -> Multipart | None:
    """:func:`split_multipart` by the MIME parser."""
    boundary = content_type.boundary or ""
    problems: list[DecodeProblem] = []
    cut = _nth(body, delimiter, MAX_PARTS + 1)
    if cut >= 0:
        body = body[:cut] + delimiter + b"--\r\n"
        problems.append(
            DecodeProblem("bound", f"multipart data at {location} has over {MAX_PARTS} parts: the rest not read")
        )
    header = f'Content-Type: {content_type.media_type}; boundary="{_quote(boundary)}"\r\n\r\n'
    import email.errors
    import email.parser  # only for a multipart body: slow to import (its policies), and most requests have none
    import email.policy

    try:
        message = email.parser.BytesParser(policy=_http_policy()).parsebytes(
            header.encode("utf-8", "surrogateescape") + body
        )
    except (
        ValueError,
        TypeError,
        LookupError,
        email.errors.MessageError,
    ) as e:  # defensive: the parser records defects instead
        return Multipart((), (DecodeProblem("multipart", f"multipart data at {location} could not be parsed ({e})"),))
    if not message.is_multipart():
        return None
    parts: list[Part] = []
    _collect(message, (), parts, problems, location, 0)
    return Multipart(tuple(parts), tuple(problems))


# A form as browsers send it (FormData): every part a field, its name (and a file's name) plain
# printable ASCII in quotes, perhaps a content type a plain one (_SIMPLE_TYPE), CRLF line ends.
_PLAIN_PART = re.compile(
    rb'Content-Disposition: form-data; name="([ !#-\[\]-~]+)"(?:; filename="([ !#-\[\]-~]*)")?\r\n'
    rb"(?:Content-Type: ([ -~]+)\r\n)?\r\n",
)


def _plain_form(body: bytes, delimiter: bytes) -> Multipart | None:
    """The parts of a multipart body written as browsers write a form, as the MIME parser reads
    them, without it; None for any other body (the parser reads it).

    The parser cost 1.4 ms a body on the bench HAR (Meta's pixel posts its events as forms of a
    dozen fields); this, a few microseconds. What is taken is what the parser reads plainly: the
    body opens with its first delimiter and ends with its closing one; the delimiter is nowhere
    else (a boundary line may end in a lone CR or LF for the parser); each part's header block is
    the one ``Content-Disposition`` line and at most one ``Content-Type`` line, as above, with
    names that hold no encoded word (``=?``) and no space at either end (the parser strips a
    file's name: ``Message.get_filename``). A part's content is the bytes up to the CRLF before
    the next delimiter, as the parser gives them undecoded; no content type, :data:`NO_TYPE`."""
    opening = delimiter + b"\r\n"
    closing = b"\r\n" + delimiter + b"--"
    end = len(body) - len(closing) - (2 if body.endswith(b"\r\n") else 0)
    if not body.startswith(opening) or body.find(closing, end) != end:
        return None
    delimiters = body.count(delimiter)  # counted before splitting: a hostile body of a million parts is not cut up
    if delimiters > MAX_PARTS + 1:
        return None
    chunks = body[len(opening) : end].split(b"\r\n" + opening)
    if delimiters != len(chunks) + 1:
        return None
    parts: list[Part] = []
    for chunk in chunks:
        header = _PLAIN_PART.match(chunk)
        if header is None:
            return None
        name, filename, kind = header.groups()
        for text in (name, filename or b""):
            if b"=?" in text or text[:1] == b" " or text[-1:] == b" ":
                return None
        content_type = NO_TYPE
        if kind is not None:
            written = kind.decode("ascii")
            if _SIMPLE_TYPE.fullmatch(written) is None:
                return None  # parse_content_type reads it as a lone header, not as the parser reads a part's
            content_type = parse_content_type(written)
        parts.append(
            Part(
                (name.decode("ascii"),),
                None if filename is None else filename.decode("ascii"),
                content_type,
                chunk[header.end() :],
            )
        )
    return Multipart(tuple(parts), ())


@cache
def _http_policy() -> email.policy.EmailPolicy[EmailMessage]:
    """:data:`email.policy.HTTP` with a header factory that makes each header class once.

    The standard factory makes a new class for every header it reads
    (``HeaderRegistry.__getitem__`` calls ``type()`` each time). A class refers to itself (its
    ``__mro__``), so each was garbage only the cycle collector frees: hundreds per multipart
    body, which set off collections in the middle of an audit and had each free them. The
    classes are the same (a registry class with the policy's base class, keyed by that
    registry class: a bounded set); only their number changes."""
    import email.policy
    from email.headerregistry import BaseHeader, HeaderRegistry

    made: dict[type, type[BaseHeader]] = {}

    class OnceRegistry(HeaderRegistry):
        def __getitem__(self, name: str) -> type[BaseHeader]:
            kind = self.registry.get(name.lower(), self.default_class)
            found = made.get(kind)
            if found is None:
                found = made[kind] = super().__getitem__(name)
            return found

    return email.policy.HTTP.clone(header_factory=OnceRegistry())


def _collect(
    message: Message,
    names: tuple[str, ...],
    parts: list[Part],
    problems: list[DecodeProblem],
    location: str,
    level: int,
) -> None:
    import email.errors
    from email.message import Message

    if any(isinstance(d, email.errors.CloseBoundaryNotFoundDefect) for d in message.defects):
        where = " > ".join((location, *(f"multipart:{n}" for n in names)))
        problems.append(
            DecodeProblem(
                "truncated", f"multipart data at {where} ends without its closing boundary: read as far as it goes"
            )
        )
    payload = message.get_payload()
    if not isinstance(payload, list):
        return
    for n, sub in enumerate(payload, start=1):
        if len(parts) >= MAX_PARTS or not isinstance(sub, Message):
            return
        path = (*names, _part_name(sub, n))
        if sub.is_multipart():
            if level + 1 >= MAX_NESTING:
                where = " > ".join((location, *(f"multipart:{x}" for x in path)))
                problems.append(
                    DecodeProblem("bound", f"multipart nested over {MAX_NESTING} levels at {where}: not read")
                )
                continue
            _collect(sub, path, parts, problems, location, level + 1)
            continue
        content = sub.get_payload(decode=True)
        if any(
            isinstance(
                d,
                email.errors.InvalidBase64CharactersDefect
                | email.errors.InvalidBase64PaddingDefect
                | email.errors.InvalidBase64LengthDefect,
            )
            for d in sub.defects
        ):
            where = " > ".join((location, *(f"multipart:{x}" for x in path)))
            problems.append(DecodeProblem("base64", f"base64 part at {where} is damaged: read as far as it goes"))
        parts.append(Part(path, sub.get_filename(), _content_type(sub), content if isinstance(content, bytes) else b""))


def _content_type(message: Message) -> ContentType:
    """The content type of a header block, only as written: no ``text/plain`` default."""
    from email.utils import collapse_rfc2231_value

    if message.get("Content-Type") is None:
        return NO_TYPE
    params = message.get_params(header="Content-Type") or []
    media_type = params[0][0].strip().lower() if params and not params[0][1] else ""
    found: dict[str, str] = {}
    for name, raw in params[1:]:
        found.setdefault(name, str(collapse_rfc2231_value(raw)))
    return ContentType(
        media_type if "/" in media_type else "", found.get("boundary") or None, _codec(found.get("charset"))
    )


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip()).name
    except LookupError:
        return None


def _part_name(part: Message, n: int) -> str:
    from email.utils import collapse_rfc2231_value

    name = part.get_param("name", header="Content-Disposition")
    if name:
        return str(collapse_rfc2231_value(name)) if not isinstance(name, str) else name
    return part.get_filename() or f"part {n}"


def _nth(data: bytes, needle: bytes, n: int) -> int:
    """Where the n-th occurrence of ``needle`` starts, -1 when there are fewer."""
    at = -1
    for _ in range(n):
        at = data.find(needle, at + 1)
        if at < 0:
            return -1
    return at


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
