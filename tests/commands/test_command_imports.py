"""Commands that read no capture load no capture reader: ``report`` and
``diff`` of JSON results import no mitmproxy module (issue 11: `report`
used to load mitmproxy through `check`, about 270 modules in all).

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


def loaded_modules(*args: str | Path, tmp_path: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
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
