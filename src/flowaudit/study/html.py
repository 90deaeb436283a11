"""The cross-app matrix as one self-contained HTML page (see flowaudit.display.page.render_page)."""

from __future__ import annotations

from flowaudit.display.page import render_page
from flowaudit.stores.mapping import STORE_NAMES
from flowaudit.study.labels import OUTCOMES, LabelTable
from flowaudit.study.matrix import Matrix, column_titles

_EXTRA_CSS = """
.matrix { font-size: 13px; }
.matrix th.company { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  vertical-align: bottom; padding: 6px 2px; text-transform: none; letter-spacing: 0; font-size: 12px; }
.matrix td, .matrix th { border-right: 1px solid var(--line); padding: 5px 6px; }
.matrix td.app { font-weight: 600; white-space: nowrap; }
.matrix td.app .sub { display: block; font-weight: 400; font-size: 12px; color: var(--muted); }
.matrix td.cell { min-width: 90px; }
.matrix td.cell.undeclared { background: var(--fail-bg); }
.matrix td.cell.declared { background: #eef3fb; }
.matrix td.cell .status { display: block; font-size: 10px; font-weight: 800; letter-spacing: .05em;
  text-transform: uppercase; }
.matrix td.cell.undeclared .status { color: var(--undeclared); }
.matrix td.cell.declared .status { color: var(--declared); }
.chip.undeclared { border: 2px solid var(--undeclared); }
.matrix td.outcome.wrongly-not-declared { background: var(--fail-bg); color: var(--undeclared); font-weight: 700; }
.matrix td.outcome.unnecessarily-declared { background: #fff8e6; }
.matrix td.outcome.correctly-declared, .matrix td.outcome.correctly-not-declared { color: var(--muted); }
.matrix tr.error td.app, .matrix tr.error td.status-col { color: var(--fail); }
"""


def render_matrix_html(
    matrix: Matrix, links: dict[str, str], facts: dict[str, str], labels: LabelTable | None = None
) -> str:
    """``links``: app -> relative link to its report; ``facts``: label -> value for the footer;
    ``labels``: the store labels' four outcomes per store data type, shown below the matrix."""
    return render_page(
        "flowaudit.study",
        "matrix.html.j2",
        _EXTRA_CSS,
        m=matrix,
        titles=column_titles(matrix),
        links=links,
        facts=facts,
        labels=labels,
        outcomes=OUTCOMES,
        store_names=STORE_NAMES,
    )
