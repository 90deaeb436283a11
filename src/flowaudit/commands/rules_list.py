"""`flowaudit rules list`: what the audit judges with, and where it comes from."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from flowaudit.catalog import load_catalog, rules_list_rows
from flowaudit.catalog.listing import ROW_KEYS
from flowaudit.datatypes import load_vocabulary
from flowaudit.engine.ruleset import RULES
from flowaudit.payload.adapters.coverage import coverage, to_markdown
from flowaudit.payload.adapters.loader import adapter_files, read_adapters
from flowaudit.resources import rules_dir


def run_rules_list() -> None:
    console = Console(highlight=False)
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
    console = Console(highlight=False)
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
