"""scripts/sanitize_har.py replaces personal values by fakes of the same shape, consistently, and
leaves the evidence (hosts, keys, event names, opt-out ids) alone."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "sanitize_har.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flowaudit_sanitize_har_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sanitize_har = _load()

AD_ID = "1209d0b9-b959-42e6-b921-aa5d9d08c1af"
FBP = "fb.1.1686166419258.1182598534"
PUBCID = "852b8143-edc1-41a8-9983-e971f9463754"
BASIC = base64.b64encode(b"magsupport_platform_20231024080034030-64c03dee9592d82:").decode()


def _entry(
    url: str,
    *,
    body: str = "",
    headers: list[dict[str, str]] | None = None,
    cookies: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": "POST" if body else "GET",
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": headers or [],
        "cookies": cookies or [],
        "queryString": [],
        "headersSize": -1,
        "bodySize": len(body),
    }
    if body:
        request["postData"] = {"mimeType": "application/x-www-form-urlencoded", "text": body}
    return {
        "startedDateTime": "2023-03-20T16:35:24.304Z",
        "time": 1,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {"size": 5, "mimeType": "text/plain", "text": "hello"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 5,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
        "serverIPAddress": "157.240.1.35",
    }


def _har() -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "test", "version": "1"},
            "entries": [
                _entry(
                    f"https://www.facebook.com/tr/?id=608795229329835&ev=PageView&fbp={FBP}",
                    cookies=[
                        {"name": "_fbp", "value": FBP},
                        {"name": "c_user", "value": "199712934"},
                        {"name": "consent", "value": "1"},
                    ],
                ),
                _entry(
                    "https://graph.facebook.com/v14.0/138566025676/activities",
                    body=f"event=MOBILE_APP_INSTALL&anon_id=XZ9dd82044-772f-4b99-b17b-208e9c3cc38b&advertiser_id={AD_ID}"
                    "&attribution=00000000-0000-0000-0000-000000000000",
                ),
                _entry(
                    "https://api2.branch.io/v1/open",
                    body=json.dumps(
                        {
                            "device_fingerprint_id": "1172860168313205995",
                            "google_advertising_id": AD_ID,
                            "device": {"id": "7d5a6fd0d53a566b"},
                            "local_ip": "10.0.0.1",
                        }
                    ),
                ),
                _entry("https://adrta.com/i?kv4=83.135.1.0&version=1.0.6.2&email=jane.roe@mail.example"),
                _entry(
                    "https://ssp.example/sync?eids="
                    + base64.b64encode(
                        json.dumps([{"source": "pubcid.org", "uids": [{"id": PUBCID}]}]).encode()
                    ).decode(),
                    cookies=[{"name": "_pubcid", "value": PUBCID}],
                ),
                _entry(
                    "https://api.helpshift.com/events/v1/magsupport/websdk/",
                    body="platform-id=magsupport_platform_20231024080034030-64c03dee9592d82",
                    headers=[{"name": "Authorization", "value": f"Basic {BASIC}"}],
                ),
            ],
        }
    }


def _request_text(har: dict[str, Any], n: int) -> str:
    return json.dumps(har["log"]["entries"][n]["request"])


def test_cookie_values_and_ids_are_replaced_everywhere_by_the_same_fake() -> None:
    clean, _ = sanitize_har.sanitize(_har(), "test")
    first = clean["log"]["entries"][0]["request"]
    fbp = next(c["value"] for c in first["cookies"] if c["name"] == "_fbp")
    assert fbp != FBP
    assert re.fullmatch(r"fb\.1\.16\d{11}\.\d{10}", fbp)  # the same shape: fb.1.<timestamp>.<random>
    assert f"fbp={fbp}" in first["url"]  # the URL carries the same fake as the cookie
    assert "199712934" not in json.dumps(clean)
    fake_ad_id = re.search(r"advertiser_id=([0-9a-f-]{36})", _request_text(clean, 1))
    assert fake_ad_id is not None and fake_ad_id.group(1) != AD_ID
    assert fake_ad_id.group(1)[14] == "4" and fake_ad_id.group(1) in _request_text(clean, 2)  # version kept, shared


def test_what_is_evidence_stays() -> None:
    clean, _ = sanitize_har.sanitize(_har(), "test")
    text = json.dumps(clean)
    assert [e["request"]["url"].split("?")[0] for e in clean["log"]["entries"]] == [
        e["request"]["url"].split("?")[0] for e in _har()["log"]["entries"]
    ]
    assert "00000000-0000-0000-0000-000000000000" in text  # the opt-out id is nobody's id
    assert "event=MOBILE_APP_INSTALL" in text and "id=608795229329835" in text
    assert '"value": "1"' in text  # a one-character flag is not an identifier
    assert "version=1.0.6.2" in text and "10.0.0.1" in text  # a version number, a private address
    anon_id = re.search(r"anon_id=XZ([0-9a-f-]{36})&", text)  # Meta's anon_id keeps its marker ...
    assert anon_id is not None and anon_id.group(1)[14] == "4"  # ... and its UUID stays a version-4 UUID


def test_client_ip_email_and_credentials_are_faked_in_their_shape() -> None:
    clean, p = sanitize_har.sanitize(_har(), "test")
    url = clean["log"]["entries"][3]["request"]["url"]
    ip = re.search(r"kv4=([\d.]+)", url)
    assert ip is not None and ip.group(1) != "83.135.1.0" and re.fullmatch(r"83\.\d+\.\d+\.0", ip.group(1))
    assert "jane.roe" not in url and re.search(r"email=[a-z]+\.[a-z]+@mail\.example", url)
    helpshift = clean["log"]["entries"][5]["request"]
    decoded = base64.b64decode(helpshift["headers"][0]["value"][6:]).decode()
    assert decoded.endswith(":") and "20231024080034030" not in decoded
    assert helpshift["postData"]["text"] == "platform-id=" + decoded[:-1]  # header and body still agree
    assert sanitize_har.check_clean(clean, p) == []


def test_an_id_inside_base64_gets_the_same_fake_as_its_plain_copy() -> None:
    clean, p = sanitize_har.sanitize(_har(), "test")
    request = clean["log"]["entries"][4]["request"]
    cookie = request["cookies"][0]["value"]
    eids = json.loads(base64.b64decode(request["url"].split("eids=")[1]))
    assert cookie != PUBCID and eids[0]["uids"][0]["id"] == cookie
    assert sanitize_har.check_clean(clean, p) == []


def test_response_bodies_are_dropped_and_every_entry_kept_in_order() -> None:
    raw = _har()
    clean, _ = sanitize_har.sanitize(raw, "test")
    assert len(clean["log"]["entries"]) == len(raw["log"]["entries"])
    assert all("text" not in e["response"]["content"] for e in clean["log"]["entries"])
    assert clean["log"]["entries"][0]["serverIPAddress"] == "157.240.1.35"
    lines = sanitize_har.dump(clean).splitlines()
    assert json.loads(lines[1].rstrip(","))["request"]["url"] == clean["log"]["entries"][0]["request"]["url"]


def test_the_same_input_gives_the_same_output() -> None:
    assert sanitize_har.dump(sanitize_har.sanitize(_har(), "x")[0]) == sanitize_har.dump(
        sanitize_har.sanitize(_har(), "x")[0]
    )
