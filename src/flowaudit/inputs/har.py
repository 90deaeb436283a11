"""Reading HAR 1.2 files entry by entry.

HAR exports run to hundreds of megabytes (browsers keep every response
body), so entries are streamed with ijson rather than loading the document:
memory stays at one entry, and the observations of the entries read from
about a megabyte before it (yielded in batches, see ``_BATCH``). Exporters disagree on everything optional
(Charles writes no pages, Insomnia an empty postData on a GET, Chrome
HTTP/2 pseudo-headers, some tools headers as ``[name, value]`` pairs), so
optional fields are taken when present and never required. What cannot be tolerated is a document that is not a
HAR (``log`` not an object, no ``log.entries`` list): that is an error.

References are positions: entry *n* is the *n*-th element of
``log.entries``. An entry without a usable ``http``/``https``/``ws``/``wss``
request URL (a ``data:`` or ``blob:`` URL, a missing URL, a bad port) is
skipped, keeping its position, since no recipient can be named for it.

Request bodies in a HAR are text that the browser already content-decoded,
even where a ``Content-Encoding`` header is still listed, so every
observation read here has ``body_decoded=True``.

Strings longer than :data:`LONG_STRING` bytes (bodies, mostly) never reach
the JSON parser: :mod:`flowaudit.inputs.longstrings` reads them from the
bytes, keeping only what this reader uses (a request body held once, as its
bytes; a response body not at all), and the parser sees a placeholder.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Generator
from datetime import UTC, datetime
from itertools import chain
from typing import Any
from urllib.parse import urlencode

import ijson  # ships no type information: see [tool.mypy] overrides
import ijson.utils

from flowaudit.captureformat import CAPTURE_PATH, RESERVED_HOST
from flowaudit.errors import FlowauditError
from flowaudit.inputs.checked import checked_observation
from flowaudit.inputs.fields import MAX_BODY, bound_body, normalize_host
from flowaudit.inputs.harsplit import EntrySplitter, Spliced
from flowaudit.inputs.jsonbytes import JsonBytes
from flowaudit.inputs.jsonstring import StringError
from flowaudit.inputs.longstrings import ANY, ITEM, LongStrings, Place
from flowaudit.inputs.nesting import NestingGuard
from flowaudit.inputs.notes import CaptureNotes
from flowaudit.inputs.stream import CHUNK, ByteSource, CorruptStream
from flowaudit.model import Headers, Observation
from flowaudit.safetext import parse_json
from flowaudit.urls import split_url

# URL scheme -> (observation scheme, default port). WebSocket URLs are the
# HTTP upgrade request, as mitmproxy records them.
_SCHEMES = {"http": ("http", 80), "https": ("https", 443), "ws": ("http", 80), "wss": ("https", 443)}

# How ijson's backends word "the document ended before it was complete".
_TRUNCATION_MARKS = ("premature EOF", "Incomplete JSON", "Incomplete string")

_IJSON = ijson.get_backend(ijson.backend)

# Largest capture record read from a HAR (the addon's is well under 1 KB).
_MAX_RECORD = 64 * 1024

# Deepest nesting of lists and objects read from a HAR. Real exports nest 9
# levels at most (83 files measured: browsers, proxies, WebPageTest); Chrome's
# ``_initiator`` call stacks, chained 32 async parents deep at most, stay far
# below. The bound is checked before ijson builds each level's prefix (which
# costs memory quadratic in the depth: 80 KB of ``[`` took 3.9 GB) and keeps
# whatever is built from an entry within Python's recursion limit. A value
# nested deeper is read as this text, with a warning; the entry holding it,
# and every entry after, are read as usual.
MAX_NESTING = 256
TOO_DEEP = f"[nested more than {MAX_NESTING} levels deep: not read]"
_TOO_DEEP_JSON = json.dumps(TOO_DEEP).encode("ascii")
# Lists and objects open around an entry's own: the document, ``log``, ``log.entries``.
_ENTRY_DEPTH = 3
# The document up to its entries, as the streaming reader is given it to read entries on from.
_LIST = b'{"log":{"entries":['


class _NotHar(Exception):
    """Valid JSON so far, but not shaped like a HAR document."""


# Observations are yielded in batches of up to _BATCH, read from at most about
# _BATCH_BYTES of the file (an entry with a long string ends a batch): parsing
# entries one after another, then auditing their requests one after another,
# keeps each one's memory in the processor's caches. Interleaved entry by entry,
# reading the 20,000-entry real HAR took 3.7 s of a check's CPU against 1.3 s
# alone, and the check 14.7 s; in batches, 1.9 s and 10.6 s.
_BATCH = 256
_BATCH_BYTES = 1024 * 1024
_MAX_CHUNK = 1024 * 1024  # read at once while one entry is still incomplete, at most (each read is copied a few times)

# Strings longer than this are read from the bytes, not by the JSON parser
# (see the module docstring); shorter ones cost the parser a few copies of at
# most this plus a chunk.
LONG_STRING = 64 * 1024

_ENTRY: Place = ("log", "entries", ITEM)
_REQUEST: Place = (*_ENTRY, "request")
# Where every string this reader uses is, in a HAR document, and whether
# what is nested in it is used too (a header value that is a list is read as
# its text); only these long strings are kept. A test reads every real HAR
# with every string taken out, and compares.
_USED: tuple[tuple[Place, bool, int], ...] = (
    (("log", "pages", ITEM, "title"), False, MAX_BODY),
    ((*_ENTRY, "startedDateTime"), False, MAX_BODY),
    ((*_REQUEST, "url"), False, MAX_BODY),
    ((*_REQUEST, "method"), False, MAX_BODY),
    ((*_REQUEST, "headers", ITEM, "name"), False, MAX_BODY),
    ((*_REQUEST, "headers", ITEM, "value"), True, MAX_BODY),
    ((*_REQUEST, "headers", ITEM, ITEM), True, MAX_BODY),  # [name, value] pairs
    ((*_REQUEST, "cookies", ITEM, "name"), False, MAX_BODY),
    ((*_REQUEST, "cookies", ITEM, "value"), False, MAX_BODY),
    ((*_REQUEST, "postData", "text"), False, MAX_BODY),
    ((*_REQUEST, "postData", "encoding"), False, MAX_BODY),
    ((*_REQUEST, "postData", "_encoding"), False, MAX_BODY),
    ((*_REQUEST, "postData", "params", ITEM, "name"), True, MAX_BODY),
    ((*_REQUEST, "postData", "params", ITEM, "value"), True, MAX_BODY),
    # A capture record (at most _MAX_RECORD characters, 4 bytes each at most) told from anything longer.
    ((*_ENTRY, "response", "content", "text"), False, 4 * _MAX_RECORD + 4),
)


def _wanted(depth: int, place: Place) -> tuple[int, bool]:
    """How much of a long string to keep, and whether that is sure.

    From its ``depth`` (containers around it) and the innermost slots of its place.

    A place shorter than its depth lacks the outer slots: a string is kept
    if any used place could be its own.
    """
    place = place[len(place) - depth :] if len(place) > depth else place  # the document's own slot, when in view
    unknown = depth - len(place)
    limit = 0
    for used, nested, keep in _USED:
        if len(used) == depth or (nested and len(used) < depth):
            if all(a == b or b is ANY for a, b in zip(used[unknown:], place, strict=False)):
                limit = max(limit, keep)
    # Sure once nothing is kept, or once the slot that tells an entry's request from its response is in view.
    return limit, limit == 0 or unknown <= len(_ENTRY)


def read_har(
    source: ByteSource, name: str, notes: CaptureNotes | None = None
) -> Generator[Observation, None, str | None]:
    """Yield the observations of a HAR file; return why reading stopped early, or None.

    ``notes`` gathers the pages the HAR says were loaded (``log.pages[].title``
    when it is a URL, as browsers write it, and ``log.pages`` comes before
    ``log.entries``, as every exporter writes it) and, in a HAR export of a
    flowaudit capture, the capture record's app and device.

    Entries before a break (the file ends mid-document, or stops being
    JSON) are yielded and the break is returned as the problem. A file that
    is unreadable before its first entry, or is not shaped like a HAR,
    raises :class:`FlowauditError`.

    Plain entries are parsed whole by the json module
    (:mod:`flowaudit.inputs.harsplit`); an entry holding a long string or
    nested too deep is read alone by the streaming reader
    (:func:`read_har_streamed`'s machinery), and where the splitter stops
    (the list's end, a huge entry, a break) the streaming reader reads the
    rest of the file, given the opening of ``log.entries`` (and a stand-in
    element once entries were read) so that it reads on exactly as it would
    have from the start.
    """
    notes = notes or CaptureNotes()
    json_source = JsonBytes(source)
    split = EntrySplitter(json_source, LONG_STRING, MAX_NESTING - _ENTRY_DEPTH)
    head = split.head()
    if head is None:
        return (yield from _stream(Spliced(split.rest(), json_source, split.broken), name, notes, 0))
    shape = _Shape(notes)
    try:
        shape.see(head, None)
    except _NotHar as e:
        raise FlowauditError(f"not a valid HAR file: {e}", path=name) from e
    if not shape.entries_seen:  # (page titles noted again are noted once)
        return (yield from _stream(Spliced(head + split.rest(), json_source, split.broken), name, notes, 0))
    n = 0
    ready: list[Observation] = []  # read, not yet yielded (see _BATCH)
    batch_start = 0  # split.position when the first of them was read
    while (entry := split.next(n == 0)) is not None:
        value, text = entry
        if text is None:
            n += 1
            observation = _observe(value, name, n, notes, None)
            if observation is not None:
                ready.append(observation)
        else:
            alone = _stream(Spliced(_LIST + text.encode("utf-8") + b"]}}", None), name, notes, n)
            while True:
                try:
                    ready.append(next(alone))
                except StopIteration as done:
                    problem: str | None = done.value
                    break
            if problem is not None:
                yield from ready
                return problem
            n += 1
        if len(ready) >= _BATCH or split.position - batch_start >= _BATCH_BYTES:
            yield from ready
            ready.clear()
            batch_start = split.position
    yield from ready
    # The stand-in element ("0", read as entry n, which it is not) puts the streaming reader after an element.
    rest = Spliced((_LIST + b"0" if n else _LIST) + split.rest(), json_source, split.broken)
    return (yield from _stream(rest, name, notes, max(n - 1, 0)))


def read_har_streamed(
    source: ByteSource, name: str, notes: CaptureNotes | None = None
) -> Generator[Observation, None, str | None]:
    """:func:`read_har` with every entry built by ijson's streaming parser: the reference it is tested against."""
    return _stream(Spliced(b"", JsonBytes(source)), name, notes or CaptureNotes(), 0)


def _stream(source: Spliced, name: str, notes: CaptureNotes, n: int) -> Generator[Observation, None, str | None]:
    """The observations of the entries in ``source`` numbered from ``n + 1``, read by ijson as they stream.

    Entries are built by ijson's C backend from the bytes, no parse event
    passing through Python; the document's shape and its pages are checked
    by a second parser that stops where ``log.entries`` begins.
    """
    shape = _Shape(notes)
    guard = NestingGuard(source, MAX_NESTING, _TOO_DEEP_JSON, shape.cut)
    strings = LongStrings(guard, LONG_STRING, lambda place: _wanted(guard.depth, place))
    feed = _Feed(strings, shape)
    ready: list[Observation] = []  # read, not yet yielded (see _BATCH)
    batch_start = 0  # feed.size when the first of them was read
    try:
        # ijson's own reading loop pulls the bytes (C calling feed.read): pushing each chunk
        # into a chain of its coroutines took twice as long on a 20,000-entry HAR (1.7 s against
        # 0.8 s). Entries completed before a break in the JSON are yielded before the error.
        for entry in _IJSON.items(feed, "log.entries.item", use_float=True, buf_size=CHUNK):
            n += 1
            feed.completed = True
            held = strings.holding
            observation = _observe(entry, name, n, notes, strings)
            if observation is not None:
                ready.append(observation)
            if held or len(ready) >= _BATCH or feed.size - batch_start >= _BATCH_BYTES:
                yield from ready
                ready.clear()
                batch_start = feed.size
    except _NotHar as e:
        raise FlowauditError(f"not a valid HAR file: {e}", path=name) from e
    # UnicodeDecodeError: what ijson's C backend raises for text it cannot
    # hand to Python; JsonBytes removes the known cause, this catches the rest.
    # Not `e`: compiled (mypyc), a name has one type in a function, and the `e` above is a _NotHar.
    except (ijson.JSONError, UnicodeDecodeError, CorruptStream, StringError) as broken:
        detail = _first_line(broken)
        truncated = source.at_end and any(mark in detail for mark in _TRUNCATION_MARKS)
        if n == 0 and not truncated:
            raise FlowauditError(f"not a readable HAR file: {detail}", path=name) from broken
        yield from ready
        return f"{'truncated' if truncated else 'unreadable data'} after entry #{n}: {detail}"
    yield from ready
    if not shape.entries_seen:
        raise FlowauditError('not a valid HAR file: it has no "log.entries" list', path=name)
    return None


class _Feed:
    """The bytes the entries' parser pulls: long strings taken out, the shape watched.

    The parser asks for more only once every entry it completed has been
    read (made an observation), so the long strings held for them can be
    released then (a placeholder comes in a chunk of its own: every one returned
    before was in those entries or earlier).
    """

    def __init__(self, strings: LongStrings, shape: _Shape) -> None:
        self.completed = False  # an entry was completed since the last read
        self._strings = strings
        self._shape = shape
        self._size = 0
        self.size = 0  # bytes returned so far

    def read(self, n: int, /) -> bytes:
        if n == 0:  # ijson probes the type of what read() returns with read(0)
            return b""
        # ijson's C parser reads a token cut by a chunk's end again from its start at the next
        # chunk: a 60 MiB body in 64 KiB chunks took 9 s of parsing, in 8 MiB chunks 0.2 s.
        # While no entry completes, the chunks grow (doubling, to _MAX_CHUNK), so a long
        # value costs time in proportion to its length; an entry completed, they are small again.
        if self.completed or not self._size:
            self._size = CHUNK
        else:
            self._size = min(self._size * 2, _MAX_CHUNK)
        if self.completed:
            self._strings.release()
            self.completed = False
        chunk = self._strings.read(self._size)
        self.size += len(chunk)
        self._shape.see(chunk, self._strings)
        if not self._shape.entries_seen:
            self._strings.release()  # the pages' titles are read
        return chunk


# Containers this deep or shallower have their place tracked: enough to see
# ``log`` and ``log.entries``; ``log.pages[].title`` is one level further.
_TRACKED = 3
_OPENING = frozenset(("start_map", "start_array"))
_CLOSING = frozenset(("end_map", "end_array"))


class _Shape:
    """Checks that the document is shaped like a HAR, and notes its pages,
    from ijson's basic events, up to where ``log.entries`` begins.

    It runs a parser of its own on the same bytes (the entries' parser hands
    Python whole entries, not events), fed until ``log.entries`` opens: what
    comes before it is a few small values, so the Python loop here costs
    little. A document with no entries is watched to its end.
    """

    def __init__(self, notes: CaptureNotes) -> None:
        self.entries_seen = False
        self._notes = notes
        self._events = ijson.utils.sendable_list()
        self._parser = _IJSON.basic_parse_basecoro(self._events, use_float=True)
        self._watching = True
        self._depth = 0
        self._places: list[str] = []  # the place of each open container, down to _TRACKED levels
        self._maps: list[bool] = []  # whether each of them is an object
        self._key = ""  # the last key read

    def cut(self) -> None:
        """A value nested too deep was left out (by the nesting guard)."""
        self._notes.warn(f"a value nested more than {MAX_NESTING} levels deep was read as {TOO_DEEP!r}")

    def see(self, chunk: bytes, strings: LongStrings | None) -> None:
        """Take the next bytes of the document (b"" at its end); ``strings`` has the long ones, if any."""
        if not self._watching:
            return
        try:
            self._parser.send(chunk)
        except StopIteration:
            self._watching = False
        except (ijson.JSONError, UnicodeDecodeError):
            self._watching = False  # the entries' parser meets the same break and reports it
        try:
            self._watch(self._events, strings)
        finally:
            del self._events[:]

    def _watch(self, events: list[tuple[str, Any]], strings: LongStrings | None) -> None:
        depth, places, maps, key = self._depth, self._places, self._maps, self._key
        for event, value in events:
            if depth > _TRACKED:
                if event in _OPENING:
                    depth += 1
                elif event in _CLOSING:
                    depth -= 1
                elif event == "map_key":
                    key = value
                elif depth == _TRACKED + 1 and key == "title" and event == "string" and places[-1] == "log.pages":
                    self._notes.take_page(value if strings is None else strings.text(value))
            elif event in _CLOSING:
                places.pop()
                maps.pop()
                depth -= 1
            elif event == "map_key":
                key = value
            else:
                place = "" if not places else f"{places[-1]}.{key if maps[-1] else 'item'}".lstrip(".")
                self._check(place, event)
                if self.entries_seen:
                    self._watching = False
                    return
                if event in _OPENING:
                    depth += 1
                    if depth <= _TRACKED:
                        places.append(place)
                        maps.append(event == "start_map")
        self._depth, self._key = depth, key

    def _check(self, place: str, event: str) -> None:
        if place == "log" and event != "start_map":
            raise _NotHar('"log" is not an object')
        if place == "log.entries":
            if event != "start_array":
                raise _NotHar('"log.entries" is not a list')
            self.entries_seen = True


def _take_record(response: object, notes: CaptureNotes) -> None:
    """flowaudit's capture record, in a HAR export of its capture: the
    answer to the request to the reserved host's ``/capture`` is the record
    as text (a first line, then its JSON object)."""
    content = response.get("content") if isinstance(response, dict) else None
    text = content.get("text") if isinstance(content, dict) else None
    if isinstance(text, str) and len(text) <= _MAX_RECORD:
        try:
            notes.take_record(parse_json(text.partition("\n")[2]))
        except ValueError:
            return


def _observe(entry: object, name: str, n: int, notes: CaptureNotes, strings: LongStrings | None) -> Observation | None:
    if not isinstance(entry, dict):
        return None
    request = entry.get("request")
    if not isinstance(request, dict):
        return None
    post_data = request.get("postData")
    # The body's text is taken out of the entry first, so that only the body holds it
    # (the entry lives on while its observation is audited), and it is never made a str.
    text = post_data.pop("text", None) if isinstance(post_data, dict) else None
    if strings is not None and strings.holding:
        strings.resolve(entry)
    url = request.get("url")
    if not isinstance(url, str):
        return None
    parts = split_url(url)
    scheme, default_port = _SCHEMES.get(parts.scheme, ("", 0))
    host = normalize_host(parts.host)
    if host == RESERVED_HOST:  # flowaudit's own capture record or marker, in a HAR export
        if parts.path == CAPTURE_PATH:
            _take_record(entry.get("response"), notes)
        return None
    if not scheme or not host:
        return None  # not a request
    if parts.port is None and parts.port_text:
        return None  # a port out of range or not a number: no recipient can be named
    body, cut = _body(post_data, text, strings)
    raw_method = request.get("method")
    response = entry.get("response")
    ref = f"{name}#{n}"
    method = raw_method if isinstance(raw_method, str) and raw_method else "GET"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = _with_cookies(_headers(request.get("headers")), request.get("cookies"))
    values: tuple[object, ...] = (
        ref, name, n, "http", method, scheme, host, parts.port or default_port, path, headers, body,
        True, cut, _status(response.get("status") if isinstance(response, dict) else None),
        _timestamp(entry.get("startedDateTime")), None, None, None, None,
    )  # fmt: skip
    if f"{ref}{method}{host}{path}".isascii() and "".join(chain.from_iterable(headers)).isascii():
        return checked_observation(values)
    return Observation(*values)  # type: ignore[arg-type]


def _headers(raw: object) -> Headers:
    """Headers as name/value pairs, from ``{"name", "value"}`` objects or ``[name, value]`` pairs.

    HTTP/2 and HTTP/3 pseudo-headers (``:authority``, ``:path``...) are
    dropped: Chrome lists them, mitmproxy does not, and they repeat the
    method, host and path the observation already holds.
    """
    if not isinstance(raw, list):
        return ()
    # Made for every request of a HAR (a browser's list a dozen or two long): no pair built
    # before it is known to be kept, and a value that is text taken as it is.
    pairs: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, dict):
            name, value = item.get("name"), item.get("value")
        elif isinstance(item, list) and len(item) == 2:
            name, value = item
        else:
            continue
        if isinstance(name, str) and name and name[0] != ":":
            pairs.append((name, value if isinstance(value, str) else "" if value is None else str(value)))
    return tuple(pairs)


def _with_cookies(headers: Headers, cookies: object) -> Headers:
    """The headers, plus a ``Cookie`` header for the ``request.cookies[]`` the headers do not already hold.

    Exporters differ: Chrome lists cookies both ways, chrome-har (puppeteer)
    and some proxies only in ``cookies[]``, and sanitizing exporters drop
    the header but keep the list. Cookies are data (ids ride in them), so
    both are read; a cookie named in a ``Cookie`` header is not added again,
    so nothing is counted twice.
    """
    if not isinstance(cookies, list) or not cookies:
        return headers
    sent = {
        piece.partition("=")[0].strip()
        for name, value in headers
        if name.lower() == "cookie"
        for piece in value.split(";")
    }
    missing: list[str] = []
    for cookie in cookies:
        if not isinstance(cookie, dict):
            continue
        name, value = cookie.get("name"), cookie.get("value")
        if not isinstance(name, str) or not name or name in sent or not isinstance(value, str):
            continue
        if any(c in name for c in "=;\r\n") or any(c in value for c in ";\r\n"):
            continue  # cannot be written in a Cookie header (RFC 6265 4.2.1), nor was it sent as one
        sent.add(name)
        missing.append(f"{name}={value}")
    if not missing:
        return headers
    return (*headers, ("Cookie", "; ".join(missing)))


def _body(post_data: object, text: object, strings: LongStrings | None) -> tuple[bytes | bytearray, bool]:
    """The request body, from ``postData``'s ``text`` (taken out of it) or its form ``params``; whether it was cut."""
    if not isinstance(post_data, dict):
        return b"", False
    encoded = (post_data.get("encoding") or post_data.get("_encoding")) == "base64"
    held = strings.take(text) if strings is not None else None
    if held is not None:  # a long text, read from the bytes (base64 already decoded if it is)
        body, cut = bound_body(held.body(encoded))
        return body, cut or held.cut
    if isinstance(text, str) and text:
        if encoded:
            try:
                return bound_body(base64.b64decode(text, validate=True))
            except ValueError:  # binascii.Error, or text that is not ASCII
                pass  # labelled base64 but is not: keep the text as written
        return bound_body(text.encode("utf-8"))  # JsonBytes has replaced lone surrogates
    params = post_data.get("params")
    if isinstance(params, list):
        fields = [(str(p.get("name", "")), str(p.get("value", ""))) for p in params if isinstance(p, dict)]
        return bound_body(urlencode(fields).encode("ascii"))
    return b"", False


def _status(raw: object) -> int | None:
    # Browsers write 0 for a request that got no response (blocked, failed, cancelled).
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw <= 0:
        return None
    return int(raw)


def _timestamp(raw: object) -> float | None:
    """``startedDateTime`` as epoch seconds; a time without a zone is taken as UTC."""
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _first_line(error: Exception) -> str:
    """The first line of a parser message (later lines quote file content)."""
    # ijson's C backend may give its message as bytes
    raw = error.args[0] if isinstance(error, ijson.JSONError) and error.args else str(error)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
