"""Fixtures for the payload tests: real captures decoded by the real decoder, and
JSON documents turned into leaves the way the decoder locates them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.model import DecodedRequest, Leaf

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
EXTERNAL = Path(__file__).resolve().parents[1] / "corpus" / "external"


@pytest.fixture
def realworld() -> Callable[[str], list[Observation]]:
    """Every observation of a capture under tests/data/realworld."""

    def read(relative: str) -> list[Observation]:
        return list(open_inputs([str(REALWORLD / relative)]))

    return read


@pytest.fixture
def external() -> Callable[[str, int], Observation]:
    """Entry n (from 1) of an external corpus capture, by its folder name under tests/corpus/external."""

    def read(name: str, n: int) -> Observation:
        (found,) = [o for o in open_inputs([str(EXTERNAL / name / "capture.har")]) if o.index == n]
        return found

    return read


@pytest.fixture
def json_body() -> Callable[..., DecodedRequest]:
    """A decoded request whose body (or query) holds this JSON document."""

    def build(document: object, part: str = "body") -> DecodedRequest:
        leaves: list[Leaf] = []

        def walk(value: object, path: str, key: str | None) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, f"{path}.{k}" if path else k, k)
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, f"{path}[{i}]", key)
            elif value is not None:
                text = json.dumps(value) if isinstance(value, bool) else str(value)
                leaves.append(Leaf(part, f"{part} > json:{path}", ("json",), key, text))

        walk(document, "", None)
        return DecodedRequest(tuple(leaves), ())

    return build
