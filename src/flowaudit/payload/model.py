"""The values found inside one request, and what they were recognised as.

The decoder turns an :class:`~flowaudit.model.Observation` into a
:class:`DecodedRequest`: every scalar value it could reach (:class:`Leaf`),
each with where it sat and the decoding steps that led there, plus the text
of every decoded layer (for canary search, which must also see values that
no parser isolates). Detectors (canaries, vendor adapters, generic
detectors) turn those into :class:`Detection` values. Plain data: no
mitmproxy, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

# Request parts, in the order a reader meets them.
PARTS: tuple[str, ...] = ("url", "query", "header", "cookie", "body")

CONFIDENCES: tuple[str, ...] = ("certain", "likely", "possible")


class Leaf(NamedTuple):
    """One scalar value reached by decoding.

    A NamedTuple rather than a frozen dataclass: requests hold dozens of
    leaves and a frozen dataclass costs about 2.5x as much to build, a
    quarter of all decoding time on the benchmark capture.

    ``location`` is the reader-facing path of docs/contract.md, e.g.
    ``body > form:data > json:[0].properties.$email``; ``decoding`` the
    steps applied, outermost first, e.g. ``("br", "ndjson", "json")``.
    ``key`` is the nearest enclosing key name (``$email``), ``None`` for a
    list item or a whole text.
    """

    part: str  # one of PARTS
    location: str
    decoding: tuple[str, ...]
    key: str | None
    value: str


class Layer(NamedTuple):
    """The text of one decoded layer (a body after gunzip, a form field's
    JSON string, ...), searched whole for canaries."""

    part: str
    location: str
    decoding: tuple[str, ...]
    text: str


class DecodeProblem(NamedTuple):
    """Why part of a request could not be decoded: a reason from :data:`DECODE_REASONS`, and where and how."""

    reason: str
    message: str  # e.g. "decompression bomb refused at body > gzip: more than 100:1 and over 1 MiB"


# Why decoding gives up, in plain words ("2 requests with <label>"): audits count requests per reason.
DECODE_REASONS: dict[str, str] = {
    "compression": "damaged or unreadable compressed data",
    "encoding": "an unsupported Content-Encoding",
    "json": "invalid JSON under a JSON content type",
    "base64": "damaged base64",
    "multipart": "multipart data that does not follow its boundary",
    "truncated": "a body cut short",
    "opaque": "binary data in a format not recognised (searched for canaries only)",
    "bomb": "a decompression bomb (refused)",
    "bound": "a size, depth or count bound reached",
    "large": "a body too large to inspect fully (searched in windows)",
}


@dataclass(frozen=True, slots=True)
class DecodedRequest:
    leaves: tuple[Leaf, ...]
    layers: tuple[Layer, ...]
    problems: tuple[DecodeProblem, ...] = ()


class Detection(NamedTuple):
    """A data type recognised in a request, with the evidence for it.

    A NamedTuple, as :class:`Leaf`: detectors make one for every hit and
    worker processes send them back pickled; a frozen dataclass cost about
    5 µs to build (and so to unpickle), a tuple a tenth of that. Changed
    with ``_replace``."""

    data_type: str  # an id of rules/data-types.yml
    confidence: str  # one of CONFIDENCES
    part: str
    location: str
    decoding: tuple[str, ...]
    how: str  # "sha256 of the email canary", "Mixpanel adapter: $email", "key 'email' + email format"
    excerpt: str  # the matched value, shortened; canary values may be shown, other values are masked
    value: str | None = None  # the full value for identifiers (to spot the same id at two companies)
    detector: str = ""  # "canary", "adapter:<vendor>", "generic:<name>"
    # The documentation a vendor adapter's field cites for what the field holds ("" for a
    # generic detection, whose ``how`` says what it matched).
    source: str = ""
    # What the value is, finer than its data type, when the adapter knows it: "advertising id
    # (IDFA)", "push token", "session id". The data type stays what rules and declarations use.
    property: str = ""


# Detection(*fields), every field given, without the NamedTuple's Python-level __new__: detectors
# make one per value found and the main process one per detection a worker sends back.
new_detection: Callable[[tuple[object, ...]], Detection] = partial(tuple.__new__, Detection)
