"""The store rules through the Auditor, with observations built by hand: what the
end-to-end tests (tests/commands/test_check_stores.py) cannot show with the
recorded captures, such as a declared tracking domain contacted after a refusal."""

from __future__ import annotations

import json
from pathlib import Path

from flowaudit.catalog import Catalog
from flowaudit.declaration.combined import load_declared
from flowaudit.engine import Auditor
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.model import AuditResult, Observation

from .conftest import obs

JSON = (("Content-Type", "application/json"),)
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>NSPrivacyTracking</key>
	<true/>
	<key>NSPrivacyTrackingDomains</key>
	<array>
		<string>appsflyer.com</string>
		<string>https://api2.amplitude.com/2/httpapi</string>
	</array>
	<key>NSPrivacyCollectedDataTypes</key>
	<array/>
</dict>
</plist>
"""


def appsflyer(n: int, phase: str | None) -> Observation:
    body = {"eventName": "af_login", "appsflyer_id": "1700000000000-1234567", "customer_user_id": "user-4242"}
    return obs(
        "https://api2.appsflyer.com/inappevent/id123456789", n, body=json.dumps(body).encode(), headers=JSON,
        phase=phase,
    )  # fmt: skip


def audit(catalog: Catalog, manifest: Path, *requests: Observation) -> AuditResult:
    declaration = load_declared((str(manifest),), catalog)
    auditor = Auditor(catalog, declaration, analyzer=PayloadAnalyzer(declaration, catalog))
    for request in requests:
        auditor.add(request)
    return auditor.result(())


def test_declared_tracking_domain_contacted_after_refusal(tmp_path: Path, catalog: Catalog) -> None:
    manifest = tmp_path / "PrivacyInfo.xcprivacy"
    manifest.write_text(MANIFEST)
    refused = [appsflyer(n, "consent-refused") for n in (2, 3)]
    result = audit(catalog, manifest, appsflyer(1, None), *refused)
    [after] = [f for f in result.findings if f.rule == "tracking-domain-after-refusal"]
    assert (after.entity, after.hosts, after.severity) == ("AppsFlyer", ("api2.appsflyer.com",), "high")
    assert [e.flow for e in after.evidence] == ["cap.mitm#2", "cap.mitm#3"]  # not the request before the refusal
    assert "2 requests" in after.message and "appsflyer.com" in after.message
    assert (after.declaration_file, after.declaration_line, after.declaration_key) == (
        str(manifest),
        8,
        "NSPrivacyTrackingDomains[0]",
    )
    # The domain is declared: no tracking-domain-not-declared for it.
    assert not [f for f in result.findings if f.rule == "tracking-domain-not-declared"]
    # Amplitude's URL is no domain: listed, never silently taken for one.
    [odd] = [f for f in result.findings if f.rule == "store-declaration-not-understood"]
    assert odd.declaration_line == 9 and "https://api2.amplitude.com/2/httpapi" in odd.message


def test_no_refusal_no_finding(tmp_path: Path, catalog: Catalog) -> None:
    manifest = tmp_path / "PrivacyInfo.xcprivacy"
    manifest.write_text(MANIFEST)
    result = audit(catalog, manifest, appsflyer(1, "consent-granted"))
    assert not [f for f in result.findings if f.rule == "tracking-domain-after-refusal"]
