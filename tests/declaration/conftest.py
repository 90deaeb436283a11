"""A small stand-in catalog, so declaration tests do not depend on catalog data."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.catalog.model import Company, Service


class FakeCatalog:
    """Looks entities up by id or name, case-insensitively, like the real catalog."""

    def __init__(self) -> None:
        entities: list[Company | Service] = [
            Company("stripe", "Stripe"),
            Company("mixpanel", "Mixpanel"),
            Company("google", "Google"),
            Service("google-firebase", "Firebase", "google", "analytics", ("firebaseio.com",)),
        ]
        self._by_key = {key.lower(): e for e in entities for key in (e.id, e.name)}

    def find_entity(self, name: str) -> Company | Service | None:
        return self._by_key.get(name.strip().lower())

    def suggest(self, name: str, n: int = 3) -> list[str]:
        names = sorted({e.name for e in self._by_key.values()})
        return difflib.get_close_matches(name, names, n=n)


@pytest.fixture
def declarations() -> Path:
    """The declaration fixtures shared with the command-line tests."""
    return Path(__file__).resolve().parents[1] / "data" / "declarations"


@pytest.fixture
def catalog() -> FakeCatalog:
    return FakeCatalog()


@pytest.fixture
def declaration_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "flowaudit.yml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
