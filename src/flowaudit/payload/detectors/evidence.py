"""Evidence for a detection: where it was found, and a short masked excerpt.

Reports are forwarded and published, so a generic hit shows enough of the
value to be recognised by someone who knows it (and to be checked against
the capture) but not enough to be read by someone who does not. Canary
values are the tester's own and are shown by the canary matcher itself.
"""

from __future__ import annotations

from flowaudit.payload.model import Detection, Leaf, new_detection
from flowaudit.urls import split_url

_MAX = 60
_DOT = "…"


def mask(value: str) -> str:
    """A value reduced to its first characters and its length."""
    text = value.strip()
    if len(text) <= 2:
        return "•" * len(text)
    keep = 2 if len(text) < 12 else 4
    return f"{text[:keep]}{_DOT} ({len(text)} chars)"


def mask_email(value: str) -> str:
    """``jane.doe@example.com`` -> ``j•••@example.com``: the domain says which service, not who."""
    local, _, domain = value.strip().partition("@")
    return f"{local[:1]}•••@{domain}"[:_MAX]


def mask_hash(value: str) -> str:
    return f"{value[:8]}{_DOT} ({len(value)} hex)"


def mask_url(value: str) -> str:
    """The site of a page URL, not the page: enough to say whose pages are reported."""
    parts = split_url(value)
    if not parts.netloc:
        return mask(value)
    return f"{parts.scheme}://{parts.netloc}/{_DOT}"[:_MAX]


def mask_ip(value: str) -> str:
    if "." in value:
        head = value.split(".")[:2]
        return ".".join([*head, "x", "x"])
    return value.split(":")[0] + f":{_DOT}"


def quote(text: str) -> str:
    """Text that may be shown as is (a matched term, a key name), cut to a readable length."""
    text = " ".join(text.split())
    return text if len(text) <= _MAX else text[: _MAX - 1] + _DOT


def hit(
    leaf: Leaf,
    data_type: str,
    confidence: str,
    how: str,
    excerpt: str,
    detector: str,
    *,
    value: str | None = None,
    source: str = "",
) -> Detection:
    """A detection at a leaf's place, with its decoding chain."""
    return new_detection(
        (data_type, confidence, leaf.part, leaf.location, leaf.decoding, how, excerpt, value, detector, source, "")
    )
