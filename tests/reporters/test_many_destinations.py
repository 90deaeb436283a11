"""Reports for people cap each section at MAX_LISTED rows with "and N more";
the JSON keeps every row (issue 15, item 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowaudit.display import MAX_LISTED

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
