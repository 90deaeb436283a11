"""How far the decoder may go inside one request.

Captures come from apps under test, and an app (or whoever controls its
servers' scripts) may send anything: a kilobyte of gzip that inflates to a
gigabyte, JSON nested a million levels deep, a form with a million fields.
The decoder reads what is there up to these bounds and reports what it
refused in ``DecodedRequest.problems``; the audit then goes on.

Refusing is not ignoring: a stream that inflates past the ratio or the
decoded-size bound is still read, one window at a time, up to
``max_scanned_bytes``. Padding (runs of white space or NUL bytes, which
compress to nothing) is squeezed out as it goes; when what is left fits the
decoded-size bound, it is decoded like any body. Otherwise each window that
holds a canary or a key term is kept, as text searched whole, and the
request is counted as not fully decoded.
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
    max_scanned_bytes: int = 64 * MIB  # output of one refused stream read in windows, at most
    window: int = 48 * 1024  # bytes per window: the term detector reads 50,000 characters of a text


DEFAULT_LIMITS = DecodeLimits()
