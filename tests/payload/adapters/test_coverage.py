"""The coverage table of the shipped adapters: docs/adapters.md is current, and
``flowaudit rules list --adapters`` prints the same rows."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from flowaudit.cli import main
from flowaudit.commands.rules_list import to_markdown
from flowaudit.payload.adapters.coverage import coverage
from flowaudit.payload.adapters.loader import adapter_files, read_adapters

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs/adapters.md"


def test_docs_adapters_md_is_current() -> None:
    fresh = to_markdown(coverage(read_adapters(adapter_files())))
    assert DOC.read_text(encoding="utf-8") == fresh, "docs/adapters.md is stale: run scripts/regenerate-coverage.sh"


def test_every_endpoint_of_every_adapter_is_a_row_with_its_patterns_and_types() -> None:
    adapters = read_adapters(adapter_files())
    table = coverage(adapters)
    assert table.endpoints == sum(len(a.endpoints) for a in adapters)
    assert table.patterns == sum(len(e.paths) for a in adapters for e in a.endpoints)
    for adapter in adapters:
        for endpoint in adapter.endpoints:
            [row] = [r for r in table.rows if r.adapter == adapter.vendor and r.endpoint == endpoint.name]
            assert row.paths == endpoint.paths and row.source == endpoint.source
            named = {f.data_type for f in endpoint.fields if f.data_type} | {c.data_type for c in endpoint.carries}
            assert set(row.data_types) == named


def test_the_summary_counts_what_the_table_lists() -> None:
    text = DOC.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Vendor")]
    patterns = sum(line.split(" | ")[3].count("`") // 2 for line in lines)
    found = re.search(r"(\d+) endpoints, (\d+) endpoint patterns", text)
    assert found and (int(found[1]), int(found[2])) == (len(lines), patterns)


def test_rules_list_adapters_prints_the_table() -> None:
    run = CliRunner().invoke(main, ["rules", "list", "--adapters", "--markdown"])
    assert run.exit_code == 0 and run.stdout == DOC.read_text(encoding="utf-8")
    run = CliRunner().invoke(main, ["rules", "list", "--adapters"], env={"COLUMNS": "400"})
    assert run.exit_code == 0
    table = coverage(read_adapters(adapter_files()))
    assert table.summary() in run.stdout
    for row in table.rows:
        assert row.endpoint in run.stdout and row.paths[0] in run.stdout


def test_markdown_without_adapters_is_a_usage_error() -> None:
    run = CliRunner().invoke(main, ["rules", "list", "--markdown"])
    assert run.exit_code == 2 and "--markdown goes with --adapters" in run.output
