"""The CI examples in docs/ci run: the same commands, here, with a local test suite.

For each of docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml the test
takes the shell steps as written and runs them in a scratch checkout:
`flowaudit record` around a stand-in for the app's end-to-end tests (a
client making the app's requests; the sinkhole answers them, so nothing
leaves the machine), the baseline command from the file's header, and
`flowaudit check` with the baseline. Only the install step is not run
(flowaudit is installed already and there is no network). Steps that need
GitHub or GitLab themselves (SARIF upload, artifacts) are checked by the
files they point at existing.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..resultschema import valid_result_text

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs/ci"
EXAMPLE = ROOT / "examples/acme-health"

# Stand-in for the app's end-to-end tests: the requests the app makes.
CLIENT = """
import json, sys, urllib.parse, urllib.request
event = {"event": "signup", "properties": {"distinct_id": "user-4242", "$email": "jane.doe@example.com"}}
calls = [("https://api.mixpanel.com/track", urllib.parse.urlencode({"data": json.dumps([event])}).encode())]
if "--with-meta" in sys.argv:  # the pull request adds the Facebook SDK
    calls.append(("https://graph.facebook.com/v19.0/123/activities", b"event=CUSTOM_APP_EVENTS"))
for url, body in calls:
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=20) as answer:
        assert answer.status == 200, (url, answer.status)
"""


def github_steps() -> tuple[list[str], dict[str, object]]:
    workflow = yaml.safe_load((DOCS / "github-actions.yml").read_text())
    steps = workflow["jobs"]["flowaudit"]["steps"]
    return [step["run"] for step in steps if "run" in step], {"steps": steps}


def gitlab_steps() -> tuple[list[str], dict[str, object]]:
    job = yaml.safe_load((DOCS / "gitlab-ci.yml").read_text())["flowaudit"]
    return list(job["script"]), job


def referenced_paths(doc: str, config: dict[str, object]) -> list[str]:
    """Files the CI system is told to pick up after the job."""
    if doc == "github":
        paths: list[str] = []
        for step in config["steps"]:  # type: ignore[attr-defined]
            given = step.get("with", {})
            paths += [given["sarif_file"]] if "sarif_file" in given else []
            paths += given.get("path", "").split()
        return paths
    artifacts = config["artifacts"]  # type: ignore[index]
    return [*artifacts["paths"], artifacts["reports"]["junit"]]


def baseline_command(doc_file: Path) -> list[str]:
    """The command the file's header gives for writing the first baseline."""
    [line] = re.findall(r"^#\s+(flowaudit check .*--format json -o \S+)$", doc_file.read_text(), re.MULTILINE)
    return shlex.split(line)


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if argv[0] == "flowaudit":
        argv = [sys.executable, "-m", "flowaudit", *argv[1:]]
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd / "home"), "COLUMNS": "140"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def with_tests(record: list[str], *client_args: str) -> list[str]:
    """The record step, with the app's test command after `--` replaced by the stand-in."""
    return [*record[: record.index("--") + 1], sys.executable, "client.py", *client_args]


@pytest.mark.parametrize("doc", ["github", "gitlab"])
def test_the_ci_steps_run_locally(doc: str, tmp_path: Path) -> None:
    doc_file = DOCS / ("github-actions.yml" if doc == "github" else "gitlab-ci.yml")
    scripts, config = github_steps() if doc == "github" else gitlab_steps()
    install, record, check = (shlex.split(line, comments=True) for line in scripts)
    assert install[:4] == ["python", "-m", "pip", "install"] and "flowaudit" in install
    assert record[:2] == ["flowaudit", "record"] and "--no-audit" in record and "--" in record
    assert check[:2] == ["flowaudit", "check"] and "--baseline" in check
    capture = record[record.index("--capture") + 1]
    assert check[2] == capture  # the audit reads what the recording wrote

    def checkout(name: str) -> Path:
        """A fresh CI checkout: the declaration, the tests, and the baseline once committed."""
        repo = tmp_path / name
        repo.mkdir()
        shutil.copy(EXAMPLE / "flowaudit.yml", repo / "flowaudit.yml")  # declares Segment, Sentry and Stripe
        (repo / "client.py").write_text(CLIENT)
        if committed.exists():
            (repo / baseline_file).parent.mkdir(parents=True)
            shutil.copy(committed, repo / baseline_file)
        return repo

    baseline = baseline_command(doc_file)
    baseline_file = baseline[-1]
    assert baseline_file == check[check.index("--baseline") + 1]
    committed = tmp_path / "committed-baseline.json"

    # Adopting flowaudit on the main branch, where the app already sends to Mixpanel:
    # record, and write the baseline as the header says (then it is committed).
    main = checkout("main")
    recorded = run(with_tests(record), main)
    assert recorded.returncode == 0, recorded.stderr
    (main / baseline_file).parent.mkdir(parents=True)
    assert run(baseline, main).returncode == 1  # Mixpanel is undeclared: that is why it is baselined
    shutil.copy(main / baseline_file, committed)

    # The next run on the main branch: nothing new, the job passes.
    again = checkout("main-again")
    assert run(with_tests(record), again).returncode == 0
    passed = run(check, again)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # A pull request adds the Facebook SDK: the job fails on that, and only on that.
    repo = checkout("pull-request")
    pull = run(with_tests(record, "--with-meta"), repo)
    assert pull.returncode == 0, pull.stderr
    failed = run(check, repo)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    report = repo / check[check.index("-o") + 1]
    result = valid_result_text((report / "flowaudit.json").read_text())
    assert ("undeclared-recipient", "Meta") in {(f["rule"], f["entity"]) for f in result["findings"]}
    assert {f["entity"] for f in result["findings"]} == {"Meta"}
    # what the baseline holds is listed, not counted: Mixpanel, and the declared-but-unseen infos
    assert {s["suppression"]["reason"] for s in result["suppressed"]} == {"baseline"}
    assert [s["entity"] for s in result["suppressed"] if s["rule"] == "undeclared-recipient"] == ["Mixpanel"]
    sarif = json.loads((report / "flowaudit.sarif").read_text())
    assert sarif["version"] == "2.1.0" and any("Meta" in r["message"]["text"] for r in sarif["runs"][0]["results"])

    for path in referenced_paths(doc, config):
        assert (repo / path).exists(), f"{doc_file.name} points at {path}, which the steps did not write"
