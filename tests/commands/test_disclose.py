"""`flowaudit disclose` on real captures: the draft it writes is one `check` accepts."""

from __future__ import annotations

from pathlib import Path

from flowaudit.disclose.draft import DECLARABLE_RULES
from flowaudit.model import SEVERITIES

from .conftest import REALWORLD, assert_clean_error, flowaudit

MIXPANEL = REALWORLD / "sdk/mixpanel/flows.mitm"


def test_the_draft_for_sdk_mixpanel_passes_check(tmp_path: Path) -> None:
    out = tmp_path / "draft"
    run = flowaudit("disclose", MIXPANEL, "--app", "Acme Health", "-o", out)
    assert run.code == 0, run.err
    declaration = (out / "flowaudit.yml").read_text()
    assert "  - entity: Mixpanel\n" in declaration and "app: Acme Health\n" in declaration
    assert f"e.g. {MIXPANEL}#1 #2" in declaration  # the requests that show it

    check = flowaudit("check", MIXPANEL, "--declared", out / "flowaudit.yml", "--format", "json")
    result = check.json()
    assert result["recipients"][0]["declared"] is True
    # nothing a declaration can settle is left ...
    assert [f["rule"] for f in result["findings"] if f["rule"] in DECLARABLE_RULES] == []
    # ... so check passes, unless the capture holds what no declaration makes acceptable (sensitive
    # data to an analytics company, say): then disclose said so, and check fails on exactly that
    failing = [f for f in result["findings"] if SEVERITIES.index(f["severity"]) <= SEVERITIES.index("high")]
    assert check.code == (1 if failing else 0), check.err
    document = (out / "disclosure.md").read_text()
    for f in failing:
        assert f["rule"] in document and f["rule"] in run.err


def test_without_output_folder_the_document_is_printed(tmp_path: Path) -> None:
    run = flowaudit("disclose", REALWORLD / "browser/mixpanel/flows.har")
    assert run.code == 0, run.err
    assert run.out.startswith("# Draft disclosure: the app\n")
    assert "| Mixpanel | analytics |" in run.out
    assert "## App Store privacy label (Apple)" in run.out and "## Data safety (Google Play)" in run.out
    assert "```yaml\n# Draft declaration written by `flowaudit disclose`" in run.out
    # Chromium's own traffic is not the page's to declare
    assert "- entity: Google" not in run.out and "platform traffic to Google" in run.out


def test_a_declaration_someone_wrote_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "flowaudit.yml").write_text("app: Mine\nrecipients: []\n")
    run = flowaudit("disclose", MIXPANEL, "-o", tmp_path)
    assert_clean_error(run, "flowaudit.yml: a declaration is already there")
    assert (tmp_path / "flowaudit.yml").read_text() == "app: Mine\nrecipients: []\n"
    # an earlier draft may be replaced
    draft = tmp_path / "again"
    assert flowaudit("disclose", MIXPANEL, "-o", draft).code == 0
    assert flowaudit("disclose", MIXPANEL, "-o", draft).code == 0
