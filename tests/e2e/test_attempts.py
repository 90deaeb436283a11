"""Every attempt is on record: with the network down, an app that tries
Facebook, Firebase and AppsFlyer reaches none of them, and the audit still
lists all three companies, marked as tried, in text, JSON and HTML.

The recorder forwards (no sinkhole) from a namespace with loopback only and
a resolver on that loopback where nothing listens: every CONNECT fails at
the proxy's lookup, as on a device offline. Nothing can leave the machine.
"""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import PYTHON, Netns, flowaudit_argv, load_json, observations, only_capture, with_resolver

TRIED = {
    "graph.facebook.com": "Meta",
    "firebaseinstallations.googleapis.com": "Google",  # Firebase
    "inapps.appsflyer.com": "AppsFlyer",
}

CLIENTS = """
curl -sS --max-time 20 -o /dev/null https://graph.facebook.com/v19.0/1234/activities -d event=CUSTOM_APP_EVENTS
curl -sS --max-time 20 -o /dev/null https://inapps.appsflyer.com/api/v6.3/androidevent?app_id=com.acme
python -c 'import requests; requests.post("https://firebaseinstallations.googleapis.com/v1/projects/acme/\
installations", json={}, timeout=20)'
exit 0
"""


def test_offline_attempts_name_every_company_in_every_format(netns: Netns) -> None:
    resolv = netns.workdir / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\n")  # the namespace's own loopback: no answer, nowhere else
    run = netns.run(
        with_resolver(
            resolv,
            flowaudit_argv("record", "--confdir", netns.confdir, "--app", "Acme Health", "--fail-on", "never")
            + ["--format", "text", "--format", "json", "--format", "html", "-o", "out"]
            + ["--", "sh", "-c", CLIENTS],
        ),
        env=netns.env(PATH=f"{Path(PYTHON).parent}:/usr/bin:/bin"),
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    assert "recorded 0 requests and 3 lookups or failed connections" in run.stderr
    assert "warning: nothing was reached" in run.stderr

    # The capture: one failed connection per host, with the proxy's reason.
    tried = [o for o in observations(only_capture(netns.workdir / "captures")) if o.attempted]
    assert sorted(o.host for o in tried) == sorted(TRIED)
    assert all(o.kind == "connect" and o.error and o.timestamp for o in tried)
    assert not [o for o in observations(only_capture(netns.workdir / "captures")) if not o.attempted]

    out = netns.workdir / "out"
    result = load_json(next(out.glob("*.json")))
    assert (result["summary"]["flows"], result["summary"]["attempts"]) == (0, 3)
    rows = {r["entity"]: r for r in result["recipients"]}
    assert set(rows) == set(TRIED.values())
    for host, company in TRIED.items():
        row = rows[company]
        assert (row["flows"], row["attempts"], row["reached"], row["hosts"]) == (0, 1, False, [host])
    undeclared = {f["entity"]: f for f in result["findings"] if f["rule"] == "undeclared-recipient"}
    assert set(undeclared) == set(TRIED.values())
    assert {f["severity"] for f in undeclared.values()} == {"medium"}  # tried, never reached
    attempted = {f["host"]: f for f in result["findings"] if f["rule"] == "attempted-contact"}
    assert set(attempted) == set(TRIED)
    for host, finding in attempted.items():
        [evidence] = finding["evidence"]
        assert evidence["request"] == f"CONNECT {host}:443"
        how = evidence["how"]
        assert how.startswith("tried to contact: the connection could not be opened (")
        assert " · at 20" in how and how.endswith("· phase before-consent"), how

    text = " ".join(next(out.glob("*.txt")).read_text().split())  # unwrapped
    html = next(out.glob("*.html")).read_text()
    for company in TRIED.values():  # each company's row, marked as only tried
        tried = r"0 \(tried to contact: 1 attempt, never reached\)"
        assert re.search(rf"{company}( \(Alphabet\))? · [a-z_, ]+ · NOT DECLARED · {tried}", text), company
        assert re.search(rf'<td class="entity">{company}.*?<td class="num">0 \(tried to contact', html, re.S)
    assert html.count("0 (tried to contact: 1 attempt, never reached)") == 3
    for host in TRIED:  # each host, with the time and phase of the attempt
        said = re.search(rf"The app tried to contact {re.escape(host)} .*? First: tried to contact: (.*?)\.( |$)", text)
        assert said and " · at 20" in said[1] and said[1].endswith(" · phase before-consent"), host
        assert re.search(rf"The app tried to contact {re.escape(host)} .*? First: tried to contact: .*? · at 20", html)
    assert "Acme Health tried to contact AppsFlyer, Google and Meta, never reached" in text
