"""What each catalog category means, in one line (shown in reports).

The descriptions live in ``rules/categories.yml`` so they can be reworded
without touching code; the ids are fixed by ``CATEGORIES`` in the model,
and the file must describe exactly those plus ``unknown``: its schema,
:data:`CATEGORIES_FILE`, says so and a test keeps the two in step. Like the
overlay, the shape is checked by ``flowaudit rules validate`` and the tests,
not at each load.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flowaudit import resources
from flowaudit.catalog.model import CATEGORIES
from flowaudit.shape import Shape
from flowaudit.yamlsource import load_yaml

UNKNOWN = "unknown"  # the category of a host the catalog does not know
CATEGORIES_FILE = Shape("flowaudit.catalog", "categories.schema.json", whole="the categories file")


def category_descriptions(rules_dir: Path | None = None) -> dict[str, str]:
    """Category id -> one-line description, in ``CATEGORIES`` order, ``unknown`` last."""
    root = Path(rules_dir) if rules_dir is not None else resources.rules_dir()
    return dict(_load(root.resolve() / "categories.yml"))


@cache
def _load(path: Path) -> tuple[tuple[str, str], ...]:
    value = load_yaml(path).value
    return tuple((key, value[key].strip()) for key in (*CATEGORIES, UNKNOWN))
