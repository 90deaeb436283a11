"""`flowaudit rules list`: what the audit judges with, and where it comes from."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from flowaudit.catalog import load_catalog, rules_list_rows
from flowaudit.catalog.listing import ROW_KEYS
from flowaudit.datatypes import load_vocabulary
from flowaudit.display.markdown import md_code, md_text
from flowaudit.engine.ruleset import RULES
from flowaudit.payload.adapters.coverage import Coverage, coverage
from flowaudit.payload.adapters.loader import adapter_files, read_adapters
from flowaudit.resources import rules_dir
from flowaudit.stores.mapping import APPLE, PLAY, STORE_NAMES, load_mapping

_NO_LIMIT = 100_000


def _console() -> Console:
    """The terminal's width on a terminal. In a file or pipe (a CI log, ``| grep``)
    no width limit: a table cell never folds an id, host or URL mid-word,
    which a reader could then neither search for nor copy."""
    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(highlight=False, width=_NO_LIMIT)


def run_rules_list() -> None:
    console = _console()
    sources = Table(title="Catalog sources", title_justify="left", title_style="bold")
    for column in ("Source", "License", "Version", "URL"):
        sources.add_column(column, overflow="fold")
    for column in ("Companies", "Services", "Domains"):
        sources.add_column(column, justify="right")
    for row in rules_list_rows(load_catalog()):
        sources.add_row(*(str(row[k]) for k in ROW_KEYS))
    console.print(sources)

    rules = Table(title="Rules", title_justify="left", title_style="bold")
    rules.add_column("Rule", no_wrap=True)
    rules.add_column("Severity")
    rules.add_column("What it means", overflow="fold")
    for rule in RULES.values():
        rules.add_row(rule.id, rule.severity, rule.help)
    console.print(rules)

    vocabulary = load_vocabulary()
    console.print(
        f"Data types: {len(vocabulary.ids)} in {len(vocabulary.groups)} groups "
        f"(mapped to Apple privacy labels and Google Play Data safety)"
    )
    console.print(f"Rules data: {rules_dir()}")


def run_rules_list_adapters(*, markdown: bool) -> None:
    """The coverage table of the shipped adapters (docs/adapters.md is its Markdown)."""
    table = coverage(read_adapters(adapter_files()))
    if markdown:
        click.echo(to_markdown(table), nl=False)
        return
    console = _console()
    out = Table(title="Vendor adapters", title_justify="left", title_style="bold", show_lines=True)
    for column in ("Vendor", "Endpoint", "Hosts", "Path patterns", "Fields", "Source"):
        out.add_column(column, overflow="fold")
    for r in table.rows:
        out.add_row(
            f"{r.vendor} ({r.adapter})",
            r.endpoint,
            "\n".join(r.hosts),
            "\n".join(r.paths),
            "\n".join(r.fields),
            r.source,
        )
    console.print(out, markup=False)
    console.print(table.summary(), markup=False)


def run_data_types_list() -> None:
    """The one mapping of rules/data-types.yml, both ways: each store type to
    flowaudit's (unmapped ones with why), and each flowaudit type to the row it
    is written as."""
    console = _console()
    mapping = load_mapping()
    vocabulary = load_vocabulary()
    for store in (APPLE, PLAY):
        table = Table(title=f"{STORE_NAMES[store]} -> flowaudit", title_justify="left", title_style="bold")
        for column in ("Store type", "Label", "flowaudit types", "Source"):
            table.add_column(column, overflow="fold")
        for row in mapping.of(store):
            types = ", ".join(row.types) if row.types else f"unmapped: {row.unmapped}"
            table.add_row(row.id, row.label, types, row.source)
        console.print(table)
    back = Table(title="flowaudit -> stores (written as)", title_justify="left", title_style="bold")
    for column in ("flowaudit type", "Apple", "Play"):
        back.add_column(column, overflow="fold")
    for data_type in vocabulary.ids:
        cells = []
        for store in (APPLE, PLAY):
            written = mapping.written_as(store, data_type, vocabulary)
            covering = ", ".join(r.id for r in mapping.covering(store, data_type))
            cells.append(written.id if written else f"one of {covering} (a person decides)")
        back.add_row(data_type, *cells)
    console.print(back)
    unmapped = sum(1 for store in (APPLE, PLAY) for row in mapping.of(store) if not row.types)
    console.print(f"{unmapped} store types have no flowaudit type (listed above with why); none is dropped.")


def to_markdown(table: Coverage) -> str:
    """docs/adapters.md: the table with a heading saying what it is and how it is made."""
    out = [
        "# Vendor adapters: what flowaudit reads field by field",
        "",
        "Generated from `rules/adapters/*.yml` by `flowaudit rules list --adapters --markdown`",
        "(`scripts/regenerate-coverage.sh`; a test fails when this file is stale). Each row is one",
        "endpoint: the hosts it is sent to (each also matching its subdomains), its URL path patterns,",
        "the fields whose meaning the vendor documents (key path → data type, and what the value is",
        "when finer than its type), and the documentation the endpoint is described from; every field",
        "cites its own link in the adapter file. Requests to any other endpoint are read by the",
        "generic detectors only.",
        "",
        f"**{table.summary()}.**",
        "",
        "| Vendor | Endpoint | Hosts | Path patterns | Fields | Data types | Source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.rows:
        cells = [
            f"{md_text(r.vendor)} ({md_code(r.adapter)})",
            md_text(r.endpoint),
            ", ".join(md_code(h) for h in r.hosts),
            ", ".join(md_code(p) for p in r.paths),
            "<br>".join(md_code(f) for f in r.fields),
            ", ".join(md_code(t) for t in r.data_types),
            r.source,
        ]
        out.append(f"| {' | '.join(cells)} |")
    return "\n".join(out) + "\n"
