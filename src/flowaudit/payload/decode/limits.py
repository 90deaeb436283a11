"""How far the decoder may go inside one request.

Captures come from apps under test, and an app (or whoever controls its
servers' scripts) may send anything: a kilobyte of gzip that inflates to a
gigabyte, JSON nested a million levels deep, a form with a million fields.
The decoder reads what is there up to these bounds and reports what it
refused in ``DecodedRequest.problems``; the audit then goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_depth: int = 8  # decoding steps in one chain ("gzip", "form", "json", ... counted)
    max_decoded_bytes: int = 16 * MIB  # decompressed plus base64-decoded bytes, per request
    max_ratio: int = 100  # output:input of one decompression ...
    ratio_floor: int = 1 * MIB  # ... refused only once the output also passes this size
    max_values: int = 10_000  # leaves plus layers kept per request
    max_nesting: int = 64  # JSON / protobuf levels walked inside one layer


DEFAULT_LIMITS = DecodeLimits()
