"""Suite-wide settings.

CI sets ``FLOWAUDIT_REQUIRE_ALL=1``: there every tool a test needs (Chromium,
npm's mixpanel-browser, a JDK, network namespaces, the shared data) is
installed by ``.ci/run``, so a test that skips itself means a missing install
step, not an optional extra. Under that setting a skip is reported as a
failure, and a green run really ran everything.

One exception: a test marked ``needs_shared`` reads the project's source data
in ``../shared`` (beside the checkout, where CI has it), which no install
step can bring; it may skip when that folder is not there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

REQUIRE_ALL = os.environ.get("FLOWAUDIT_REQUIRE_ALL") == "1"


SOURCE = Path(__file__).resolve().parents[1] / "src"


def stale_compiled() -> list[str]:
    """Modules whose compiled extension (``pip install -e .`` compiles the hot path with
    mypyc, beside the sources) is older than their source. Python imports the extension
    first, so an edit since the last install would go untested: the suite refuses to run."""
    stale = []
    for extension in SOURCE.rglob("*"):
        if extension.name.endswith(tuple(EXTENSION_SUFFIXES)):
            # generic.cpython-311-x86_64-linux-gnu.so is generic.py's (mypyc's own runtime has no .py)
            source = extension.with_name(extension.name.partition(".")[0] + ".py")
            if source.exists() and source.stat().st_mtime > extension.stat().st_mtime:
                stale.append(str(source.relative_to(SOURCE)))
    return sorted(stale)


def pytest_configure(config: pytest.Config) -> None:
    stale = stale_compiled()
    if stale:
        raise pytest.UsageError(
            f"{', '.join(stale)} changed since it was compiled: run `pip install -e .` again "
            "(or, for plain Python, `HATCH_BUILD_NO_HOOKS=true pip install -e .` and delete the .so files under src/)"
        )
    config.addinivalue_line("markers", "needs_shared: reads ../shared, which may be absent outside CI")
    # flowaudit keeps parsed rules in the user's cache folder (flowaudit.cache): the
    # suite starts from an empty one of its own, in every process it starts too.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="flowaudit-tests-cache-")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail") and "needs_shared" not in item.keywords:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under FLOWAUDIT_REQUIRE_ALL=1 (a needed tool or file is missing): {reason}"
