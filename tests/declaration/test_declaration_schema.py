"""The shipped JSON Schema: valid, complete enough to explain errors, in step with the code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

from flowaudit.catalog.model import CATEGORIES
from flowaudit.declaration.schema import DECLARATION
from flowaudit.shape import schema as shipped_schema

# Keywords whose failure is explained with the subschema's description.
_EXPLAINED = ("pattern", "minLength", "minimum", "maximum", "minItems", "maxItems", "anyOf")


def subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from subschemas(value)


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(shipped_schema(DECLARATION))
    assert shipped_schema(DECLARATION)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_categories_match_the_catalog_model() -> None:
    assert tuple(shipped_schema(DECLARATION)["$defs"]["category"]["enum"]) == CATEGORIES


def test_every_explained_check_has_a_description() -> None:
    missing = [
        s for s in subschemas(shipped_schema(DECLARATION)) if any(k in s for k in _EXPLAINED) and "description" not in s
    ]
    assert missing == []


def test_unknown_keys_are_refused_everywhere() -> None:
    # Every object with named keys: root, consent, recipient, canaries, custom canary {value, type}.
    # ("custom" itself maps free labels, so its extra keys are the values it describes.)
    objects = [s for s in subschemas(shipped_schema(DECLARATION)) if s.get("type") == "object" and "properties" in s]
    assert len(objects) == 5
    assert all(s["additionalProperties"] is False for s in objects)


def test_contract_keys_are_all_there() -> None:
    root = shipped_schema(DECLARATION)["properties"]
    assert set(root) == {"app", "include", "first_party", "audience", "recipients", "canaries", "consent", "redact"}
    recipient = shipped_schema(DECLARATION)["$defs"]["recipient"]["properties"]
    assert set(recipient) == {"entity", "domains", "role", "purposes", "data"}
    canaries = shipped_schema(DECLARATION)["$defs"]["canaries"]["properties"]
    assert set(canaries) == {"email", "phone", "name", "location", "advertising_id", "custom"}
