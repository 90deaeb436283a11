"""The one explainer: a schema error in YAML terms, at the line of what is wrong."""

from __future__ import annotations

from flowaudit.datatypes import DATA_TYPES
from flowaudit.payload.adapters.loader import ADAPTER
from flowaudit.shape import problems
from flowaudit.yamlsource import parse_yaml


def test_a_misspelt_required_key_is_reported_once_with_its_spelling() -> None:
    doc = parse_yaml("vendor: acme\nnmae: Acme\nservice: acme\nendpoints: []\n", "a.yml")
    found = problems(doc, ADAPTER)
    assert [(p.line, p.message) for p in found][:1] == [(2, "unknown key 'nmae' (did you mean 'name'?)")]
    assert not any("needs `name:`" in p.message for p in found)


def test_a_missing_key_with_no_near_spelling_is_named() -> None:
    doc = parse_yaml("vendor: acme\nservice: acme\nendpoints: []\n", "a.yml")
    assert "the adapter needs `name:`" in [p.message for p in problems(doc, ADAPTER)]


def test_a_bad_key_name_points_at_the_key() -> None:
    doc = parse_yaml("contact.email: {apple: A, google: G}\nEmail: {apple: A, google: G}\n", "d.yml")
    (problem,) = problems(doc, DATA_TYPES)
    assert problem.line == 2
    assert problem.message.startswith("`Email` must be a data-type id like 'group.name'")
