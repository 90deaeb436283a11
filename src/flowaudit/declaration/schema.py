"""The declaration's shape, checked with its JSON Schema and explained in YAML terms.

The schema (``schema.json``, shipped beside this module) is the single
statement of what keys and values a declaration may hold; editors can use
it too. ``jsonschema``'s own messages speak JSON ("is not of type 'array'"),
so each error is rewritten here for someone editing YAML, at the line of the
offending key, using the failing subschema's ``description`` as the
statement of what was expected.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from flowaudit.declaration.problems import Problem, describe
from flowaudit.yamlsource import YamlDoc

_EXPECTED_TYPE = {
    "object": "a mapping (`key: value` lines)",
    "array": "a list",
    "string": "text",
    "number": "a number",
}


@cache
def schema() -> dict[str, Any]:
    """The shipped schema; read as package data so it is found installed or not."""
    text = resources.files("flowaudit.declaration").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def check_shape(doc: YamlDoc) -> list[Problem]:
    """Every way the document departs from the schema, each at its line."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(doc.value):
        problems.extend(explain(error, doc))
    return problems


def explain(error: ValidationError, doc: YamlDoc) -> Iterator[Problem]:
    where = tuple(error.absolute_path)
    line = doc.line_of(where)
    place = describe(where)
    subschema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: str | None = subschema.get("description")
    rule: Any = error.validator_value  # what the failing keyword asked for
    value: Any = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(subschema.get("properties", {}))
        for key in value:
            if key not in allowed:
                yield _unknown_key(key, allowed, where, doc)
    elif kind == "type":
        wanted: list[str] = rule if isinstance(rule, list) else [rule]
        words = " or ".join(_EXPECTED_TYPE.get(t, t) for t in wanted)
        yield Problem(line, f"{place} must be {words}, not {_what(value)}", _type_hint(wanted, value, where))
    elif kind == "enum":
        options = [str(option) for option in rule]
        close = difflib.get_close_matches(str(value), options, n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        yield Problem(line, f"{place} must be one of: {', '.join(options)}; not {_what(value)}", hint)
    elif kind == "required":
        for key in rule:
            if key not in value:
                yield Problem(line, f"{place} needs `{key}:`", f"{place} is {expected}" if expected else None)
    elif kind == "anyOf" and expected:
        yield Problem(line, f"{place} must be {expected}")
    elif expected:  # pattern, minLength, minItems, maxItems, minimum, maximum
        yield Problem(line, f"{place} must be {expected}, not {_what(value)}")
    else:
        yield Problem(line, f"{place}: {error.message}")


def _unknown_key(key: object, allowed: list[str], where: tuple[object, ...], doc: YamlDoc) -> Problem:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    message = f"unknown key '{key}'"
    if close:
        message += f" (did you mean '{close[0]}'?)"
    if where:
        message += f" in {describe(where)}"
    return Problem(doc.line_of((*where, key)), message, f"valid keys here: {', '.join(allowed)}")


def _what(value: object) -> str:
    """A found value as the user would recognise it in their YAML."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list | dict):
        text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
        return text if len(text) <= 60 else ("a list" if isinstance(value, list) else "a mapping")
    return repr(value)


def _type_hint(wanted: list[str], value: object, where: tuple[object, ...]) -> str | None:
    if where == ("recipients",) and isinstance(value, str):
        return f"write one list item per recipient: `recipients: [{{entity: {value}}}]`"
    if "array" in wanted and value is None:
        return "write `[]` for an empty list"
    if "array" in wanted and isinstance(value, str | int | float):
        key = where[-1] if where else "key"
        return f"write a list: `{key}: [{value}]`, or one `- item` per line"
    if "string" in wanted and value is not None and not isinstance(value, list | dict):
        return "put the value in quotes to keep it as text"
    return None
