from __future__ import annotations

from pathlib import Path

from flowaudit.catalog import CATEGORIES, UNKNOWN, category_descriptions
from flowaudit.catalog.taxonomy import CATEGORIES_FILE
from flowaudit.rulesfiles import validate_file
from flowaudit.shape import schema as shipped_schema


def test_every_category_is_described_once() -> None:
    described = category_descriptions()
    assert list(described) == [*CATEGORIES, UNKNOWN]
    for category, text in described.items():
        assert text and "\n" not in text, category


def test_a_missing_description_is_an_error(tmp_path: Path) -> None:
    lines = [f"{c}: something" for c in CATEGORIES if c != "platform"] + ["unknown: not known"]
    (tmp_path / "categories.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (error,) = validate_file(tmp_path / "categories.yml")
    assert (error.line, error.message) == (1, "the categories file needs `platform:`")


def test_the_schema_names_exactly_the_model_categories() -> None:
    described = shipped_schema(CATEGORIES_FILE)
    assert described["required"] == [*CATEGORIES, UNKNOWN]
    assert list(described["properties"]) == [*CATEGORIES, UNKNOWN]
