"""`flowaudit study` when apps bring their store declarations: labels.csv holds, per
store data type, the four outcomes (correctly declared, correctly not declared,
wrongly not declared, unnecessarily declared), from real SDK manifests and traffic."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

from ..stores.test_play import data_safety
from .conftest import DATA, REALWORLD, flowaudit

CORPUS = DATA.parent / "corpus"
MANIFESTS = DATA / "stores/manifests"


def test_labels_per_store_type(tmp_path: Path) -> None:
    root = tmp_path / "apps"
    # An iOS app: Sentry's traffic, with the manifest Sentry ships.
    (root / "sentry-ios").mkdir(parents=True)
    shutil.copy(REALWORLD / "sdk/sentry/flows.mitm", root / "sentry-ios/flows.mitm")
    shutil.copy(MANIFESTS / "sentry/PrivacyInfo.xcprivacy", root / "sentry-ios/PrivacyInfo.xcprivacy")
    # An Android app: QuizDuel's traffic, with a Data safety CSV that ticks device ids only.
    (root / "quizduel").mkdir()
    shutil.copy(CORPUS / "external/tweasel-quizduel/capture.har", root / "quizduel/capture.har")
    (root / "quizduel/data_safety.csv").write_text(
        data_safety(
            {
                ("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", ""): "TRUE",
                ("PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID"): "TRUE",
                ("PSL_DATA_TYPES_HEALTH_AND_FITNESS", "PSL_HEALTH"): "TRUE",
            }
        )
    )
    # An app with no store declaration.
    (root / "mixpanel").mkdir()
    shutil.copy(REALWORLD / "sdk/mixpanel/flows.mitm", root / "mixpanel/flows.mitm")

    out = tmp_path / "out"
    run = flowaudit("study", root, "-o", out, "--jobs", "2")
    assert run.code == 0, run.err
    text = (out / "labels.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[-3:] == ["mixpanel", "quizduel", "sentry-ios"]
    cell = {(r["type"], app): r[app] for r in rows for app in ("mixpanel", "quizduel", "sentry-ios")}

    # Sentry's manifest against Sentry's traffic.
    assert cell[("NSPrivacyCollectedDataTypeCrashData", "sentry-ios")] == "correctly declared"
    assert cell[("NSPrivacyCollectedDataTypePerformanceData", "sentry-ios")] == "unnecessarily declared"
    assert cell[("NSPrivacyCollectedDataTypeEmailAddress", "sentry-ios")] == "wrongly not declared"
    assert cell[("NSPrivacyCollectedDataTypeContacts", "sentry-ios")] == "correctly not declared"
    # QuizDuel's Data safety answers against its traffic.
    assert cell[("PSL_DEVICE_ID", "quizduel")] == "correctly declared"
    assert cell[("PSL_HEALTH", "quizduel")] == "unnecessarily declared"
    assert cell[("PSL_USER_INTERACTION", "quizduel")] == "wrongly not declared"
    assert cell[("PSL_EMAIL", "quizduel")] == "correctly not declared"
    # No store file, no outcome; each store's rows only for the apps that filed it.
    assert all(cell[(r["type"], "mixpanel")] == "" for r in rows)
    assert cell[("PSL_DEVICE_ID", "sentry-ios")] == ""
    assert cell[("NSPrivacyCollectedDataTypeCrashData", "quizduel")] == ""
    crash = next(r for r in rows if r["type"] == "NSPrivacyCollectedDataTypeCrashData")
    assert (crash["correctly_declared"], crash["wrongly_not_declared"]) == ("1", "0")
    # Unmapped store types (no traffic can show them) are not rows.
    assert "PSL_CALENDAR" not in {r["type"] for r in rows}

    manifest = json.loads((out / "manifest.json").read_text())
    by_app = {a["app"]: a for a in manifest["apps"]}
    assert [d["path"] for d in by_app["quizduel"]["store_declarations"]] == ["quizduel/data_safety.csv"]
    assert "labels.csv" in {o["path"] for o in manifest["outputs"]}

    # The same outcomes in the manifest, for programs, and on the matrix page, for people.
    labels = {(t["type"], app): outcome for t in manifest["store_labels"] for app, outcome in t["apps"].items()}
    assert labels == {key: value or None for key, value in cell.items()}
    crash_json = next(t for t in manifest["store_labels"] if t["type"] == "NSPrivacyCollectedDataTypeCrashData")
    assert crash_json["counts"]["correctly_declared"] == 1
    page = (out / "matrix.html").read_text()
    section = page[page.index('id="labels-h"') :]
    for store_type, app, outcome in (
        ("NSPrivacyCollectedDataTypeCrashData", "sentry-ios", "correctly declared"),
        ("NSPrivacyCollectedDataTypeEmailAddress", "sentry-ios", "wrongly not declared"),
        ("PSL_HEALTH", "quizduel", "unnecessarily declared"),
        ("PSL_EMAIL", "quizduel", "correctly not declared"),
    ):
        row = section[section.index(f'<span class="sub">{store_type}</span>') :]
        row = row[: row.index("</tr>")]
        cells = re.findall(r'<td class="outcome[^"]*">([^<]*)</td>', row)
        assert cells[["mixpanel", "quizduel", "sentry-ios"].index(app)] == outcome
        assert cells[0] == ""  # mixpanel brought no store file
