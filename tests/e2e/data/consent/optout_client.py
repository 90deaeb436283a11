"""An app's analytics code using Segment's Python SDK (PyPI
segment-analytics-python), run under `flowaudit record -- python optout_client.py MODE`.

The user is identified before any consent, grants consent, then withdraws it;
the phases are set through the proxy's marker URL (FLOWAUDIT_MARK_URL, set
by `flowaudit record`). On withdrawal the app opts out:

  module: sets the documented module setting `analytics.send = False`. The
          SDK read that setting when it created its client (on the first
          call), so events keep flowing: the bug the audit must catch.
  client: switches off the client actually in use; nothing is sent after.
"""

import os
import sys
import urllib.request

import segment.analytics as analytics

MODE = sys.argv[1]
USER = "user-4242"


def mark(name):
    with urllib.request.urlopen(os.environ["FLOWAUDIT_MARK_URL"] + name, timeout=30) as answer:
        answer.read()


analytics.write_key = "SEGMENT_WRITE_KEY_abc123"
analytics.sync_mode = True  # send inline, so each call is on the wire before the next step

analytics.identify(USER, {"email": "jane.doe@example.com", "name": "Jane Doe"})  # before consent
mark("consent-granted")
analytics.track(USER, "Symptom Logged", {"condition": "type 2 diabetes"})
mark("consent-withdrawn")
if MODE == "module":
    analytics.send = False
else:
    analytics.default_client.send = False
analytics.track(USER, "Screen Viewed", {"screen": "settings", "email": "jane.doe@example.com"})
analytics.flush()
print("done", MODE)
