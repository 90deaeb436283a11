"""`flowaudit study DIR`: audit many apps alike and write one table.

Writes into the output folder: ``apps/<app>/flowaudit.json`` and
``.html`` (each app's full report), ``matrix.csv`` and ``matrix.html``
(apps by companies), and ``manifest.json`` (inputs' SHA-256, versions,
command line, outputs' SHA-256). Exit status: 0 when every app was audited,
2 when some could not be (the others are still written, the failures are
in the matrix and the manifest). Findings do not change the exit status: a
study describes; `flowaudit check` is the gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console

from flowaudit import __version__
from flowaudit.catalog import load_catalog
from flowaudit.commands.output import make_folder, write_file
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_OK
from flowaudit.inert import one_line
from flowaudit.reporters import get_reporter
from flowaudit.study.apps import find_apps
from flowaudit.study.html import render_matrix_html
from flowaudit.study.labels import build_labels, labels_csv
from flowaudit.study.manifest import build_manifest, manifest_json
from flowaudit.study.matrix import build_matrix, matrix_csv
from flowaudit.study.run import audit_apps

APP_FORMATS = ("json", "html")  # each app's report; the HTML one is what the matrix links to


@dataclass(frozen=True)
class StudyOptions:
    folder: str
    output: str
    jobs: int
    command: tuple[str, ...]  # as typed, for the manifest


class _Written:
    """Files written into the output folder, with their SHA-256 for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hashes: dict[str, str] = {}

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        make_folder(path.parent)
        self.hashes[relative] = write_file(path, text)


def run_study(options: StudyOptions) -> int:
    study = find_apps(options.folder)
    rules_version = load_catalog().version  # also fails early on broken rules, before the workers start
    console = Console(stderr=True, highlight=False)
    outcomes = audit_apps(study.apps, options.jobs, console)

    root = Path(options.output)
    make_folder(root)
    written = _Written(root)
    reports: dict[str, list[str]] = {}
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for fmt in APP_FORMATS:
            reporter = get_reporter(fmt)
            relative = f"apps/{outcome.app.name}/flowaudit.{reporter.extension}"
            written.write(relative, reporter.render(outcome.result))
            reports.setdefault(outcome.app.name, []).append(relative)

    matrix = build_matrix(outcomes)
    written.write("matrix.csv", matrix_csv(matrix))
    labels = build_labels(outcomes)
    if labels is not None:
        written.write("labels.csv", labels_csv(labels))
    links = {app: files[-1] for app, files in reports.items()}
    facts = {
        "flowaudit": __version__,
        "rules and catalog": rules_version,
        "command": " ".join(options.command),
    }
    written.write("matrix.html", render_matrix_html(matrix, links, facts, labels))
    manifest = build_manifest(
        study, options.folder, outcomes, reports, written.hashes, rules_version, list(options.command), labels
    )
    write_file(root / "manifest.json", manifest_json(manifest))

    failed = [o for o in outcomes if o.error is not None]
    for o in failed:
        # The error as check prints it (made safe line by line, its hint on lines of its own).
        first, _, hint = (o.error or "").partition("\n")
        click.echo(one_line(f"flowaudit: error: {o.app.name}: {first}") + (f"\n{hint}" if hint else ""), err=True)
    click.echo(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} apps audited, "
        f"{len(matrix.columns)} third parties: {root / 'matrix.html'}, {root / 'matrix.csv'}, {root / 'manifest.json'}",
        err=True,
    )
    if failed:
        raise FlowauditError(
            f"{len(failed)} of {len(outcomes)} apps could not be audited: {', '.join(o.app.name for o in failed)}",
            path=options.folder,
            hint="their errors are above and in manifest.json; the other apps' reports and the matrix were written",
        )
    return EXIT_OK
