"""Reports for people cap each section at MAX_LISTED rows and each recipient's
hosts at MAX_HOSTS with "and N more"; the JSON (and the CSV, a row per
item) keeps every row and host, and every format states the same counts
(issue 15, item 10)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from flowaudit.display import MAX_HOSTS, MAX_LISTED
from flowaudit.display.markdown import md_text

from .captures import check_every_format, flow, write

EXTRA = 7


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    flows = [flow(f"https://t{n}.example/collect?id=1", n=n) for n in range(MAX_LISTED + EXTRA)]
    return write(folder / "capture.mitm", flows)


def test_human_formats_cap_sections_and_json_keeps_all(capture: Path, tmp_path: Path) -> None:
    files = check_every_format(capture, tmp_path / "out", "--fail-on", "never")
    result = json.loads(files["flowaudit.json"])
    assert len(result["recipients"]) == MAX_LISTED + EXTRA
    unknown = [f for f in result["findings"] if f["rule"] == "unknown-third-party"]
    assert len(unknown) == MAX_LISTED + EXTRA and {f["severity"] for f in unknown} == {"low"}
    last = f"t{MAX_LISTED + EXTRA - 1}.example"
    assert last in files["flowaudit.json"] and last in files["flowaudit.csv"]
    for name in ("flowaudit.html", "flowaudit.txt"):
        text = " ".join(files[name].split())
        assert f"and {EXTRA} more recipients" in text, name
        assert "(all in the JSON" in text, name
    html = files["flowaudit.html"]
    assert html.count('<tr class="unknown">') == MAX_LISTED  # recipient rows listed
    assert html.count('<article class="finding') == MAX_LISTED
    assert f"and {EXTRA} more low findings" in " ".join(files["flowaudit.txt"].split())
    assert f"and {EXTRA} more low findings" in " ".join(html.split())


# bench/many_destinations.py: every flow to a host of its own, half under catalog
# domains (companies reached through many hosts), half unknown (a recipient each).
DESTINATIONS = 3000
GENERATOR = Path(__file__).resolve().parents[2] / "bench/many_destinations.py"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("destinations")
    capture = folder / "capture.mitm"
    subprocess.run([sys.executable, str(GENERATOR), str(capture), "--flows", str(DESTINATIONS)], check=True)
    files = check_every_format(capture, folder / "out", "--declared", folder / "flowaudit.yml")
    return capture, files


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_json_and_csv_keep_every_destination(many: tuple[Path, dict[str, str]]) -> None:
    _, files = many
    result = json.loads(files["flowaudit.json"])
    rows = result["recipients"] + result["platform"]
    hosts = [h for r in rows for h in r["hosts"]]
    assert len(hosts) == len(set(hosts)) == DESTINATIONS  # every flow's own host, each in one row
    assert sum(r["flows"] for r in rows) == DESTINATIONS
    table = list(csv.DictReader(io.StringIO(files["flowaudit.csv"].removeprefix("\ufeff"))))
    listed = [r for r in table if r["kind"] in ("recipient", "platform")]
    assert len(listed) == len(rows)
    assert {h for r in listed for h in r["hosts"].split("; ")} == set(hosts)
    findings = [r for r in table if r["kind"] == "finding"]
    assert len(findings) == len(result["findings"])


def test_human_formats_cap_hosts_and_rows_and_agree_on_counts(many: tuple[Path, dict[str, str]]) -> None:
    _, files = many
    result = json.loads(files["flowaudit.json"])
    recipients, summary = result["recipients"], result["summary"]
    assert len(recipients) > MAX_LISTED
    widest = max(recipients[:MAX_LISTED], key=lambda r: len(r["hosts"]))
    hidden = len(widest["hosts"]) - MAX_HOSTS
    assert hidden > 1
    more = f"and {hidden} more hosts (all in the JSON and CSV reports)"
    text, html, markdown = (_flat(files[n]) for n in ("flowaudit.txt", "flowaudit.html", "flowaudit.md"))
    assert more in text and more in html
    assert md_text(more) in markdown
    for host in widest["hosts"][MAX_HOSTS:]:  # not listed by the human formats
        assert host not in text and host not in markdown and f">{host}<" not in html
    rows_more = f"and {len(recipients) - MAX_LISTED} more recipients"
    assert rows_more in text and rows_more in html
    # Every format states the same numbers.
    headline = summary["headline"]
    for name in ("flowaudit.txt", "flowaudit.html", "flowaudit.junit.xml"):
        assert headline in _flat(files[name]), name
    assert md_text(headline) in markdown
    sarif = json.loads(files["flowaudit.sarif"])["runs"][0]
    assert sarif["properties"]["headline"] == headline
    assert len(sarif["results"]) == len(result["findings"])
    junit = ET.fromstring(files["flowaudit.junit.xml"])
    suite = next(s for s in junit.iter("testsuite") if s.get("name", "").startswith(f"{widest['entity']} ("))
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["hosts"].split() == widest["hosts"][:MAX_HOSTS]
    assert props["hosts_not_listed"] == str(hidden)
    assert len(files["flowaudit.html"]) < 5_000_000


def test_junit_lists_the_first_recipients_and_tests_the_rest_in_one_suite(many: tuple[Path, dict[str, str]]) -> None:
    _, files = many
    result = json.loads(files["flowaudit.json"])
    rest = len(result["recipients"]) - MAX_LISTED
    junit = ET.fromstring(files["flowaudit.junit.xml"])
    suites = {s.get("name", ""): s for s in junit.iter("testsuite")}
    (more,) = [s for name, s in suites.items() if name.startswith(f"{rest} more recipients")]
    props = {p.get("name"): p.get("value") for p in more.iter("property")}
    assert props["recipients"] == str(rest)
    listed = sum(r["flows"] for r in result["recipients"][:MAX_LISTED])
    assert int(props["requests"]) == sum(r["flows"] for r in result["recipients"]) - listed
    # Every finding is in some test case's output, none twice, and none lost past the cap: a test
    # case lists MAX_LISTED findings in full and counts the rest.
    cases = [c for s in suites.values() for c in s.iter("testcase")]
    text = "\n".join(e.text or "" for c in cases for e in c if e.tag in ("failure", "system-out"))
    ids = [f["id"] for f in result["findings"]]
    assert all(text.count(f"(id {i})") <= 1 for i in ids)
    counted = [int(n) for n in re.findall(r"and (\d+) more findings? \(all in the JSON report\)", text)]
    assert counted and sum(text.count(f"(id {i})") for i in ids) + sum(counted) == len(ids)
    # (a system-out holds two lists: those below --fail-on and those suppressed)
    assert all((e.text or "").count("(id ") <= 2 * MAX_LISTED for c in cases for e in c)
    assert len(suites) < MAX_LISTED + 20
