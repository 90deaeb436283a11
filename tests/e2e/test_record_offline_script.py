"""scripts/record_offline.sh, which the corpus READMEs cite for recording a new
case, run as written: curl through it, inside its own loopback-only namespace."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from flowaudit.inputs import open_inputs

from .conftest import _NO_NETNS, MITMDUMP

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "record_offline.sh"


@pytest.mark.skipif(_NO_NETNS is not None, reason=_NO_NETNS or "")
def test_records_a_client_with_nothing_leaving_the_machine(tmp_path: Path) -> None:
    out = tmp_path / "case"
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(MITMDUMP).parent), os.environ.get("PATH", "")])}
    curl = ["curl", "-sS", "--max-time", "20", "-d", "email=jane.doe@example.com", "https://api.example.com/v1/track"]
    run = subprocess.run(["bash", str(SCRIPT), str(out), "--", *curl], env=env, capture_output=True, text=True,
                         timeout=180)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "client exit 0" in (out / "client.log").read_text(encoding="utf-8")  # answered by the proxy itself
    for name in ("flows.mitm", "flows.har"):
        (obs,) = list(open_inputs([str(out / name)]))
        assert (obs.method, obs.host, obs.path) == ("POST", "api.example.com", "/v1/track")
        assert b"jane.doe%40example.com" in obs.body or b"jane.doe@example.com" in obs.body
