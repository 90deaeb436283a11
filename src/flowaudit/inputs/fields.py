"""Field rules shared by every capture reader.

Both readers must fill :class:`~flowaudit.model.Observation` the same way,
or the same traffic read from a ``.mitm`` and from a ``.har`` would audit
differently. Whatever both need to agree on is decided once, here.
"""

from __future__ import annotations

# Largest request body kept per observation. Bodies beyond this are cut and
# flagged (Observation.body_truncated): analytics payloads are far smaller,
# and an upload of a video must not hold the whole audit in memory.
MAX_BODY = 8 * 1024 * 1024


def normalize_host(host: str) -> str:
    """The host as a comparable name: lower-case, no trailing dot, no IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".")


def bound_body(body: bytes) -> tuple[bytes, bool]:
    """The body cut at :data:`MAX_BODY`, and whether it was cut."""
    if len(body) > MAX_BODY:
        return body[:MAX_BODY], True
    return body, False
