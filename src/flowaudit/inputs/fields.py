"""Field rules shared by every capture reader.

Both readers must fill :class:`~flowaudit.model.Observation` the same way,
or the same traffic read from a ``.mitm`` and from a ``.har`` would audit
differently. Whatever both need to agree on is decided once, here.
"""

from __future__ import annotations

# Largest request body kept per observation. Bodies beyond this are cut and
# flagged (Observation.body_truncated). Below it a body is kept whole, held
# once (the readers never copy a large body), so the payload decoder can
# search all of it: a body too large to decode whole is read in windows
# (flowaudit.payload.decode.limits), and padding cannot push data out of
# sight. An upload of a video must still not hold the audit's memory.
MAX_BODY = 512 * 1024 * 1024


def normalize_host(host: str) -> str:
    """The host as a comparable name: lower-case, no trailing dot, no IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".")


def bound_body(body: bytes | bytearray) -> tuple[bytes | bytearray, bool]:
    """The body cut at :data:`MAX_BODY`, and whether it was cut."""
    if len(body) > MAX_BODY:
        return body[:MAX_BODY], True
    return body, False
