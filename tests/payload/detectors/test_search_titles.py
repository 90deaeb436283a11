"""Page titles naming the visitor's search (leafrules.search_title): WordPress's and Yoast's
search-result titles, on the external corpus's real request and built values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors.evidence import mask
from flowaudit.payload.detectors.leafrules import search_title
from flowaudit.payload.model import Leaf

External = Callable[[str, int], Observation]


def test_a_search_title_sent_to_a_widget_is_a_search(external: External) -> None:
    """pixelinspector personalabs, request 68: AddShoppers gets product=You searched for pregnancy > Personalabs."""
    found = {
        d.location: d.how for d in analyze(external("pixelinspector-personalabs", 68)) if d.data_type == "usage.search"
    }
    assert found["query:product"] == "a page title naming the search on the site"


@pytest.mark.parametrize(
    ("title", "term"),
    [
        ("You searched for pregnancy > Personalabs", "pregnancy"),
        ("You searched for hiv test | Shop", "hiv test"),
        ("Search Results for “insulin” – My Pharmacy", "insulin"),
        ('search results for "flu shot"', "flu shot"),
    ],
)
def test_search_titles(title: str, term: str) -> None:
    found = search_title(Leaf("query", "query:dt", ("query",), "dt", title), title)
    assert found is not None
    assert found.excerpt == mask(term)  # the search alone, without the site's name


@pytest.mark.parametrize(
    "title", ["Search Results", "You searched for ", "Searching for a new job? | Jobs", "Youth sports"]
)
def test_other_titles_are_no_search(title: str) -> None:
    assert search_title(Leaf("query", "query:dt", ("query",), "dt", title), title) is None
