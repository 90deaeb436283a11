"""The one place a YAML file's shape is checked against its JSON Schema and explained.

Every file a user or contributor writes (the declaration, the ignore file,
each kind of rules file) has a JSON Schema shipped in the package, read here
as package data so it is found installed or not, and usable by editors too.
``jsonschema``'s own messages speak JSON ("is not of type 'array'"), so each
error is rewritten for someone editing YAML, at the line of the offending
key (:mod:`flowaudit.yamlsource` keeps the lines), using the failing
subschema's ``description`` as the statement of what was expected.
"""

from __future__ import annotations

import datetime
import difflib
import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from flowaudit import cache as kept
from flowaudit.problems import Problem, describe, raise_first
from flowaudit.resources import package_folder
from flowaudit.yamlsource import YamlDoc

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

_EXPECTED_TYPE = {
    "object": "a mapping (`key: value` lines)",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}

_PLIST_TYPE = {
    "object": "a <dict>",
    "array": "an <array>",
    "string": "a <string>",
    "number": "a <real> or <integer>",
    "integer": "an <integer>",
    "boolean": "<true/> or <false/>",
}


@dataclass(frozen=True, slots=True)
class Shape:
    """A shipped schema: the package holding it, its file name, and what its whole document is called."""

    package: str
    name: str
    whole: str = "the file"
    syntax: str = "yaml"  # how the file is written, for the wording of fixes: "yaml" or "plist"


def schema(shape: Shape) -> dict[str, Any]:
    """The shipped schema as data."""
    return _read(shape.package, shape.name)


@cache
def _read(package: str, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_schema_text(package, name))
    return loaded


@cache
def _validator(package: str, name: str) -> Draft202012Validator:
    # Imported when first needed (about 0.15 s): modules that only name a Shape, such as the
    # catalog's, stay as quick to import as before.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_read(package, name))


def problems(doc: YamlDoc, shape: Shape) -> list[Problem]:
    """Every way the document departs from the schema, each at its line."""
    return [
        problem
        for error in _validator(shape.package, shape.name).iter_errors(doc.value)
        for problem in explain(error, doc, shape.whole, shape.syntax)
    ]


def check(doc: YamlDoc, shape: Shape) -> None:
    """Raise the first departure from the schema (by line) as a :class:`~flowaudit.errors.FlowauditError`.

    A file read from disk (``doc.digest``) that passed this schema once is not
    checked again while neither it, the schema nor jsonschema changes: the
    shipped rules are checked at every start otherwise, and jsonschema is
    slow to import and to run."""
    if not doc.digest:
        raise_first(problems(doc, shape), doc.path)
        return
    entry = kept.key(doc.digest, _schema_text(shape.package, shape.name), _jsonschema_install())
    kept.cached("shape", entry, lambda: raise_first(problems(doc, shape), doc.path))


@cache
def _schema_text(package: str, name: str) -> str:
    return (package_folder(package) / name).read_text(encoding="utf-8")


@cache
def _jsonschema_install() -> str:
    """Which jsonschema would check (its place and its files' times), without importing it."""
    spec = importlib.util.find_spec("jsonschema")
    origin = spec.origin if spec is not None and spec.origin else ""
    stat = os.stat(origin) if origin else None
    return f"{origin}\0{stat.st_size if stat else 0}\0{stat.st_mtime_ns if stat else 0}"


def explain(error: ValidationError, doc: YamlDoc, whole: str = "the file", syntax: str = "yaml") -> Iterator[Problem]:
    """One schema error as problems an editor of the file can act on: ``line``, what is wrong, how to fix it.

    ``syntax`` "plist" words types and fixes as property-list elements
    (``<array>``), for files read with :mod:`plistlib` rather than YAML."""
    where: tuple[object, ...] = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path:  # the failing value is a key: point at it
        where = (*where, error.instance)
    line = doc.line_of(where)
    place = describe(where, whole)
    subschema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: str | None = subschema.get("description")
    rule: Any = error.validator_value  # what the failing keyword asked for
    value: Any = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(subschema.get("properties", {}))
        for key in value:
            if key not in allowed:
                yield _unknown_key(key, allowed, where, doc, whole)
    elif kind == "type":
        wanted: list[str] = rule if isinstance(rule, list) else [rule]
        names = _PLIST_TYPE if syntax == "plist" else _EXPECTED_TYPE
        words = " or ".join(names.get(t, t) for t in wanted)
        hint = _plist_hint(wanted, value) if syntax == "plist" else _type_hint(wanted, value, where)
        yield Problem(line, f"{place} must be {words}, not {_what(value)}", hint)
    elif kind == "enum":
        options = [str(option) for option in rule]
        close = difflib.get_close_matches(str(value), options, n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        yield Problem(line, f"{place} must be one of: {', '.join(options)}; not {_what(value)}", hint)
    elif kind == "required":
        # A missing key written with a typo is reported once, as the unknown key with its "did you mean".
        unknown = [str(key) for key in value if key not in subschema.get("properties", {})]
        for key in rule:
            if key not in value and not difflib.get_close_matches(key, unknown, n=1):
                yield Problem(line, f"{place} needs `{key}:`", f"{place} is {expected}" if expected else None)
    elif kind in ("anyOf", "oneOf") and expected:
        yield Problem(line, f"{place} must be {expected}")
    elif expected:  # pattern, minLength, minItems, maxItems, minimum, maximum, propertyNames
        yield Problem(line, f"{place} must be {expected}, not {_what(value)}")
    else:
        yield Problem(line, f"{place}: {error.message}")


def _unknown_key(key: object, allowed: list[str], where: tuple[object, ...], doc: YamlDoc, whole: str) -> Problem:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    message = f"unknown key '{key}'"
    if close:
        message += f" (did you mean '{close[0]}'?)"
    if where:
        message += f" in {describe(where, whole)}"
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
        import yaml  # only to word a problem: a run without one never imports PyYAML

        text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
        return text if len(text) <= 60 else ("a list" if isinstance(value, list) else "a mapping")
    return repr(value)


def _plist_hint(wanted: list[str], value: object) -> str | None:
    if "array" in wanted and isinstance(value, str):
        return f"wrap the value in an array: <array><string>{value}</string></array>"
    if "boolean" in wanted and isinstance(value, str):
        return "write <true/> or <false/> instead of a <string>"
    return None


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
