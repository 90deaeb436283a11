"""How far the decoder may go inside one request.

Captures come from apps under test, and an app (or whoever controls its
servers' scripts) may send anything: a kilobyte of gzip that inflates to a
gigabyte, JSON nested a million levels deep, a form with a million fields.
The decoder reads what is there up to these bounds and reports what it
refused in ``DecodedRequest.problems``; the audit then goes on.

Refusing is not ignoring: a stream that inflates past the ratio or the
decoded-size bound is still read, one window at a time, up to
``max_inflated_bytes`` (a body too large to decode whole, all of it).
Padding (runs of white space or NUL bytes, which compress to nothing) is
squeezed out as it goes; when what is left fits the decoded-size bound, it
is decoded like any body. Otherwise every window is searched for canaries,
and the first ``max_scanned_bytes`` of what is left for key/value pairs
worth reporting (which costs about as much as decoding); a window is kept
only when it shows something no window kept before shows, so junk sent
before the data cannot crowd it out. The request is counted as not fully
decoded, and what was not read is named.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_body: int = 8 * MIB  # a body larger than this is not decoded whole, only read in windows
    max_depth: int = 8  # decoding steps in one chain ("gzip", "form", "json", ... counted)
    max_decoded_bytes: int = 16 * MIB  # decompressed plus base64-decoded bytes, per request
    max_ratio: int = 100  # output:input of one decompression ...
    ratio_floor: int = 1 * MIB  # ... refused only once the output also passes this size
    max_values: int = 10_000  # leaves plus layers kept per request
    max_nesting: int = 64  # JSON / protobuf levels walked inside one layer
    max_scanned_bytes: int = 64 * MIB  # text (padding squeezed out) searched in windows for key/value pairs
    max_inflated_bytes: int = 512 * MIB  # output of one refused stream searched in windows, at most
    window: int = 48 * 1024  # bytes per window: the term detector reads 50,000 characters of a text


DEFAULT_LIMITS = DecodeLimits()
