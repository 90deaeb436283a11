"""Three independent real clients, as an app's test suite would run them under
`flowaudit record -- python clients.py`: curl, Python requests and Segment's
analytics SDK from PyPI. Each sends the test user of tests/data/realworld to
its own tracker host; nothing is told about the proxy but the environment
`flowaudit record` sets. Prints what it saw as one JSON line."""

import json
import os
import subprocess
import sys

import requests
import segment.analytics as analytics

USER = {"userId": "user-4242", "email": "jane.doe@example.com", "condition": "type 2 diabetes"}
seen = {
    name: os.environ.get(name)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "NO_PROXY",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        "FLOWAUDIT_MARK_URL",
    )
}

# curl: a Mixpanel-style form post, over HTTPS through the proxy (HTTPS_PROXY, CURL_CA_BUNDLE)
data = json.dumps({"event": "Symptom Logged", "properties": {"distinct_id": USER["userId"], "$email": USER["email"]}})
curl = subprocess.run(
    [
        "curl",
        "-sS",
        "--fail",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "https://api.mixpanel.com/track",
        "--data-urlencode",
        f"data={data}",
    ],
    capture_output=True,
    text=True,
)
seen["curl"] = curl.stdout or curl.stderr

# requests: a GA4 measurement-protocol hit (HTTPS_PROXY, REQUESTS_CA_BUNDLE)
ga = requests.post(
    "https://www.google-analytics.com/mp/collect",
    params={"measurement_id": "G-TEST1234", "api_secret": "secret-abc"},
    json={
        "client_id": "42.42",
        "user_id": USER["userId"],
        "events": [{"name": "symptom_logged", "params": {"condition": USER["condition"]}}],
    },
    timeout=30,
)
seen["requests"] = ga.status_code

# Segment's SDK, sending inline so the request is done when this returns
analytics.write_key = "SEGMENT_WRITE_KEY_abc123"
analytics.sync_mode = True
analytics.identify(USER["userId"], {"email": USER["email"], "name": "Jane Doe"})
analytics.track(USER["userId"], "Symptom Logged", {"condition": USER["condition"]})
analytics.flush()
seen["segment"] = "sent"

print(json.dumps(seen))
sys.exit(int(os.environ.get("CLIENTS_EXIT", "0")))
