"""`flowaudit disclose CAPTURE...`: draft what the app must declare.

Audits the captures exactly as `check` does, then drafts from the result:
a ``flowaudit.yml`` and the App Store / Google Play privacy answers, each
line with the requests that back it. With ``-o FOLDER`` it writes
``flowaudit.yml``, ``disclosure.md``, a ``PrivacyInfo.xcprivacy`` and a
Play ``data_safety.csv`` there (never into a folder whose ``flowaudit.yml`` a
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
from flowaudit.declaration.combined import load_declared
from flowaudit.disclose.draft import draft_disclosure
from flowaudit.disclose.markdown import render_markdown
from flowaudit.disclose.stores import render_data_safety, render_privacy_manifest
from flowaudit.disclose.yaml_draft import DRAFT_HEADER, render_yaml
from flowaudit.engine.destinations import DestinationResolver
from flowaudit.engine.rules.stores import TRACKING_CATEGORIES
from flowaudit.errors import FlowauditError
from flowaudit.exitcodes import EXIT_OK
from flowaudit.inert import one_line
from flowaudit.pipeline import audit_captures


@dataclass(frozen=True)
class DiscloseOptions:
    captures: tuple[str, ...]
    declared: tuple[str, ...]  # as `check` reads it: the YAML's canaries help detection, its other keys are kept
    app: str | None
    output: str | None  # folder


def run_disclose(options: DiscloseOptions) -> int:
    catalog = load_catalog()
    declaration = load_declared(options.declared, catalog)
    if options.output:
        _refuse_to_overwrite(Path(options.output) / "flowaudit.yml")
    result = audit_captures(options.captures, options.declared)
    disclosure = draft_disclosure(result, catalog, declaration)
    if options.app:
        disclosure = dataclasses.replace(disclosure, app=options.app)
    yaml_text = render_yaml(disclosure, declaration.source.value if declaration and declaration.source else None)
    document = render_markdown(disclosure, yaml_text)
    for f in disclosure.undeclarable:
        click.echo(
            one_line(f"flowaudit: warning: declaring cannot fix this {f.severity} {f.rule} finding: {f.message}"),
            err=True,
        )
    if not options.output:
        sys.stdout.write(document)
        return EXIT_OK
    folder = Path(options.output)
    make_folder(folder)
    resolver = DestinationResolver(catalog, declaration)
    hosts = {h for r in disclosure.result.recipients if r.party == "third" for h in r.hosts}
    tracking = [h for h in hosts if resolver.resolve(h).category in TRACKING_CATEGORIES]
    categories = {r.entity: list(r.categories or (r.category,)) for r in disclosure.result.recipients}
    written = {
        "flowaudit.yml": yaml_text,
        "disclosure.md": document,
        "PrivacyInfo.xcprivacy": render_privacy_manifest(disclosure, tracking, lambda who: categories.get(who, [])),
        "data_safety.csv": render_data_safety(disclosure),
    }
    for name, text in written.items():
        write_file(folder / name, text)
    click.echo(f"wrote {', '.join(str(folder / name) for name in written)}", err=True)
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
