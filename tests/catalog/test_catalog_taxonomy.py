from __future__ import annotations

from pathlib import Path

import pytest

from flowaudit.catalog import CATEGORIES, UNKNOWN, category_descriptions
from flowaudit.errors import FlowauditError


def test_every_category_is_described_once() -> None:
    described = category_descriptions()
    assert list(described) == [*CATEGORIES, UNKNOWN]
    for category, text in described.items():
        assert text and "\n" not in text, category


def test_a_missing_description_is_an_error(tmp_path: Path) -> None:
    lines = [f"{c}: something" for c in CATEGORIES if c != "platform"] + ["unknown: not known"]
    (tmp_path / "categories.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FlowauditError) as info:
        category_descriptions(tmp_path)
    assert "platform" in info.value.message
