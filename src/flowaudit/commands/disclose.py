"""`flowaudit disclose CAPTURE...`: draft what the app must declare.

Audits the captures exactly as `check` does, then drafts from the result:
a ``flowaudit.yml`` and the App Store / Google Play privacy answers, each
line with the requests that back it. With ``-o FOLDER`` it writes
``flowaudit.yml`` and ``disclosure.md`` there (never over a declaration a
person wrote); without, it prints the Markdown document, which holds the
draft too. Exit status 0, or 2 when the captures cannot be read.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from flowaudit.catalog import load_catalog
from flowaudit.commands.output import make_folder, write_file
from flowaudit.declaration import load_declaration
from flowaudit.disclose.draft import draft_disclosure
from flowaudit.disclose.markdown import render_markdown
from flowaudit.disclose.yaml_draft import DRAFT_HEADER, render_yaml
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_OK
from flowaudit.pipeline import audit_captures


@dataclass(frozen=True)
class DiscloseOptions:
    captures: tuple[str, ...]
    declared: str | None  # an existing declaration: its canaries help detection, its other keys are kept
    app: str | None
    output: str | None  # folder


def run_disclose(options: DiscloseOptions) -> int:
    catalog = load_catalog()
    declaration = load_declaration(options.declared, catalog) if options.declared else None
    if options.output:
        _refuse_to_overwrite(Path(options.output) / "flowaudit.yml")
    result = audit_captures(options.captures, (options.declared,) if options.declared else ())
    disclosure = draft_disclosure(result, catalog, declaration)
    if options.app:
        disclosure = dataclasses.replace(disclosure, app=options.app)
    yaml_text = render_yaml(disclosure, declaration.source.value if declaration and declaration.source else None)
    document = render_markdown(disclosure, yaml_text)
    for f in disclosure.undeclarable:
        click.echo(
            f"flowaudit: warning: declaring cannot fix this {f.severity} {f.rule} finding: {f.message}", err=True
        )
    if not options.output:
        sys.stdout.write(document)
        return EXIT_OK
    folder = Path(options.output)
    make_folder(folder)
    write_file(folder / "flowaudit.yml", yaml_text)
    write_file(folder / "disclosure.md", document)
    click.echo(f"wrote {folder / 'flowaudit.yml'} and {folder / 'disclosure.md'}", err=True)
    return EXIT_OK


def _refuse_to_overwrite(path: Path) -> None:
    """A draft may replace an earlier draft, never a declaration someone wrote."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            first = f.readline()
    except FileNotFoundError:
        return
    except OSError as e:
        raise FlowauditError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    if not first.startswith(DRAFT_HEADER):
        raise FlowauditError(
            "a declaration is already there and disclose does not overwrite one",
            path=str(path),
            hint="write the draft elsewhere (-o another folder) and compare; pass it with --declared to keep "
            "its canaries and settings",
        )
