"""What each catalog category means, in one line (shown in reports).

The descriptions live in ``rules/categories.yml`` so they can be reworded
without touching code; the ids are fixed by ``CATEGORIES`` in the model,
and the file must describe exactly those plus ``unknown``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flowaudit import resources
from flowaudit.catalog.model import CATEGORIES
from flowaudit.errors import FlowauditError
from flowaudit.yamlsource import load_yaml

UNKNOWN = "unknown"  # the category of a host the catalog does not know


def category_descriptions(rules_dir: Path | None = None) -> dict[str, str]:
    """Category id -> one-line description, in ``CATEGORIES`` order, ``unknown`` last."""
    root = Path(rules_dir) if rules_dir is not None else resources.rules_dir()
    return dict(_load(root.resolve() / "categories.yml"))


@cache
def _load(path: Path) -> tuple[tuple[str, str], ...]:
    doc = load_yaml(path)
    expected = (*CATEGORIES, UNKNOWN)
    if not isinstance(doc.value, dict) or set(doc.value) != set(expected):
        raise FlowauditError("categories file must describe exactly: " + ", ".join(expected), path=doc.path, line=1)
    for key in expected:
        text = doc.value[key]
        if not isinstance(text, str) or not text.strip():
            raise FlowauditError(
                f"category {key!r} needs a one-line description", path=doc.path, line=doc.line_of((key,))
            )
    return tuple((key, doc.value[key].strip()) for key in expected)
