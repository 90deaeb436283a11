"""Commands that read no capture load no capture reader: ``report`` and
``diff`` of JSON results import no mitmproxy module (issue 11: `report`
used to load mitmproxy through `check`, about 270 modules in all). And a
small `check` loads only what it uses (issue 14: start-up is most of a
small audit).

Each command runs in a fresh interpreter that calls the CLI's ``main`` and
then prints the modules it ended up with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULT = ROOT / "reports/acme-health/flowaudit.json"
CAPTURE = ROOT / "examples/acme-health/capture.mitm"

PROBE = """
import json, sys
from flowaudit.cli import main
try:
    main(sys.argv[1:], prog_name="flowaudit")
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_modules(*args: str | Path, tmp_path: Path, cache: Path | None = None) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **({"XDG_CACHE_HOME": str(cache)} if cache else {})},
    )
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["code"] in (0, 1), proc.stderr
    modules: list[str] = last["modules"]
    return modules


def mitmproxy_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m == "mitmproxy" or m.startswith("mitmproxy.")]


@pytest.mark.parametrize(
    "args",
    [
        ("report", RESULT, "--format", "html", "-o", "out.html"),
        ("report", RESULT, "--format", "json", "-o", "out.json"),
        ("diff", RESULT, RESULT, "-o", "diff.txt"),
    ],
    ids=["report-html", "report-json", "diff-json"],
)
def test_commands_reading_results_import_no_mitmproxy(args: tuple[str | Path, ...], tmp_path: Path) -> None:
    modules = loaded_modules(*args, tmp_path=tmp_path)
    assert "flowaudit.cli" in modules
    assert mitmproxy_modules(modules) == []


def test_the_probe_sees_mitmproxy_when_a_flow_file_is_read(tmp_path: Path) -> None:
    """The same probe on `check` of a flow file does list mitmproxy (the
    fast reader uses its host name parser, not its flow code): an empty list
    above means none was loaded, not that the probe is blind."""
    modules = loaded_modules("check", CAPTURE, "--format", "json", "-o", "out.json", tmp_path=tmp_path)
    assert "mitmproxy.net.http.url" in mitmproxy_modules(modules)
    assert "mitmproxy.io" not in modules


# Each costs a small audit more than reading its capture, and a `check` of a HAR to JSON uses none:
# terminal rendering, PyYAML (the rules and the declaration come from the cache), JSON Schema (checks
# passed are kept), mitmproxy, multipart and plist parsing, and what Python's error printing and
# temporary files bring; nor (issue 14, a 16-entry HAR at TrackHAR's speed) the MIME parser of a
# request body (this capture's requests have none), the store file readers, the catalog's merge of
# its files (kept merged), the suppression and baseline readers, GitHub's annotations.
NOT_FOR_A_SMALL_CHECK = (
    "rich",
    "yaml",
    "jsonschema",
    "jinja2",
    "mitmproxy",
    "email",
    "plistlib",
    "xml",
    "csv",
    "traceback",
    "tempfile",
    "importlib.resources",
    "flowaudit.stores.apple",
    "flowaudit.stores.play",
    "flowaudit.catalog.merge",
    "flowaudit.catalog.adguard",
    "flowaudit.catalog.overlay",
    "flowaudit.suppress.loader",
    "flowaudit.suppress.baseline",
    "flowaudit.suppress.model",
    "flowaudit.reporters.github",
    "flowaudit.reporters.markdown",
)


def test_a_small_check_of_a_har_loads_only_what_it_uses(tmp_path: Path) -> None:
    har = ROOT / "tests/corpus/external/pagexray-expressen/capture.har"
    declaration = tmp_path / "flowaudit.yml"
    declaration.write_text("recipients: []\n")
    args = ("check", har, "--declared", declaration, "--format", "json", "-o", "out.json")
    first = loaded_modules(*args, tmp_path=tmp_path, cache=tmp_path / "cache")  # fills the cache
    assert "yaml" in first  # the probe sees what a run without the cache needs
    warm = loaded_modules(*args, tmp_path=tmp_path, cache=tmp_path / "cache")
    assert "flowaudit.inputs.har" in warm
    loaded = [m for m in warm if any(m == name or m.startswith(f"{name}.") for name in NOT_FOR_A_SMALL_CHECK)]
    assert loaded == []
