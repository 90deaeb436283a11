"""The text report in a file or a pipe: 80 columns, and never an id cut in pieces."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flowaudit.model import AuditResult, Recipient
from flowaudit.reporters.html import render_html
from flowaudit.reporters.plain import WIDTH, render_plain, wrap

from ..resultschema import valid_result_text
from .captures import run_flowaudit
from .results import HOSTILE, full_result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme-health"


def test_wrapping_breaks_at_spaces_only() -> None:
    lines = wrap("data types: " + ", ".join(["identifiers.advertising_id"] * 6) + " " + "x" * 100, 4, 4)
    assert all(len(line) <= WIDTH for line in lines[:-1])
    assert lines[-1].strip() == "x" * 100  # longer than a line: runs past it, whole
    whole = {"data", "types:", "identifiers.advertising_id", "x" * 100}
    assert {word.rstrip(",") for line in lines for word in line.split()} == whole


def test_through_a_pipe_at_80_columns_every_id_stays_whole() -> None:
    """CI logs: standard output is a pipe, COLUMNS says 80."""
    args = ["check", EXAMPLE / "capture.mitm", "--declared", EXAMPLE / "flowaudit.yml"]
    run = run_flowaudit(*args, env={"COLUMNS": "80"}, cwd=ROOT)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert all(len(line) <= WIDTH or " " not in line.strip() for line in lines), max(lines, key=len)
    assert not any(ch in run.stdout for ch in "┏┃│━")  # no box tables in a pipe
    result = valid_result_text(run_flowaudit(*args, "--format", "json", cwd=ROOT).stdout)
    tokens = {token.strip(",.;()") for line in lines for token in line.split()}
    for r in result["recipients"] + result["platform"]:
        assert set(r["hosts"]) <= tokens, r["hosts"]
        assert set(r["data_types"]) <= tokens, r["data_types"]
    for f in result["findings"]:
        assert f["rule"] in tokens
        assert {e["flow"].rpartition("#")[2] for e in f["evidence"]} <= {t.lstrip("#") for t in tokens}
    assert "Gate --fail-on high: FAIL, 9 findings at or above high." in run.stdout


def test_a_file_gets_the_same_text_as_a_pipe(tmp_path: Path) -> None:
    args = ["check", EXAMPLE / "capture.mitm", "--declared", EXAMPLE / "flowaudit.yml"]
    piped = run_flowaudit(*args, env={"SOURCE_DATE_EPOCH": "1795375784"}, cwd=ROOT)
    run_flowaudit(*args, "-o", tmp_path / "report.txt", env={"SOURCE_DATE_EPOCH": "1795375784"}, cwd=ROOT)
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == piped.stdout


def test_hostile_text_stays_inert(full: AuditResult) -> None:
    hostile = replace(full, app_name=HOSTILE[0], recipients=(replace(full.recipients[0], entity="x\x1b[2J\u202e"),))
    text = render_plain(hostile)
    assert "\x1b" not in text and "\u202e" not in text and "\\u001b[2J" in text


def _flat(**changes: object) -> str:
    return " ".join(render_plain(full_result(**changes)).split())


def test_a_finding_names_every_host_that_carried_it() -> None:
    base = full_result().findings[0]
    hosts = ("api.mixpanel.com", "api.segment.io", "o1.ingest.sentry.io", "x.example.net")
    f = replace(base, host=hosts[0], hosts=hosts)
    text = _flat(findings=(f,))
    assert "(api.mixpanel.com, api.segment.io, o1.ingest.sentry.io and 1 more)" in text


def test_one_row_per_company_lists_its_services_categories_and_an_inferred_first_party() -> None:
    google = Recipient(
        entity="Google",
        entity_id="google",
        category="analytics",
        categories=("analytics", "advertising"),
        party="third",
        declared=False,
        hosts=("www.google-analytics.com",),
        flows=3,
        services=("Google Ads", "Google Analytics"),
    )
    shop = replace(google, entity="shop.example", entity_id="domain:shop.example", party="first", party_inferred=True)
    text = _flat(recipients=(google, shop), findings=(), first_party_inferred=("shop.example",))
    assert "Google Ads" in text and "Google Analytics" in text and "analytics, advertising" in text
    assert "first party (inferred)" in text
    assert "first party inferred from the pages in the capture: shop.example" in text


def test_a_company_only_tried_received_nothing_rather_than_none_found() -> None:
    """ "none found" would say its requests were inspected; nothing reached it."""
    tried = Recipient("AppsFlyer", "appsflyer", "attribution", "third", False, ("inapps.appsflyer.com",), 0, attempts=1)
    reached = Recipient("Acme CDN", "acme", "cdn", "third", False, ("cdn.acme.example",), 2)
    result = AuditResult("0.1.0", "r", (), None, None, (tried, reached), (), (), 2)
    text = render_plain(result)
    assert "data types: none: never reached" in text
    assert text.count("none found") == 1  # the company that was reached and inspected
    html = render_html(result)
    assert html.count("none: never reached") == 1
    assert html.count("none found") == 1
