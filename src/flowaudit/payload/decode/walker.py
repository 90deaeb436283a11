"""The recursive walk from bytes to leaves, one request at a time.

:class:`Walker` holds what one request has yielded so far (leaves, layers,
problems, bytes spent) and offers one method per kind of content: bytes
(compressed, text or binary), text (JSON, NDJSON, forms, a single value),
strings found inside other content (nested JSON, base64, JWT, URLs) and
protobuf. Each method extends ``location`` and ``decoding`` as it goes down,
so every leaf says where it was and how it was reached.

Decoding is tried in order of how sure the signs are: magic bytes, then a
JSON opening bracket, then content types, then shapes. Whatever cannot be
decoded further is kept as it is (a leaf, or a layer for binary data), so
a canary can still be found in it. Speed matters (every flow of every
capture passes through here), so the common cases (a JSON or form body of a
few kilobytes) take the first branch that fits and strings are classified
by their first character before anything costlier is tried.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Final, NamedTuple

from flowaudit.payload.decode.compression import ENCODINGS, inflate, inflate_windows, sniff
from flowaudit.payload.decode.forms import looks_like_form, looks_like_form_lines, percent_decode, split_form
from flowaudit.payload.decode.limits import MIB, DecodeLimits
from flowaudit.payload.decode.lz4 import FRAME_MAGIC, decode_frame, find_block
from flowaudit.payload.decode.mime import NO_TYPE, ContentType, split_multipart
from flowaudit.payload.decode.protobuf import LENGTH, VARINT, Field, fixed_value, parse_message
from flowaudit.payload.decode.streamed import JsonStream, StreamedValue
from flowaudit.payload.decode.textcodes import MIN_BASE64, base64_decode, is_text, jwt_payload
from flowaudit.payload.model import DecodedRequest, DecodeProblem, Layer, Leaf
from flowaudit.safetext import JsonTooDeep, parse_json, safe_text

Decoding = tuple[str, ...]

# Bodies in these formats are media or archives: nothing to walk, and too
# large to be worth searching whole.
_MEDIA_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"%PDF", b"PK\x03\x04", b"\x1a\x45\xdf\xa3")
_ENVELOPE_HEADER_KEYS = ("event_id", "sent_at", "dsn")
_MAX_PROBLEMS = 20
# First characters of the short strings worth a decoding attempt (JSON, url-encoded JSON, URL, JWT);
# longer strings may be base64 whatever they start with.
_ENCODED_START: Final = frozenset("{[%he")
# Leaf((part, location, decoding, key, value)) without the NamedTuple's Python-level __new__:
# a request has dozens of leaves and this halves the cost of making each.
_new_leaf: Final[Callable[[tuple[str, str, Decoding, str | None, str]], Leaf]] = partial(tuple.__new__, Leaf)
# A relative URL with a query ("138566025676/activities?event=...&advertiser_id=..."): what a
# batch API item (Meta's Graph batch relative_url) or a logged link holds. Its parameters are
# walked like a full URL's.
_RELATIVE_URL = re.compile(r"/?[\w.~-]+(?:/[\w.~-]*)*\?[^\s?=&/]+=")
# Padding: runs of white space or NUL bytes, which say nothing and compress to almost nothing.
_PADDING = re.compile(rb"[ \t\r\n\x00]{2,}")
_PADDING_IN_LINES = re.compile(rb"[ \t\x00]{2,}")  # in a multipart body, whose line ends are its structure
_OVERLAP = 256  # characters of a window carried into the next, so a value cut by a window edge is whole once
PAIRS_PER_REASON = 4  # pairs kept from a window for each reason it is kept for
# Windows kept from one request at most: a safety net under the judge's bounded reasons (Keep), which
# keep far fewer. Reached, it is reported.
_MAX_WINDOWS_KEPT = 512

# A value read from content too large to decode: its kind ("json" or "form"), its path (the key, for a
# pair read from a window; from the root, for JSON read as a stream), its key and its text.
WindowPair = tuple[str, str, str | None, str]
# What a window of content too large to decode shows that an audit would report, for Walker._scan to
# keep the window or not: each reason (a canary's text, a data type at a confidence) that is not among
# those already shown (the third argument), with the positions among the window's pairs of those that
# show it (none for what the window's text shows as a whole). The reasons must come from a bounded set:
# a window is kept only for a reason no kept window shows, so the windows kept are bounded by that set,
# and data planted late in a body cannot be crowded out by junk before it. The values of JSON read as
# a stream are judged the same way, in batches, with no text. See DecodeLimits.
Keep = Callable[[str, Sequence[WindowPair], Container[str]], Mapping[str, Sequence[int]]]
_BATCH = 2048  # values of JSON read as a stream judged together
_LIST_POSITION = re.compile(r"\[\d+\]")
_REST_CHUNK = 1 << 20  # bytes of a JSON text fed to the stream at a time (see inputs.har on chunk sizes)

# What a window of JSON or a form says without being parsed: "key": "text value" and key=value pairs.
# A window starts anywhere, so its text is no document; these pairs are what can be read of it
# anyway, each a leaf for the detectors (its decoding ends in "window": it came from a partial scan).
_WINDOW_PAIR = re.compile(
    r'"([A-Za-z_$@][\w$@.:-]{0,63})"\s*:\s*"((?:[^"\\\n]|\\.){1,1024})"'
    r"|(?<![\w%])([A-Za-z_][\w.\[\]-]{0,63})=([^&\s\"'<>]{1,1024})"
)


def window_pairs(text: str) -> Iterator[WindowPair]:
    """The key/value pairs a window of JSON or form text shows, each with its kind ("json" or
    "form") (JSON escapes undone where valid); the path of each is its key."""
    for found in _WINDOW_PAIR.finditer(text):
        json_key, json_value, form_key, form_value = found.groups()
        if json_key is not None:
            value = json_value
            if "\\" in value:
                try:
                    unescaped = parse_json(f'"{value}"')
                except ValueError:
                    unescaped = value
                value = unescaped if isinstance(unescaped, str) else value
            yield "json", json_key, json_key, value
        else:
            yield "form", form_key, form_key, percent_decode(form_value)


def _declares_json(content_type: ContentType) -> bool:
    """``application/json`` and the ``+json`` types (RFC 6839)."""
    media = content_type.media_type
    return media == "application/json" or media.endswith("+json")


def _invalid_json(text: str) -> bool:
    """Not a JSON document (RFC 8259); one too deep for the parser is not called invalid."""
    try:
        parse_json(text)
    except JsonTooDeep:
        return False
    except ValueError:
        return True
    return False


class Mark(NamedTuple):
    """Where a walk stood (:meth:`Walker.mark`): its leaves, layers, problems asked and bytes decoded."""

    leaves: int
    layers: int
    asked: int
    spent: int


class Walked(NamedTuple):
    """What walking one value added (:meth:`Walker.walked_since`)."""

    leaves: tuple[Leaf, ...]
    layers: tuple[Layer, ...]


class Walker:
    """The decoding state of one request; :func:`~flowaudit.payload.decode.decode_request` drives it."""

    def __init__(self, limits: DecodeLimits, keep: Keep | None = None) -> None:
        self._limits = limits
        self._keep = keep
        self._leaves: list[Leaf] = []
        self._layers: list[Layer] = []
        self._problems: list[DecodeProblem] = []
        self._spent = 0  # decompressed and base64-decoded bytes so far
        self._room = limits.max_values  # leaves and layers that may still be added
        self.full = False  # the value bound was reached: stop walking
        self.stopped_at = ""  # the place of the first value past the bound
        self._asked = 0  # problems recorded, with those a bound or a repeat left out (see mark)

    def result(self) -> DecodedRequest:
        return DecodedRequest(tuple(self._leaves), tuple(self._layers), tuple(self._problems))

    # -- a value walked once, its values added again ------------------------

    def mark(self) -> Mark:
        """Where the walk stands, for :meth:`walked_since`."""
        return Mark(len(self._leaves), len(self._layers), self._asked, self._spent)

    def walked_since(self, mark: Mark) -> Walked | None:
        """The leaves and layers added since ``mark``, when walking the same value in any other
        request would add just them (:meth:`add_walked`): nothing was refused or reported, and
        no byte was decoded, so no bound of this request's walk (the values still allowed, the
        decoded bytes, the problems kept) decided what was added."""
        if self.full or self._asked != mark.asked or self._spent != mark.spent:
            return None
        return Walked(tuple(self._leaves[mark.leaves :]), tuple(self._layers[mark.layers :]))

    def add_walked(self, walked: Walked) -> bool:
        """Add what walking a value added elsewhere (:meth:`walked_since`); False, adding nothing,
        when the values still allowed here are fewer: the value must then be walked here."""
        size = len(walked.leaves) + len(walked.layers)
        if self.full or self._room < size:
            return False
        self._room -= size
        self._leaves.extend(walked.leaves)
        self._layers.extend(walked.layers)
        return True

    # -- recording ---------------------------------------------------------

    def leaf(self, part: str, location: str, decoding: Decoding, key: str | None, value: str) -> None:
        if not value:
            return  # an empty value carries no data
        if self._room <= 0:
            self._overflow(location)
            return
        self._room -= 1
        self._leaves.append(_new_leaf((part, location, decoding, key, value)))

    def layer(self, part: str, location: str, decoding: Decoding, text: str) -> None:
        if self._room <= 0:
            self._overflow(location)
            return
        self._room -= 1
        self._layers.append(Layer(part, location, decoding, text))

    def problem(self, reason: str, message: str) -> None:
        """Record why something was not (fully) decoded; ``reason`` is a key of ``DECODE_REASONS``."""
        self._asked += 1
        found = DecodeProblem(reason, message)
        if len(self._problems) < _MAX_PROBLEMS and found not in self._problems:
            self._problems.append(found)

    def _overflow(self, location: str) -> None:
        if not self.full:
            self.full = True
            self.stopped_at = location
            self.problem("bound", f"more than {self._limits.max_values} values in this request: stopped at {location}")

    def _deep_enough(self, location: str, decoding: Decoding) -> bool:
        if len(decoding) < self._limits.max_depth:
            return False
        self.problem("bound", f"decoding stopped at {location}: {self._limits.max_depth} layers deep")
        return True

    def _spend(self, size: int, location: str) -> bool:
        if self._spent + size > self._limits.max_decoded_bytes:
            self._budget_spent(location)
            return False
        self._spent += size
        return True

    def _budget_spent(self, location: str) -> None:
        bound = self._limits.max_decoded_bytes // MIB
        self.problem("bound", f"decoded-size bound of {bound} MiB reached at {location}: not decoded")

    # -- bytes -------------------------------------------------------------

    def inflate(
        self,
        encoding: str,
        data: bytes,
        location: str,
        decoding: Decoding,
        tentative: bool = False,
        part: str = "body",
        content_type: ContentType = NO_TYPE,
    ) -> bytes | None:
        """The decompressed data, ``None`` when there is none, or ``b""`` when the stream was
        too large to decode whole and was read in windows instead (nothing left to hand on;
        ``content_type`` is what the decompressed data is, for reading it so).

        A failure is recorded as a problem, except for a ``tentative`` try
        (a format guessed without a header or a strong magic number), which
        succeeds only on a clean stream. A bomb is always reported. A stream that
        decodes past the bound is what it was guessed to be, so a guessed zlib stream
        (two bytes of magic) is read in windows like a declared one: padding cannot
        hide data there either. Only a brotli guess, which has no magic at all, is not.
        """
        where = f"{location} > {encoding}"
        if self._deep_enough(location, decoding):
            return None
        limits = self._limits
        limit = self._output_limit(data)
        out = inflate(encoding, data, limit)
        if out.over_limit:
            produced = limit + 1
            if produced > limits.ratio_floor and produced > limits.max_ratio * out.consumed:
                refused = (
                    "bomb",
                    f"decompression bomb refused at {where}: more than {limits.max_ratio}:1"
                    f" and over {limits.ratio_floor // MIB} MiB",
                )
            else:
                refused = ("bound", f"decoded-size bound of {limits.max_decoded_bytes // MIB} MiB reached at {where}")
            if tentative and encoding == "br":  # a guess without a magic number: reported, not read again
                self.problem(*refused)
                return None
            self._windows(part, encoding, data, location, decoding, DecodeProblem(*refused), content_type)
            return b""
        if out.error is not None:
            if tentative:
                return None
            if not out.data:
                self.problem("compression", f"{encoding} data at {location} could not be decoded ({out.error})")
                return None
            self.problem(
                "compression", f"{encoding} data at {location} is damaged ({out.error}): read as far as it goes"
            )
        if not out.data:
            return None
        self._spent += len(out.data)
        return out.data

    def _windows(
        self,
        part: str,
        encoding: str,
        data: bytes | bytearray,
        location: str,
        decoding: Decoding,
        refused: DecodeProblem,
        content_type: ContentType,
    ) -> None:
        """A stream refused whole, read again one window at a time (see :meth:`_scan`)."""
        cap = self._limits.max_inflated_bytes
        windows = inflate_windows(encoding, data, self._limits.window, cap)
        self._scan(part, windows, f"{location} > {encoding}", (*decoding, encoding), refused, cap, content_type)

    def large_body(self, data: bytes | bytearray, encodings: list[str], content_type: ContentType) -> None:
        """A body over the bound for decoding one whole (``max_body``), read one window at a time.

        Compressed (by its header, else by its magic bytes), the stream is
        inflated window by window; otherwise the windows are slices of the
        body as it is, never a copy of all of it (see :meth:`_scan`)."""
        limits = self._limits
        refused = DecodeProblem("large", f"body of {_mib(len(data))} over the {_mib(limits.max_body)} bound")
        encoding = encodings[-1] if encodings else sniff(data[:4])
        if encoding in ENCODINGS:
            self._windows("body", encoding, data, "body", (), refused, content_type)
            return
        self._scan("body", _slices(data, limits.window), "body", (), refused, None, content_type)

    def _scan(
        self,
        part: str,
        windows: Iterable[bytes],
        where: str,
        inner: Decoding,
        refused: DecodeProblem,
        cap: int | None,
        content_type: ContentType,
    ) -> None:
        """Content refused whole, read one window at a time (see :class:`DecodeLimits`);
        ``cap``: the most bytes the windows may hold, if any.

        With padding squeezed out, what is left is decoded as any body when it
        fits the decoded-size bound, as the ``content_type`` it is: nothing is
        then missing. A multipart body's line ends are its structure (its
        delimiter lines, the blank line after a part's headers), so in one only
        spaces, tabs and NULs are padding: squeezed as the rest, its parts would
        run into one text, their fields no longer fields, and nothing would say
        so. Otherwise every window is shown to the judge (``keep``), however many came before, with
        its key/value pairs while ``max_scanned_bytes`` lasts (then its text
        alone, for canaries): a window is kept as text, with the pairs that
        show what it is kept for as leaves, when it shows something (a canary,
        a data type) that no window kept so far shows. Junk before the data
        cannot use up what may be kept, and memory stays bounded by what the
        judge can name. JSON is also read as a stream (:class:`JsonStream`):
        its values, with the paths and objects a whole decoding would give
        them, are judged in batches instead of the windows' pairs, for as far
        as the stream goes. Why the content was refused is reported with how
        much was scanned, and for what."""
        limits = self._limits
        room = limits.max_decoded_bytes - self._spent
        squeezed: list[tuple[int, bytes]] | None = []  # (offset, squeezed window); None once over room
        size = scanned = judged = 0
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        carried = ""
        kept = _Kept(part, where, inner)
        stream: JsonStream | None = None
        streamed = _Kept(part, f"{where} > streamed > json:", (*inner, "streamed", "json"), kept.shown)
        started = False  # whether the content's first character was seen
        padding = _PADDING_IN_LINES if content_type.multipart else _PADDING
        for window in windows:
            pending = [(scanned, padding.sub(b" ", window))]
            scanned += len(window)
            if squeezed is not None:
                squeezed.extend(pending)
                size += len(pending[0][1])
                if size <= room:
                    continue
                pending, squeezed = squeezed, None
            for offset, piece in pending:
                fresh = decoder.decode(piece)
                text = carried + fresh
                carried = text[-_OVERLAP:]
                if self._keep is None or kept.windows >= _MAX_WINDOWS_KEPT:
                    continue
                judged += len(piece)
                reading = judged <= limits.max_scanned_bytes  # the bound for reading pairs lasts
                if not started and fresh.strip():
                    started = True
                    if fresh.lstrip()[0] in "{[":
                        stream = JsonStream(limits.max_nesting)
                streaming = reading and stream is not None and stream.failed is None
                if streaming and stream is not None:
                    for values in stream.feed(fresh.encode("utf-8")):
                        self._judge_streamed(streamed, values)
                    streaming = stream.failed is None
                if not text.strip() or not is_text(text):
                    continue
                # each distinct pair once
                pairs = list(dict.fromkeys(window_pairs(text))) if reading and not streaming else []
                self._judge_window(kept, offset, text, pairs)
        if stream is not None and stream.failed is None and self._keep is not None:
            for values in stream.close():
                self._judge_streamed(streamed, values)
        self._judge_streamed(streamed, [], last=True)
        whole_read = cap is None or scanned < cap
        if squeezed is not None and whole_read:
            self._spent += size
            whole = b"".join(piece for _, piece in squeezed)
            self.content(part, f"{where} > unpadded", (*inner, "unpadded"), None, whole, content_type)
            return
        self._spent += kept.size
        if kept.windows >= _MAX_WINDOWS_KEPT:
            self.problem("bound", f"{_MAX_WINDOWS_KEPT} windows kept at {where}: the windows after them not judged")
        pairs_read = "key/value pairs"
        if stream is not None:
            pairs_read = "JSON values by path" if stream.failed is None else f"JSON values by path ({stream.failed})"
        searched = f"canaries, key terms and {pairs_read}"
        if judged > limits.max_scanned_bytes:
            searched = f"canaries, the first {_mib(limits.max_scanned_bytes)} of text for key terms and {pairs_read}"
        self.problem(
            refused.reason,
            f"{refused.message}; {'all' if whole_read else 'the first'} {_mib(scanned)} scanned in windows"
            f" for {searched} ({kept.windows} kept), not decoded whole",
        )

    def _judge_window(self, kept: _Kept, offset: int, text: str, pairs: list[WindowPair]) -> None:
        """Keep the window as text, and the pairs that show what it is kept for, when it shows
        something that nothing kept so far shows."""
        assert self._keep is not None
        new = self._keep(text, pairs, kept.shown)
        if not new:
            return
        kept.shown.update(new)
        place = f"{kept.where} > window:{offset}"
        self._layers.append(Layer(kept.part, place, (*kept.inner, "window"), text))
        for n in sorted({n for found in new.values() for n in found[:PAIRS_PER_REASON]}):
            kind, path, key, value = pairs[n]
            self._leaves.append(Leaf(kept.part, f"{place} > {kind}:{path}", (*kept.inner, "window", kind), key, value))
        kept.windows += 1
        kept.size += len(text)

    def _judge_streamed(self, kept: _Kept, values: list[StreamedValue], last: bool = False) -> None:
        """Values of JSON read as a stream, judged a batch at a time (``last``: what is left);
        kept as leaves where a whole decoding would put them when they show something new.

        The judge sees each value once per batch, with list positions left out of its path
        (``rows[*].email``): the same value in every item of a list says nothing new, and
        judging it once keeps the cost of a body of repeated junk low. What is kept is the
        first item that holds it, at its true place."""
        batch = kept.batch
        for path, key, text in values:
            batch.setdefault(("json", _LIST_POSITION.sub("[*]", path), key, text), path)
        if not batch or (len(batch) < _BATCH and not last):
            return
        assert self._keep is not None
        judged = list(batch)
        new = self._keep("", judged, kept.shown)
        kept.shown.update(new)
        for n in sorted({n for found in new.values() for n in found[:PAIRS_PER_REASON]}):
            _, _, key, value = judged[n]
            self._leaves.append(Leaf(kept.part, kept.where + batch[judged[n]], kept.inner, key, value))
        batch.clear()

    def body(self, data: bytes, content_type: ContentType, encodings: list[str], har: bool) -> None:
        """The request body: declared content-encodings first (outermost last in the header), then sniffing.

        ``har`` says the body came from a HAR file, whose writers store
        binary bodies as text (see :meth:`content`).
        """
        location = "body"
        decoding: Decoding = ()
        for encoding in reversed(encodings):
            # Bytes that do not start as the header says (no gzip or zstd magic) may simply not be
            # compressed: the header is wrong, and reading them as sent is no failure. Brotli and
            # deflate have no reliable magic, so their header is believed.
            believed = encoding in ("br", "deflate") or sniff(data) == encoding
            out = self.inflate(encoding, data, location, decoding, tentative=not believed, content_type=content_type)
            if out is None:
                if believed:
                    return  # reported; it is what the header says, and unreadable
                break  # the header is wrong: read the body as sent
            if not out:
                return  # read in windows
            data, location, decoding = out, f"{location} > {encoding}", (*decoding, encoding)
        self.content("body", location, decoding, None, data, content_type, har=har, guess_brotli=True)

    def content(
        self,
        part: str,
        location: str,
        decoding: Decoding,
        key: str | None,
        data: bytes,
        content_type: ContentType = NO_TYPE,
        har: bool = False,
        guess_brotli: bool = False,
    ) -> None:
        """Bytes of any kind: compressed (by magic), text, protobuf, or opaque.

        ``har`` allows undoing a HAR writer's Latin-1 rendering of binary
        bytes; ``guess_brotli`` a last try at brotli on bytes nothing else
        reads (for a request body whose headers did not say br).
        """
        if not data or self.full:
            return
        encoding = sniff(data)
        if encoding is not None:
            out = self.inflate(
                encoding,
                data,
                location,
                decoding,
                tentative=encoding == "deflate",
                part=part,
                content_type=content_type,
            )
            if out is not None:
                self.content(part, f"{location} > {encoding}", (*decoding, encoding), key, out, content_type)
                return
            if encoding != "deflate":
                return  # reported; compressed garbage holds nothing readable
        if data.startswith(_MEDIA_MAGIC):
            return
        if data.startswith(FRAME_MAGIC):
            self._lz4_frame(part, location, decoding, key, data)
            return
        if content_type.multipart and self._multipart(part, location, decoding, data, content_type):
            return
        text: str | None
        try:
            text = safe_text(data.decode(content_type.charset or "utf-8"))  # a charset may make surrogates
        except (UnicodeError, LookupError):  # LookupError: a charset that names a bytes codec ("base64")
            text = None
        if text is not None:
            if text[:1] in ("{", "[") or is_text(text):
                self.text(part, location, decoding, key, text, content_type)
                return
            if har and max(text) < "\u0100":
                # A HAR writer stored binary bytes as Latin-1 characters; undo that.
                self.content(part, f"{location} > latin1", (*decoding, "latin1"), key, text.encode("latin-1"))
                return
        if text is None and self._lz4_block(part, location, decoding, key, data):
            return
        if self.protobuf(part, location, decoding, data):
            return
        if guess_brotli and self._brotli_last_resort(part, location, decoding, key, data):
            return
        if text is not None:
            self.text(part, location, decoding, key, text, content_type)
            return
        latin = data.decode("latin-1")
        if is_text(latin):
            self.text(part, location, decoding, key, latin, content_type)
        else:
            self.layer(part, location, decoding, latin)  # opaque: searched whole, nothing more
            self.problem("opaque", f"{location} holds {len(data)} bytes of binary data in no format flowaudit reads")

    def _multipart(self, part: str, location: str, decoding: Decoding, data: bytes, content_type: ContentType) -> bool:
        """Each part read by its own headers (RFC 7578): its name is the key, its content type and charset
        say how to read it. ``False`` (reported) when the body does not follow its boundary."""
        found = split_multipart(data, content_type, location)
        if found is None:
            self.problem("multipart", f"multipart data at {location} does not follow its boundary: read as one value")
            return False
        for problem in found.problems:
            self.problem(problem.reason, problem.message)
        if self._deep_enough(location, decoding):
            return True
        for piece in found.parts:
            if self.full:
                break
            where = " > ".join((location, *(f"multipart:{name}" for name in piece.names)))
            inner = (*decoding, *("multipart" for _ in piece.names))
            self.content(part, where, inner, piece.names[-1], piece.content, piece.content_type)
        return True

    def _output_limit(self, data: bytes) -> int:
        """How much one decompression of ``data`` may put out: the ratio bound, within what is left
        of the request's decoded-size budget."""
        limits = self._limits
        return min(max(limits.ratio_floor, limits.max_ratio * len(data)), limits.max_decoded_bytes - self._spent)

    def _lz4_frame(self, part: str, location: str, decoding: Decoding, key: str | None, data: bytes) -> None:
        """An LZ4 frame (its magic number is certain): decoded, or said why not."""
        if self._deep_enough(location, decoding):
            return
        out, error = decode_frame(data, self._output_limit(data))
        if error == "over the limit":
            self._budget_spent(f"{location} > lz4")
            return
        if error is not None:
            state = "is damaged" if out else "could not be decoded"
            self.problem("compression", f"lz4 data at {location} {state} ({error})")
        if out:
            self._spent += len(out)
            self.content(part, f"{location} > lz4", (*decoding, "lz4"), key, out)

    def _lz4_block(self, part: str, location: str, decoding: Decoding, key: str | None, data: bytes) -> bool:
        """A bare LZ4 block (no magic number): kept only when it decodes cleanly to text."""
        if self._deep_enough(location, decoding):
            return False
        out = find_block(data, self._output_limit(data))
        if out is None:
            return False
        try:
            text = safe_text(out.decode("utf-8"))
        except UnicodeError:
            return False
        if not is_text(text):
            return False
        self._spent += len(out)
        self.text(part, f"{location} > lz4", (*decoding, "lz4"), key, text)
        return True

    def _brotli_last_resort(self, part: str, location: str, decoding: Decoding, key: str | None, data: bytes) -> bool:
        """Brotli has no magic number: tried on a body nothing else could read, kept only if it decodes cleanly."""
        out = self.inflate("br", data, location, decoding, tentative=True, part=part)
        if out is None:
            return False
        self.content(part, f"{location} > br", (*decoding, "br"), key, out)
        return True

    # -- text --------------------------------------------------------------

    def text(
        self,
        part: str,
        location: str,
        decoding: Decoding,
        key: str | None,
        text: str,
        content_type: ContentType = NO_TYPE,
    ) -> None:
        """A whole decoded text: a body, a base64 payload, a multipart field."""
        stripped = text.strip()
        if not stripped:
            return
        first = stripped[0]
        if first == "{" or first == "[":
            if self.json_text(part, location, decoding, key, stripped):
                return
            if "\n" in stripped and self._json_lines(part, location, decoding, stripped, content_type):
                return
            if _declares_json(content_type) and _invalid_json(stripped):
                self.problem("json", f"{location} is declared {content_type.media_type} but is not valid JSON")
        elif content_type.media_type == "application/x-www-form-urlencoded" and "=" in stripped:
            self.form(part, location, decoding, stripped)
            return
        if self.decode_string(part, location, decoding, key, stripped):
            return
        if looks_like_form(stripped):
            self.form(part, location, decoding, stripped)
        elif "\n" in stripped and looks_like_form_lines(stripped):
            self.layer(part, location, decoding, stripped)
            inner = (*decoding, "lines")
            for n, line in enumerate(stripped.splitlines(), start=1):
                if line:
                    self.form(part, f"{location} > lines:line {n}", inner, line, layer=False)
        else:
            if _declares_json(content_type) and first != "{" and first != "[" and _invalid_json(stripped):
                self.problem("json", f"{location} is declared {content_type.media_type} but is not valid JSON")
            self.leaf(part, location, decoding, key, stripped)

    def form(self, part: str, location: str, decoding: Decoding, text: str, layer: bool = True) -> None:
        if self._deep_enough(location, decoding):
            self.leaf(part, location, decoding, None, text)
            return
        if layer:
            self.layer(part, location, decoding, text)
        inner = (*decoding, "form")
        prefix = f"{location} > form:"
        append = self._leaves.append
        for name, value in split_form(text):  # the string() of each value, inlined: GA4 batches hold hundreds
            if not value:
                continue
            if (len(value) >= MIN_BASE64 or value[0] in _ENCODED_START) and self.decode_string(
                part, prefix + name, inner, name, value
            ):
                if self.full:
                    return
                continue
            if self._room <= 0:
                self._overflow(prefix + name)
                return
            self._room -= 1
            append(_new_leaf((part, prefix + name, inner, name, value)))

    def fields(self, part: str, prefix: str, decoding: Decoding, pairs: list[tuple[str, str]]) -> None:
        """Named values at the top of a request part (query parameters, cookies): ``query:name``."""
        for name, value in pairs:
            if self.full:
                return
            self.string(part, f"{prefix}{name}", decoding, name, value)

    def json_text(self, part: str, location: str, decoding: Decoding, key: str | None, text: str) -> bool:
        """Walk ``text`` as a JSON object or array; ``False`` when it is not one."""
        if self._deep_enough(location, decoding):
            return False
        try:
            value = parse_json(text)
        except JsonTooDeep:  # nested deeper than Python's parser goes: valid or not, not walked
            self.problem("bound", f"JSON at {location} nested too deep to parse: read as text")
            return False
        except ValueError:
            return False
        if not isinstance(value, dict | list):
            return False
        self.layer(part, location, decoding, text)
        base = f"{location} > json:"
        self.json(part, base, (*decoding, "json"), key, value, 0)
        if self.full and self.stopped_at.startswith(base) and self._keep is not None:
            self._judge_rest(part, base, (*decoding, "json"), text, self.stopped_at[len(base) :].partition(" > ")[0])
        return True

    def _judge_rest(self, part: str, base: str, decoding: Decoding, text: str, stopped: str) -> None:
        """The values of a JSON text past the value bound (from the one at path ``stopped`` on),
        read again as a stream and judged like content too large to decode (:meth:`_scan`):
        those that show something new are kept at their places, so that values of junk sent
        first cannot crowd out the data after them."""
        stream = JsonStream(self._limits.max_nesting)
        kept = _Kept(part, base, decoding)
        reached = False
        before = len(self._leaves)
        data = text.encode("utf-8", "replace")
        for start in range(0, len(data), _REST_CHUNK):
            for values in stream.feed(data[start : start + _REST_CHUNK]):
                if not reached:
                    past = [n for n, (path, _, _) in enumerate(values) if path == stopped]
                    if not past:
                        continue
                    reached, values = True, values[past[0] :]
                self._judge_streamed(kept, values)
        for values in stream.close():
            if reached:
                self._judge_streamed(kept, values)
        self._judge_streamed(kept, [], last=True)
        added = len(self._leaves) - before
        self.problem("bound", f"the values past it read again as a stream and judged for data: {added} kept")

    def _json_lines(self, part: str, location: str, decoding: Decoding, text: str, content_type: ContentType) -> bool:
        """Newline-delimited JSON, and Sentry envelopes (a JSON header line, then item headers and payloads:
        https://develop.sentry.dev/sdk/data-model/envelopes/)."""
        if self._deep_enough(location, decoding):
            return False
        lines: list[tuple[int, str, object]] = []
        parsed = 0
        for n, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip()
            if not line:
                continue
            value: object = None
            if line[0] == "{" or line[0] == "[":
                try:
                    value = parse_json(line)
                    parsed += 1
                except ValueError:
                    value = None
            lines.append((n, line, value))
        if not parsed:
            return False
        head = lines[0][2]
        envelope = content_type.media_type == "application/x-sentry-envelope" or (
            isinstance(head, dict) and any(k in head for k in _ENVELOPE_HEADER_KEYS)
        )
        kind = "envelope" if envelope else "ndjson"
        self.layer(part, location, decoding, text)
        inner = (*decoding, kind)
        for n, line, value in lines:
            if self.full:
                return True
            where = f"{location} > {kind}:line {n}"
            if isinstance(value, dict | list):
                self.json(part, f"{where} > json:", (*inner, "json"), None, value, 0)
            else:
                self.string(part, where, inner, None, line)
        return True

    def json(
        self, part: str, here: str, decoding: Decoding, key: str | None, value: object, level: int, bare: bool = True
    ) -> None:
        """Walk a parsed JSON container at location ``here`` (a layer's ``... > json:`` followed by
        the path so far; ``bare`` while that path is empty, so the first key takes no dot).

        The hottest loop of the decoder (most payloads are JSON): a dict's
        items and a list's are iterated natively (the exact types narrowed
        first), each value's location made with one concatenation, and the
        value itself taken by :meth:`_json_value`.
        """
        if level > self._limits.max_nesting:
            self.problem("bound", f"JSON nested over {self._limits.max_nesting} levels at {here}: not walked further")
            return
        if type(value) is dict:
            assert isinstance(value, dict)
            prefix = here if bare else here + "."
            for name, item in value.items():
                if not self._json_value(part, prefix + name, decoding, name, item, level, bare and not name):
                    return
        elif type(value) is list:
            assert isinstance(value, list)
            for i, item in enumerate(value):
                if not self._json_value(part, f"{here}[{i}]", decoding, key, item, level, False):
                    return

    def _json_value(
        self, part: str, where: str, decoding: Decoding, name: str | None, item: object, level: int, bare: bool
    ) -> bool:
        """One value of a JSON container (see :meth:`json`); ``False`` once the walk must stop.
        Leaves are appended here directly rather than through :meth:`leaf`."""
        kind = type(item)
        if kind is str:
            assert isinstance(item, str)
            if not item:
                return True
            if (len(item) >= MIN_BASE64 or item[0] in _ENCODED_START) and self.decode_string(
                part, where, decoding, name, item
            ):
                return True
            text = item
        elif kind is dict or kind is list:
            self.json(part, where, decoding, name, item, level + 1, bare)
            return not self.full
        elif kind is bool:
            text = "true" if item else "false"
        elif item is None:
            return True
        else:
            text = str(item)
        if self._room <= 0:
            self._overflow(where)
            return False
        self._room -= 1
        self._leaves.append(_new_leaf((part, where, decoding, name, text)))
        return True

    # -- strings -----------------------------------------------------------

    def string(self, part: str, location: str, decoding: Decoding, key: str | None, value: str) -> None:
        """A string value: walked into when it holds an encoding, else kept as a leaf."""
        if (len(value) < MIN_BASE64 and value[:1] not in _ENCODED_START and "?" not in value) or not self.decode_string(
            part, location, decoding, key, value
        ):
            self.leaf(part, location, decoding, key, value)

    def decode_string(self, part: str, location: str, decoding: Decoding, key: str | None, value: str) -> bool:
        """Try the encodings a string value can hold; ``True`` when one was walked into."""
        n = len(value)
        if n < 2:
            return False
        first = value[0]
        if first == "{" or first == "[":
            return self.json_text(part, location, decoding, key, value)
        if first == "%" and value[1:3].upper() in ("7B", "5B"):
            return self.json_text(
                part, f"{location} > urldecode", (*decoding, "urldecode"), key, percent_decode(value, plus=False)
            )
        if first == "h" and (value.startswith("https://") or value.startswith("http://")):
            return self._url(part, location, decoding, key, value)
        if first == "h" and value[4:8].lower() in ("%3a%", "s%3a"):
            return self._encoded_url(part, location, decoding, key, value)
        if first == "e" and value.startswith("eyJ"):
            payload = jwt_payload(value)
            if payload is not None and self._decoded(part, location, decoding, key, "jwt", payload):
                return True
        if "?" in value and _RELATIVE_URL.match(value):
            return self._url(part, location, decoding, key, value)
        if n >= MIN_BASE64 and " " not in value:
            found = base64_decode(value)
            if found is not None:
                return self._decoded(part, location, decoding, key, found[0], found[1])
        return False

    def _url(self, part: str, location: str, decoding: Decoding, key: str | None, url: str) -> bool:
        """A URL inside a value: kept whole (a page URL is data), its query parameters walked too."""
        query = url.partition("#")[0].partition("?")[2]
        if not query or self._deep_enough(location, decoding):
            return False
        self.leaf(part, location, decoding, key, url)
        self.fields(part, f"{location} > query:", (*decoding, "query"), split_form(query))
        return True

    def _encoded_url(self, part: str, location: str, decoding: Decoding, key: str | None, value: str) -> bool:
        """A URL percent-encoded once more than its parameter needs (``ntv_url=https%253A%252F%252F...``,
        ``fu=https%3A%2F%2F...`` inside an already decoded query): read as the URL it encodes."""
        url = percent_decode(value, plus=False)
        if not url.startswith(("https://", "http://")) or self._deep_enough(location, decoding):
            return False
        where, inner = f"{location} > urldecode", (*decoding, "urldecode")
        if not self._url(part, where, inner, key, url):
            self.leaf(part, where, inner, key, url)
        return True

    def _decoded(self, part: str, location: str, decoding: Decoding, key: str | None, step: str, raw: bytes) -> bool:
        """Bytes from base64 or a JWT: walked only when they are text or compressed data."""
        if self._deep_enough(location, decoding):
            return False
        text: str | None = None
        if sniff(raw) is None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return False
            if not is_text(text):
                return False
        where = f"{location} > {step}"
        if not self._spend(len(raw), where):
            return False
        inner = (*decoding, step)
        if text is None:
            self.content(part, where, inner, key, raw)
        else:
            self.text(part, where, inner, key, text)
        return True

    # -- protobuf ----------------------------------------------------------

    def protobuf(self, part: str, location: str, decoding: Decoding, data: bytes) -> bool:
        if self._deep_enough(location, decoding):
            return False
        fields = parse_message(data)
        if fields is None:
            return False
        self.layer(part, location, decoding, data.decode("latin-1"))  # raw bytes stay searchable (binary ids)
        self._message(part, f"{location} > protobuf:", (*decoding, "protobuf"), "", fields, 0, set())
        return True

    def _message(
        self,
        part: str,
        base: str,
        decoding: Decoding,
        path: str,
        fields: list[Field],
        level: int,
        seen: set[tuple[str, object]],
    ) -> None:
        """Walk one message's fields. Field paths carry no repeat index (``1.2.5``), so a repeated field
        that holds the same value as before adds nothing: such repeats (the same event parameter in every
        event of a Firebase batch) are skipped, a whole nested message at once."""
        prefix = f"{path}." if path else ""
        append = self._leaves.append
        for number, wire, value in fields:
            sub = f"{prefix}{number}"
            key = (sub, value)
            if key in seen:
                continue
            seen.add(key)
            if wire == LENGTH:
                assert isinstance(value, bytes)
                if not value:
                    continue
                try:
                    text = value.decode("utf-8")
                except UnicodeDecodeError:
                    text = ""
                if text and (text.isprintable() or is_text(text)):
                    if (len(text) >= MIN_BASE64 or text[0] in _ENCODED_START) and self.decode_string(
                        part, base + sub, decoding, str(number), text
                    ):
                        continue
                else:
                    nested = parse_message(value) if level < self._limits.max_nesting else None
                    if nested is not None:
                        self._message(part, base, decoding, sub, nested, level + 1, seen)
                        if self.full:
                            return
                    continue
            elif wire == VARINT:
                text = str(value)
            else:
                assert isinstance(value, bytes)
                text = fixed_value(value)
            if self._room <= 0:
                self._overflow(base + sub)
                return
            self._room -= 1
            append(_new_leaf((part, base + sub, decoding, str(number), text)))


@dataclass(slots=True)
class _Kept:
    """What a scan of content refused whole has kept so far, and where: ``where`` and ``inner``
    are the place and decoding of the content (for values read as a stream, those of its values,
    to which their paths are added)."""

    part: str
    where: str
    inner: Decoding
    shown: set[str] = field(default_factory=set)  # the reasons what is kept shows
    windows: int = 0  # windows kept
    size: int = 0  # characters of the windows kept
    # streamed values not judged yet, as the judge sees them, with the true path of the first
    batch: dict[WindowPair, str] = field(default_factory=dict)


def _slices(data: bytes | bytearray, window: int) -> Iterator[bytes]:
    """``data`` a window at a time, each copied alone (the whole is never copied)."""
    with memoryview(data) as view:
        for start in range(0, len(data), window):
            yield bytes(view[start : start + window])


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size < 10 * MIB else f"{size // MIB} MiB"
