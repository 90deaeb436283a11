"""Engine tests run on the real catalog and real declarations, with
observations built by hand: no proxy, no capture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowaudit.catalog import Catalog, load_catalog
from flowaudit.declaration import Declaration, load_declaration
from flowaudit.model import Observation


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def declare(tmp_path: Path, catalog: Catalog):
    def make(text: str) -> Declaration:
        path = tmp_path / "flowaudit.yml"
        path.write_text(text, encoding="utf-8")
        return load_declaration(str(path), catalog)

    return make


def obs(url: str, n: int = 1, method: str = "POST", body: bytes = b"", headers=(), phase=None) -> Observation:
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    host, _, port = netloc.partition(":")
    return Observation(
        ref=f"cap.mitm#{n}",
        source="cap.mitm",
        index=n,
        kind="http",
        method=method,
        scheme=scheme,
        host=host,
        port=int(port) if port else (443 if scheme == "https" else 80),
        path=slash + path,
        request_headers=tuple(headers),
        body=body,
        phase=phase,
    )
