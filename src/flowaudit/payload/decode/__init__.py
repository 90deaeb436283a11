"""Decoding a request down to its values: every layer of encoding undone, each step recorded.

See :mod:`flowaudit.payload.model` for what comes out, and
:mod:`flowaudit.payload.decode.walker` for the order in which encodings are
tried.
"""

from flowaudit.payload.decode.limits import DEFAULT_LIMITS, DecodeLimits
from flowaudit.payload.decode.request import decode_request

__all__ = ["DEFAULT_LIMITS", "DecodeLimits", "decode_request"]
