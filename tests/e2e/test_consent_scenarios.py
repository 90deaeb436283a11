"""Consent scenarios recorded from real headless Chromium through the real proxy,
nothing leaving the machine (a loopback-only namespace, every request sinkholed).

The consent strings are built by IAB's own libraries, @iabtcf/core 1.5.6 and
@iabgpp/cmpapi 3.2.0 (tests/e2e/data/consent/strings.mjs), installed by `.ci/run`
into tests/e2e/.npm like mixpanel-browser. The page (scenarios.html) plays a
news site with Google Ad Manager, Google Analytics and Criteo; each scenario is
what its user does with the consent banner. The audit must fire exactly the
consent rules each scenario deserves, with the right severity and phase, cite
the right requests, and the HTML timeline, opened in Chromium, must flag the
right cells of the right rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from ..reporters.browser import Browser
from .conftest import Netns, chromium_via_proxy, flowaudit_argv, load_json, observations, only_capture, serve
from .test_consent_phases import NPM, needs_browser

CONSENT = Path(__file__).parent / "data" / "consent"
CONSENT_RULES = ("tracking-before-consent", "sharing-after-opt-out", "opt-out-signal-ignored")
LIBRARIES = [NPM / "node_modules" / "@iabtcf" / "core", NPM / "node_modules" / "@iabgpp" / "cmpapi"]
ADS, ANALYTICS, CRITEO = "securepubads.g.doubleclick.net", "region1.google-analytics.com", "bidder.criteo.com"

needs_libraries = pytest.mark.skipif(
    not all(p.is_dir() for p in LIBRARIES) or shutil.which("node") is None,
    reason=f"needs node and npm install --prefix {NPM} @iabtcf/core@1.5.6 @iabgpp/cmpapi@3.2.0 (.ci/run does)",
)
pytestmark = [needs_browser, needs_libraries]


def consent_strings(netns: Netns) -> dict[str, str]:
    """The scenario strings, encoded by the real libraries (run inside the namespace)."""
    folder = netns.workdir / "strings"
    folder.mkdir()
    shutil.copy(CONSENT / "strings.mjs", folder / "strings.mjs")
    (folder / "node_modules").symlink_to(NPM / "node_modules")
    run = netns.run(["node", str(folder / "strings.mjs")], timeout=60)
    assert run.returncode == 0, run.stderr
    strings: dict[str, str] = json.loads(run.stdout)
    return strings


def record(netns: Netns, scenario: str) -> tuple[dict[str, Any], Path]:
    """Record the scenario in Chromium; the JSON result and the HTML report."""
    strings = consent_strings(netns)
    root = netns.workdir / "site"
    root.mkdir()
    shutil.copy(CONSENT / "scenarios.html", root / "scenarios.html")
    port = 18092
    server = serve(netns, port, root)
    url = f"http://127.0.0.1:{port}/scenarios.html?scenario={scenario}#{quote(json.dumps(strings))}"
    out = netns.workdir / "out"
    run = netns.run(
        flowaudit_argv("record", "--confdir", netns.confdir, "--sinkhole", "all", "--format", "json")
        + ["--format", "html", "-o", str(out), "--fail-on", "never", "--", *chromium_via_proxy(netns, url, 20000)],
        timeout=240,
    )
    server.kill()
    assert run.returncode == 0, run.stderr
    # (the command's own output goes to standard error: standard output is the audit's)
    assert f'<p id="state">done {scenario}</p>' in run.stderr, run.stderr[-2000:]
    return load_json(out / "flowaudit.json"), out / "flowaudit.html"


def app_phases(result: dict[str, Any]) -> list[str]:
    """The phases the page's own requests were made in (Chromium's own update
    checks, platform traffic, may come before any of them)."""
    seen = {p for r in result["recipients"] for p in r["phase_flows"]}
    return [p for p in result["phases"] if p in seen]


def consent_findings(result: dict[str, Any]) -> dict[tuple[str, str, tuple[str, ...]], dict[str, Any]]:
    """(rule, entity, services) -> finding, for the consent rules."""
    found = {}
    for f in result["findings"]:
        if f["rule"] in CONSENT_RULES:
            key = (f["rule"], f["entity"], tuple(f["services"]))
            assert key not in found, key
            found[key] = f
    return found


def assert_cites_its_hosts(finding: dict[str, Any]) -> None:
    """Every host a finding names is backed by a cited request to that host, and
    it cites no request to another host."""
    cited = {urlsplit(e["request"].split(" ", 1)[1]).hostname for e in finding["evidence"] if e["request"]}
    assert cited == set(finding["hosts"]), (finding["title"], cited, finding["hosts"])


def test_trackers_before_consent(netns: Netns) -> None:
    result, _ = record(netns, "before-consent")
    assert app_phases(result) == ["before-consent", "consent-granted"]
    found = consent_findings(result)
    assert {(rule, entity) for rule, entity, _ in found} == {
        ("tracking-before-consent", "Google"),
        ("tracking-before-consent", "Criteo"),
    }
    google = {services: f for (_, entity, services), f in found.items() if entity == "Google"}
    assert set(google) == {("Google Marketing",), ("Google Analytics",)}  # two rows, told apart
    for f in found.values():
        assert (f["severity"], f["phase"], f["phases"]) == ("high", "before-consent", ["before-consent"])
        assert_cites_its_hosts(f)
    assert google[("Google Analytics",)]["hosts"] == [ANALYTICS]
    assert google[("Google Marketing",)]["hosts"] == [ADS]

    # The phase the marker started cites the marker's own record, not the request after it.
    capture = only_capture(netns.workdir / "captures")
    flows = observations(capture)
    [granted] = [p for p in result["consent"]["phases"] if p["phase"] == "consent-granted"]
    assert granted["source"] == "marker"
    marker = int(granted["evidence"]["flow"].rsplit("#", 1)[1])
    first_after = min(o.index for o in flows if o.phase == "consent-granted")
    assert marker < first_after and marker not in {o.index for o in flows}


def test_refused(netns: Netns) -> None:
    result, _ = record(netns, "refused")
    found = consent_findings(result)
    sharing = {k[1:]: f for k, f in found.items() if k[0] == "sharing-after-opt-out"}
    ignored = {k[1:]: f for k, f in found.items() if k[0] == "opt-out-signal-ignored"}
    assert set(sharing) == {
        ("Google", ("Google Marketing",)),
        ("Google", ("Google Analytics",)),
        ("Criteo", ("Criteo",)),
    }
    assert set(ignored) == set(sharing)  # each request itself said no: TCF refusal, gcs=G100
    assert not [k for k in found if k[0] == "tracking-before-consent"]
    for f in sharing.values():
        assert (f["severity"], f["phase"]) == ("critical", "consent-refused")
        assert "after the user refused consent" in f["message"]
    for f in ignored.values():
        assert (f["severity"], f["phase"]) == ("high", "consent-refused")
    assert "TCF v2 string" in ignored[("Criteo", ("Criteo",))]["message"]
    assert any(e["location"] == "body > json:user.ext.consent" for e in ignored[("Criteo", ("Criteo",))]["evidence"])
    assert "gcs=G100" in ignored[("Google", ("Google Analytics",))]["message"]
    for f in found.values():
        assert_cites_its_hosts(f)


def test_granted_then_withdrawn(netns: Netns, tmp_path: Path) -> None:
    result, html = record(netns, "withdrawn")
    assert app_phases(result) == ["consent-granted", "consent-withdrawn"]
    found = consent_findings(result)
    assert {k[0] for k in found} == {"sharing-after-opt-out", "opt-out-signal-ignored"}
    for (rule, _, _), f in found.items():
        assert f["phases"] == ["consent-withdrawn"], f["title"]
        assert f["severity"] == ("critical" if rule == "sharing-after-opt-out" else "high")
        assert_cites_its_hosts(f)
    assert all(
        "after the user withdrew consent" in f["message"] for k, f in found.items() if k[0] == "sharing-after-opt-out"
    )
    # One request of each row in each phase; the flags only where the findings' requests are.
    granted, withdrawn = {"consent-granted": "1"}, {"consent-withdrawn": "⚑ 1"}
    assert timeline_in_chromium(html) == {
        "Criteo": granted | withdrawn,
        "Google · Google Marketing": granted | withdrawn,
        "Google · Google Analytics": granted | withdrawn,
    }


def test_no_markers_and_opt_out_strings_in_the_requests(netns: Netns) -> None:
    result, _ = record(netns, "opt-out-strings")
    assert app_phases(result) == ["consent-refused"]
    [refused] = [p for p in result["consent"]["phases"] if p["phase"] == "consent-refused"]
    assert (refused["consent"], refused["source"], refused["evidence"]["location"]) == (
        "refused",
        "signal",
        "query:us_privacy",
    )
    found = consent_findings(result)
    ignored = {k[1:]: f for k, f in found.items() if k[0] == "opt-out-signal-ignored"}
    assert set(ignored) == {("Google", ("Google Marketing",)), ("Criteo", ("Criteo",))}
    ads, criteo = ignored[("Google", ("Google Marketing",))], ignored[("Criteo", ("Criteo",))]
    for f in (ads, criteo):
        assert (f["severity"], f["phase"]) == ("high", "consent-refused")
        assert "US Privacy string 1YYN" in f["message"]
        assert_cites_its_hosts(f)
    assert "GPP string" in ads["message"] and "opted out of sale, sharing, targeted advertising" in ads["message"]
    assert "lmt=1: Limit Ad Tracking is on" in criteo["message"]
    # The analytics hit carried no opt-out itself, but went after the refusal the ad request carried.
    sharing = {k[1:]: f for k, f in found.items() if k[0] == "sharing-after-opt-out"}
    assert ("Google", ("Google Analytics",)) in sharing
    assert all((f["severity"], f["phase"]) == ("critical", "consent-refused") for f in sharing.values())


def test_everything_correct_has_no_consent_finding(netns: Netns) -> None:
    result, _ = record(netns, "correct")
    assert app_phases(result) == ["consent-granted"]
    assert consent_findings(result) == {}
    [tcf] = [s for s in result["consent"]["signals"] if s["kind"] == "tcf"]
    assert tcf["tcf"]["vendor_names"] == [{"id": 91, "name": "Criteo"}, {"id": 755, "name": "Google"}]
    assert (tcf["tcf"]["vendor_list_version"], tcf["tcf"]["policy_version"]) == (150, 5)
    assert tcf["tcf"]["special_features"] == [1]


def test_one_vendor_withheld_is_a_finding_for_that_company_only(netns: Netns) -> None:
    result, html = record(netns, "google-withheld")
    found = consent_findings(result)
    assert set(found) == {
        ("sharing-after-opt-out", "Google", ("Google Marketing",)),
        ("opt-out-signal-ignored", "Google", ("Google Marketing",)),
    }
    sharing = found[("sharing-after-opt-out", "Google", ("Google Marketing",))]
    assert (sharing["severity"], sharing["phase"], sharing["hosts"]) == ("critical", "consent-granted", [ADS])
    assert "vendor id (755)" in sharing["message"]
    assert_cites_its_hosts(found[("opt-out-signal-ignored", "Google", ("Google Marketing",))])
    assert timeline_in_chromium(html) == {
        "Google · Google Marketing": {"consent-granted": "⚑ 1"},
        "Google · Google Analytics": {"consent-granted": "1"},
        "Criteo": {"consent-granted": "1"},
    }


def timeline_in_chromium(html: Path) -> dict[str, dict[str, str]]:
    """The report's timeline as Chromium lays it out: row label -> {phase: cell
    text, "⚑ " first when flagged}, leaving out empty cells ("—")."""
    b = Browser()
    try:
        page = b.new_page()
        page.navigate(html.as_uri())
        rows = page.evaluate(
            """(() => {
              const phases = [...document.querySelectorAll('table.timeline thead th.cell')]
                .map(th => th.textContent.replace(/^\\d+\\. /, ''));
              return JSON.stringify([...document.querySelectorAll('table.timeline tbody tr')].map(tr => {
                const entity = tr.querySelector('td.entity');
                const services = entity.querySelector('.services');
                const name = entity.firstChild.textContent.trim();
                const cells = {};
                [...tr.querySelectorAll('td.cell')].forEach((td, i) => {
                  const text = td.innerText.replace('⚑', '').trim();
                  if (text !== '—') cells[phases[i]] = (td.classList.contains('flagged') ? '⚑ ' : '') + text;
                });
                return [services ? name + ' · ' + services.textContent.trim() : name, cells];
              }));
            })()"""
        )
    finally:
        b.close()
    return dict(json.loads(rows))
