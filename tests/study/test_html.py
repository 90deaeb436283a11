"""The study page keeps every text of the results it reads inert."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.reporters.json_load import result_from_dict
from flowaudit.reporters.json_result import result_to_dict
from flowaudit.stores.mapping import APPLE, load_mapping
from flowaudit.study.apps import App
from flowaudit.study.html import render_matrix_html
from flowaudit.study.labels import LabelRow, LabelTable
from flowaudit.study.matrix import build_matrix
from flowaudit.study.run import Outcome

from ..markup import active_markup
from ..reporters.results import HOSTILE, hostile_result

EVIL = " ".join(HOSTILE)


def test_hostile_apps_companies_and_errors_stay_inert() -> None:
    hostile = hostile_result()
    third = tuple(replace(r, party="third") for r in hostile.recipients)  # the matrix lists third parties
    result = result_from_dict(result_to_dict(replace(hostile, recipients=third)), "app.json")
    matrix = build_matrix(
        (
            Outcome(App(EVIL, (EVIL,), EVIL), result, None),
            Outcome(App(HOSTILE[1], (HOSTILE[1],), None), None, EVIL),
        )
    )
    assert matrix.columns  # the hostile company is a column
    html = render_matrix_html(matrix, {EVIL: "app-1/report.html"}, {EVIL: EVIL})
    # Only the page's own favicon link and the link to the app's report, which the study writes itself.
    assert active_markup(html) == ["<link>", "<a>"]
    assert "&lt;script&gt;document.title=" in html


def test_store_label_section_stays_inert() -> None:
    """App names on the store labels' table are captured-adjacent text too (folder names)."""
    result = result_from_dict(result_to_dict(hostile_result()), "app.json")
    outcomes = (Outcome(App(EVIL, (EVIL,), None), result, None),)
    matrix = build_matrix(outcomes)
    apple = next(t for t in load_mapping().of(APPLE) if t.types)
    labels = LabelTable((EVIL,), (LabelRow(APPLE, apple, ("wrongly not declared",)),))
    html = render_matrix_html(matrix, {}, {}, labels)
    assert active_markup(html) == ["<link>"]
    assert '<td class="outcome wrongly-not-declared">wrongly not declared</td>' in html
    assert html.count("&lt;script&gt;document.title=") >= 2  # the app's row header and its labels column
