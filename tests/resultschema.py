"""Checking a JSON result the suite wrote against the published schema.

Every test that writes a JSON result passes it through :func:`valid_result`
(``Run.json()`` in tests/commands and ``read_result`` in tests/e2e do it
for their callers). It checks more than readers do: readers accept fields a
later flowaudit adds (the schema leaves objects open), but what this
flowaudit writes must be described by the schema, so here every object is
closed: a field written and not declared in ``result.schema.json`` fails.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from jsonschema import Draft202012Validator

from flowaudit import shape
from flowaudit.reporters.json_load import RESULT_SCHEMA


def _closed(node: Any) -> Any:
    """Every object schema that lists its properties, with nothing else allowed."""
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and node.get("additionalProperties", True) is True:
            node.pop("additionalProperties", None)
            node["unevaluatedProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


def _strict_schema() -> dict[str, Any]:
    published = shape.schema(RESULT_SCHEMA)
    strict: dict[str, Any] = _closed(copy.deepcopy(published))
    # A suppressed finding is a finding plus `suppression`: it extends the finding's
    # properties, so it refers to an open copy and closes itself.
    strict["$defs"]["findingFields"] = copy.deepcopy(published["$defs"]["finding"])
    strict["$defs"]["findingFields"]["properties"]["evidence"] = strict["$defs"]["finding"]["properties"]["evidence"]
    strict["$defs"]["suppressedFinding"]["$ref"] = "#/$defs/findingFields"
    return strict


STRICT = Draft202012Validator(_strict_schema())


def valid_result(data: Any) -> dict[str, Any]:
    """``data`` when the schema describes all of it, else an assertion naming every departure."""
    problems = [f"{error.json_path}: {error.message}" for error in STRICT.iter_errors(data)]
    assert not problems, "the JSON result departs from result.schema.json:\n" + "\n".join(problems[:20])
    assert isinstance(data, dict)
    return data


def valid_result_text(text: str) -> dict[str, Any]:
    """A JSON result's text, parsed and checked."""
    return valid_result(json.loads(text))
