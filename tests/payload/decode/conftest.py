"""Decoder tests build requests by hand (crafted encodings) or read them from the real captures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Headers, Observation
from flowaudit.payload.model import DecodedRequest

REALWORLD = Path(__file__).resolve().parents[2] / "data" / "realworld"

MakeRequest = Callable[..., Observation]


def messages(decoded: DecodedRequest) -> tuple[str, ...]:
    """What the decoder reported, in words (tests about the reason look at ``problems`` itself)."""
    return tuple(p.message for p in decoded.problems)


@pytest.fixture
def request_with() -> MakeRequest:
    """``request_with(body, headers=..., path=..., har=...)``: a POST to a tracker as a capture reader would give it."""

    def make(body: bytes = b"", headers: Headers = (), path: str = "/collect", har: bool = False) -> Observation:
        return Observation(
            ref="crafted#1",
            source="crafted",
            index=1,
            kind="http",
            method="POST",
            scheme="https",
            host="collector.example",
            port=443,
            path=path,
            request_headers=headers,
            body=body,
            body_decoded=har,
        )

    return make


@pytest.fixture(scope="session")
def realworld() -> Callable[[str], list[Observation]]:
    """The observations of one real capture, by its path under tests/data/realworld."""

    def read(relative: str) -> list[Observation]:
        return list(open_inputs([str(REALWORLD / relative)]))

    return read
