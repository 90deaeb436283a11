"""Write a large synthetic mitmproxy flow file for the benchmark.

Why synthetic: the real captures in tests/data/realworld hold a handful of
flows, far too few to measure throughput or to see whether memory grows
with the length of a capture. This script builds as many flows as asked with
mitmproxy's own public API (``Request.make``, ``Response.make``, connection
objects, ``mitmproxy.io.FlowWriter``), so the file is exactly what a real
``mitmdump -w`` would hold, shaped like an app's traffic: mostly first-party
API calls, then trackers with bodies modelled on what their SDKs send (form
fields holding JSON, gzip'd envelopes, gzip'd binary without a
Content-Encoding header, secrets in headers and query strings), then CDNs,
browser/platform noise, hosts no catalog knows, and a little plain HTTP.

The only personal data is the documented test user of
tests/data/realworld/README.md, so the bench exercises the detectors on
realistic values without ever holding anyone's real data.

Output is deterministic for a given ``--flows`` and ``--seed`` (every id,
timestamp and byte comes from one seeded generator), so cached captures can
be reused and results compared across machines. A declaration
(``flowaudit.yml``) is written next to the capture: it declares the first
party and some of the trackers, so the audit walks both the declared and the
undeclared paths.

Usage: python bench/make_capture.py OUT.mitm --flows 100000 [--seed N]
"""

from __future__ import annotations

import argparse
import base64
import bisect
import gzip
import itertools
import json
import os
import random
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mitmproxy import connection, flow, http
from mitmproxy.io import FlowWriter

# The test user of tests/data/realworld/README.md: the only "personal" data.
USER_ID = "user-4242"
EMAIL = "jane.doe@example.com"
NAME = "Jane Doe"
CONDITION = "type 2 diabetes"
GLUCOSE_MG_DL = 182
# Google's documented sample advertising id (also the docs/contract.md example).
ADVERTISING_ID = "38400000-8cf0-11bd-b23e-10b96e40000d"

APP_PACKAGE = "com.acmehealth.app"
APP_UA = "AcmeHealth/3.2.1 (Linux; Android 14; Pixel 8) okhttp/4.12.0"
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
START_TIME = 1_795_000_000.0  # fixed, so the output does not depend on the clock

MIN_BODY = 200
MAX_BODY = 20_000

DECLARATION = f"""\
# Written by bench/make_capture.py for the benchmark: declares the first
# party and some of the trackers in the synthetic capture, so the audit
# exercises declared and undeclared recipients alike.
app: Acme Health (benchmark)
first_party: [acmehealth.example]
audience: general
recipients:
  - entity: Mixpanel
    role: processor
    data: [identifiers.user_id, usage]
  - entity: Sentry
    role: processor
    data: [diagnostics, identifiers.user_id]
  - entity: Amplitude
    role: processor
    data: [usage, identifiers]
  - entity: Example Metrics
    domains: [metrics.example.net]
    data: [usage]
canaries:
  email: {EMAIL}
  name: {NAME}
  advertising_id: {ADVERTISING_ID}
  custom: {{condition: "{CONDITION}"}}
consent:
  required_for: [advertising, analytics, attribution, social]
"""

WORDS = (
    "reading glucose meal insulin dose walk sleep note morning evening before after "
    "fasting carbs protein steps heart rate trend chart week month target range low "
    "high sensor device sync profile settings reminder goal streak share export"
).split()


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, before it becomes a mitmproxy flow."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""
    status: int = 200
    response_headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    response_body: bytes = b'{"status":"ok"}'


class Traffic:
    """Draws exchanges from a seeded generator; one method per kind of traffic."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Pools sliced at random offsets: building every body from scratch
        # would make generation, not the audit, the slow part.
        self.text_pool = " ".join(rng.choice(WORDS) for _ in range(60_000))
        self.binary_pool = rng.randbytes(1 << 17)
        self.now = START_TIME
        self.session_id = self.uuid()
        self.device_id = self.uuid()
        self.firebase_instance = self.rng.randbytes(16).hex()
        self.kinds: list[tuple[float, Callable[[], Exchange]]] = [
            # first party, ~50%
            (30, self.acme_api_get),
            (12, self.acme_api_post),
            (8, self.acme_cdn),
            # trackers, ~30%
            (5, self.mixpanel),
            (4, self.segment),
            (3, self.sentry),
            (4, self.facebook),
            (4, self.firebase),
            (3, self.appsflyer),
            (4, self.amplitude),
            (3, self.ga4),
            # CDN and hosting, ~15%
            (5, self.google_fonts),
            (5, self.jsdelivr),
            (5, self.cloudfront),
            # platform noise and hosts no catalog knows, ~5%
            (2, self.chromium_platform),
            (3, self.unknown_host),
        ]
        self.cumulative = list(itertools.accumulate(w for w, _ in self.kinds))

    # -- helpers --------------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def size(self) -> int:
        """A body size, log-uniform over 200 B - 20 KB: many small, some large."""
        return int(MIN_BODY * (MAX_BODY / MIN_BODY) ** self.rng.random())

    def text(self, n: int) -> str:
        start = self.rng.randrange(len(self.text_pool) - n) if n < len(self.text_pool) else 0
        return self.text_pool[start : start + n]

    def binary(self, n: int) -> bytes:
        start = self.rng.randrange(len(self.binary_pool) - n)
        return self.binary_pool[start : start + n]

    def ms(self) -> int:
        return int(self.now * 1000)

    def events_until(self, size: int, make_event: Callable[[int], dict]) -> list[dict]:
        """Events batched the way SDKs batch them, until the JSON reaches `size`."""
        events: list[dict] = []
        length = 2
        while not events or length < size:
            event = make_event(len(events))
            events.append(event)
            length += len(json.dumps(event, separators=(",", ":"))) + 1
        return events

    def next_exchange(self) -> Exchange:
        self.now += self.rng.expovariate(4.0)  # ~4 requests a second
        roll = self.rng.random() * self.cumulative[-1]
        return self.kinds[bisect.bisect_right(self.cumulative, roll)][1]()

    # -- first party ----------------------------------------------------------

    def acme_api_get(self) -> Exchange:
        resource = self.rng.choice(["readings", "meals", "reminders", "insights"])
        query = urllib.parse.urlencode(
            {"user": USER_ID, "from": int(self.now) - 86_400 * 7, "limit": self.rng.choice([20, 50, 100])}
        )
        items = self.events_until(
            self.size(),
            lambda i: {
                "id": f"{resource[:-1]}-{i}",
                "glucose_mg_dl": self.rng.randint(70, 240),
                "note": self.text(self.rng.randint(10, 60)),
                "ts": int(self.now) - i * 3600,
            },
        )
        body = json.dumps({"user_id": USER_ID, resource: items}).encode()
        gzipped = self.rng.random() < 0.4
        return Exchange(
            "GET",
            f"https://api.acmehealth.example/v2/{resource}?{query}",
            {"user-agent": APP_UA, "accept": "application/json", "authorization": f"Bearer {self.rng.randbytes(24).hex()}"},
            response_headers={"content-type": "application/json", **({"content-encoding": "gzip"} if gzipped else {})},
            response_body=body,
        )

    def acme_api_post(self) -> Exchange:
        reading = {
            "user_id": USER_ID,
            "email": EMAIL,
            "condition": CONDITION,
            "glucose_mg_dl": GLUCOSE_MG_DL,
            "measured_at": int(self.now),
            "notes": self.text(self.size()),
        }
        headers = {"user-agent": APP_UA, "content-type": "application/json"}
        if self.rng.random() < 0.3:
            headers["content-encoding"] = "gzip"  # encoded by mitmproxy's content setter
        return Exchange(
            "POST",
            "https://api.acmehealth.example/v2/readings",
            headers,
            json.dumps(reading).encode(),
            201,
            response_body=json.dumps({"id": self.uuid(), "stored": True}).encode(),
        )

    def acme_cdn(self) -> Exchange:
        asset, ctype = self.rng.choice(
            [("img/chart-bg.png", "image/png"), ("img/avatar-default.webp", "image/webp"), ("static/app.js", "text/javascript")]
        )
        body = self.binary(self.size()) if ctype.startswith("image") else self.text(self.size()).encode()
        return Exchange(
            "GET",
            f"https://cdn.acmehealth.example/{asset}?v={self.rng.randint(100, 999)}",
            {"user-agent": APP_UA, "accept": "*/*"},
            response_headers={"content-type": ctype, "cache-control": "max-age=31536000"},
            response_body=body,
        )

    # -- trackers -------------------------------------------------------------

    def tracked_properties(self, i: int) -> dict:
        props: dict = {"screen": self.rng.choice(["Home", "LogReading", "Insights"]), "seq": i}
        if self.rng.random() < 0.3:
            props["condition"] = CONDITION
        if self.rng.random() < 0.2:
            props["glucose_mg_dl"] = GLUCOSE_MG_DL
        return props

    def form_size(self) -> int:
        """A JSON size that stays within MAX_BODY once URL-encoded into a form (~1.5x)."""
        return self.size() * 2 // 3

    def mixpanel(self) -> Exchange:
        token = "0123456789abcdef0123456789abcdef"
        events = self.events_until(
            self.form_size(),
            lambda i: {
                "event": self.rng.choice(["Reading Logged", "Screen Viewed", "$mp_web_page_view"]),
                "properties": {
                    "token": token,
                    "distinct_id": USER_ID,
                    "$device_id": self.device_id,
                    "$insert_id": self.rng.randbytes(16).hex(),
                    "time": self.ms(),
                    "$current_url": "https://app.acmehealth.example/readings",
                    **self.tracked_properties(i),
                    **({"$email": EMAIL} if i == 0 else {}),
                },
            },
        )
        body = urllib.parse.urlencode({"data": json.dumps(events)}).encode()
        endpoint = self.rng.choice(["track", "engage"])
        return Exchange(
            "POST",
            f"https://api-js.mixpanel.com/{endpoint}/?verbose=1&ip=1&_={self.ms()}",
            {"user-agent": BROWSER_UA, "content-type": "application/x-www-form-urlencoded", "origin": "https://app.acmehealth.example"},
            body,
            response_body=b'{"status": 1, "error": null}',
        )

    def segment(self) -> Exchange:
        write_key = "SEGMENTwriteKEY0123456789abcdef"
        batch = self.events_until(
            self.size(),
            lambda i: {
                "type": "track" if i else "identify",
                "event": "Reading Logged",
                "userId": USER_ID,
                "messageId": self.uuid(),
                "timestamp": f"2026-11-19T10:{i % 60:02d}:00.000Z",
                "properties": self.tracked_properties(i),
                "traits": {"email": EMAIL, "name": NAME} if i == 0 else {},
                "context": {"library": {"name": "analytics-kotlin", "version": "1.16.0"}, "device": {"id": self.device_id}},
            },
        )
        return Exchange(
            "POST",
            "https://api.segment.io/v1/batch",
            {
                "user-agent": APP_UA,
                "content-type": "application/json",
                "authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode(),
            },
            json.dumps({"batch": batch, "sentAt": "2026-11-19T10:00:00.000Z"}).encode(),
            response_body=b'{"success":true}',
        )

    def sentry(self) -> Exchange:
        frames = self.events_until(
            self.size(),
            lambda i: {
                "filename": f"com/acmehealth/app/ui/Screen{i}.kt",
                "function": self.rng.choice(["onCreate", "render", "syncReadings"]),
                "lineno": self.rng.randint(1, 900),
                "context_line": self.text(60),
            },
        )
        event_id = self.rng.randbytes(16).hex()
        event = {
            "event_id": event_id,
            "platform": "java",
            "user": {"id": USER_ID, "email": EMAIL},
            "contexts": {"patient": {"condition": CONDITION}},
            "exception": {"values": [{"type": "IllegalStateException", "stacktrace": {"frames": frames}}]},
        }
        envelope = "\n".join(
            [
                json.dumps({"event_id": event_id, "sent_at": "2026-11-19T10:00:00Z"}),
                json.dumps({"type": "event", "content_type": "application/json"}),
                json.dumps(event),
            ]
        )
        key = "0123456789abcdef0123456789abcdef"
        return Exchange(
            "POST",
            "https://o123456.ingest.us.sentry.io/api/4501234567890/envelope/",
            {
                "user-agent": "sentry.java.android/7.8.0",
                "content-type": "application/x-sentry-envelope",
                "content-encoding": "gzip",
                "x-sentry-auth": f"Sentry sentry_key={key}, sentry_version=7, sentry_client=sentry.java.android/7.8.0",
            },
            envelope.encode(),
            response_body=json.dumps({"id": event_id}).encode(),
        )

    def facebook(self) -> Exchange:
        custom_events = self.events_until(
            self.form_size(),
            lambda i: {
                "_eventName": self.rng.choice(["fb_mobile_content_view", "fb_mobile_activate_app", "LoggedReading"]),
                "_logTime": int(self.now) + i,
                "_ui": "LogReadingActivity",
                **self.tracked_properties(i),
            },
        )
        form = {
            "format": "json",
            "event": "CUSTOM_APP_EVENTS",
            "advertiser_id": ADVERTISING_ID,
            "advertiser_tracking_enabled": self.rng.choice(["1", "1", "1", "0"]),
            "application_tracking_enabled": "1",
            "anon_id": f"XZ{self.device_id}",
            "application_package_name": APP_PACKAGE,
            "custom_events": json.dumps(custom_events),
            "extinfo": json.dumps(["a2", APP_PACKAGE, 321, "3.2.1", "14", "Pixel 8", "en_US", "GMT", "", 1080, 2400]),
        }
        return Exchange(
            "POST",
            "https://graph.facebook.com/v17.0/1234567890123456/activities",
            {"user-agent": f"FBAndroidSDK.17.0.0 {APP_UA}", "content-type": "application/x-www-form-urlencoded"},
            urllib.parse.urlencode(form).encode(),
            response_body=b'{"success":true}',
        )

    def firebase(self) -> Exchange:
        """gzip'd protobuf with no Content-Encoding header: exercises sniffing."""
        target = self.size()
        chunks: list[bytes] = []
        length = 0
        while length < target:
            name = self.rng.choice(["screen_view", "_e", "_s", "log_reading"])
            params = _pb_bytes(1, b"_sn") + _pb_bytes(2, b"LogReading")
            if self.rng.random() < 0.3:
                params += _pb_bytes(1, b"condition") + _pb_bytes(2, CONDITION.encode())
            event = _pb_bytes(2, params) + _pb_bytes(3, name.encode()) + _pb_varint_field(4, self.ms())
            chunks.append(_pb_bytes(2, event))
            length += len(chunks[-1])
        bundle = (
            _pb_varint_field(1, 1)
            + b"".join(chunks)
            + _pb_bytes(14, APP_PACKAGE.encode())
            + _pb_bytes(21, self.firebase_instance.encode())
            + _pb_bytes(19, ADVERTISING_ID.encode())
        )
        return Exchange(
            "POST",
            "https://app-measurement.com/a",
            {"user-agent": "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8)", "content-type": "application/x-www-form-urlencoded"},
            gzip.compress(_pb_bytes(1, bundle), mtime=0),
            204,
            response_headers={},
            response_body=b"",
        )

    def appsflyer(self) -> Exchange:
        event = {
            "advertiserId": ADVERTISING_ID,
            "customer_user_id": USER_ID,
            "eventName": self.rng.choice(["af_content_view", "af_complete_registration", "af_login"]),
            "eventValue": json.dumps(self.tracked_properties(0)),
            "af_timestamp": str(self.ms()),
            "uid": f"{self.ms()}-{self.rng.getrandbits(60)}",
            "brand": "google",
            "model": "Pixel 8",
            "deviceData": {"arch": "aarch64", "build_display_id": self.text(self.size() // 2)},
        }
        return Exchange(
            "POST",
            f"https://inapps.appsflyer.com/api/v6.12/androidevent?app_id={APP_PACKAGE}&buildnumber=6.12.2",
            {"user-agent": APP_UA, "content-type": "application/json"},
            json.dumps(event).encode(),
            response_body=b"ok",
            response_headers={"content-type": "text/plain"},
        )

    def amplitude(self) -> Exchange:
        events = self.events_until(
            self.size(),
            lambda i: {
                "user_id": USER_ID,
                "device_id": self.device_id,
                "event_type": self.rng.choice(["Reading Logged", "Screen Viewed"]),
                "time": self.ms() + i,
                "insert_id": self.uuid(),
                "event_properties": self.tracked_properties(i),
                "user_properties": {"email": EMAIL} if i == 0 else {},
            },
        )
        return Exchange(
            "POST",
            "https://api2.amplitude.com/2/httpapi",
            {"user-agent": APP_UA, "content-type": "application/json"},
            json.dumps({"api_key": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "events": events}).encode(),
            response_body=json.dumps({"code": 200, "events_ingested": len(events)}).encode(),
        )

    def ga4(self) -> Exchange:
        query = urllib.parse.urlencode(
            {
                "v": "2",
                "tid": "G-ACME123456",
                "cid": f"{self.rng.getrandbits(31)}.{int(START_TIME)}",
                "uid": USER_ID,
                "ul": "en-us",
                "sr": "1920x1080",
                "dl": "https://app.acmehealth.example/readings?condition=type+2+diabetes",
                "dt": "My readings",
                "gcs": self.rng.choice(["G111", "G111", "G100"]),
                "_p": str(self.ms()),
            }
        )
        target = self.size()
        lines: list[str] = []
        while sum(len(x) + 2 for x in lines) < target:
            lines.append(
                urllib.parse.urlencode(
                    {"en": self.rng.choice(["page_view", "scroll", "user_engagement"]), "_et": self.rng.randint(1, 9000), "epn.percent_scrolled": 90}
                )
            )
        return Exchange(
            "POST",
            f"https://region1.google-analytics.com/g/collect?{query}",
            {"user-agent": BROWSER_UA, "content-type": "text/plain;charset=UTF-8", "origin": "https://app.acmehealth.example"},
            "\r\n".join(lines).encode(),
            204,
            response_headers={},
            response_body=b"",
        )

    # -- CDN and hosting ------------------------------------------------------

    def google_fonts(self) -> Exchange:
        if self.rng.random() < 0.3:
            return Exchange(
                "GET",
                "https://fonts.googleapis.com/css2?family=Roboto:wght@400;700&display=swap",
                {"user-agent": BROWSER_UA, "accept": "text/css,*/*;q=0.1"},
                response_headers={"content-type": "text/css; charset=utf-8", "content-encoding": "gzip"},
                response_body=self.text(self.size()).encode(),
            )
        return Exchange(
            "GET",
            f"https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu{self.rng.randint(0, 99)}.woff2",
            {"user-agent": BROWSER_UA, "accept": "*/*", "referer": "https://app.acmehealth.example/"},
            response_headers={"content-type": "font/woff2"},
            response_body=self.binary(self.size()),
        )

    def jsdelivr(self) -> Exchange:
        package = self.rng.choice(["chart.js@4.4.0/dist/chart.umd.min.js", "dayjs@1.11.10/dayjs.min.js"])
        return Exchange(
            "GET",
            f"https://cdn.jsdelivr.net/npm/{package}",
            {"user-agent": BROWSER_UA, "accept": "*/*", "referer": "https://app.acmehealth.example/"},
            response_headers={"content-type": "application/javascript; charset=utf-8", "content-encoding": "gzip"},
            response_body=self.text(self.size()).encode(),
        )

    def cloudfront(self) -> Exchange:
        distribution = self.rng.choice(["d1a2b3c4d5e6f7", "d3k9x8w7v6u5t4"])
        return Exchange(
            "GET",
            f"https://{distribution}.cloudfront.net/images/{self.rng.randbytes(8).hex()}.jpg",
            {"user-agent": APP_UA, "accept": "image/*"},
            response_headers={"content-type": "image/jpeg", "x-cache": "Hit from cloudfront"},
            response_body=self.binary(self.size()),
        )

    # -- platform and unknown -------------------------------------------------

    def chromium_platform(self) -> Exchange:
        cup2 = f"cup2key=ML-DSA-44-10:{self.rng.randbytes(24).hex()}&cup2hreq={self.rng.randbytes(32).hex()}"
        if self.rng.random() < 0.5:
            return Exchange(
                "GET",
                f"https://clients2.google.com/time/1/current?{cup2}",
                {"user-agent": BROWSER_UA},
                response_body=b'{"current_time_millis":1795000000000}',
            )
        request = {"request": {"@os": "linux", "@updater": "chromium", "apps": [{"appid": "ceofaddefefcbblgcgnibnonglccbfja", "version": "0.0.0.0"}]}}
        return Exchange(
            "POST",
            f"https://update.googleapis.com/service/update2/json?{cup2}",
            {"user-agent": BROWSER_UA, "content-type": "application/json", "x-goog-update-updater": "chromium-124.0.6367.60"},
            json.dumps(request).encode(),
            response_body=self.text(self.size()).encode(),
        )

    def unknown_host(self) -> Exchange:
        host = self.rng.choice(["metrics.example.net", "telemetry.widgetvendor.example", "api.weatherwidget.example"])
        payload = {"device": self.device_id, "user": USER_ID, "blob": self.text(self.size())}
        return Exchange(
            "POST",
            f"https://{host}/v1/collect",
            {"user-agent": APP_UA, "content-type": "application/json"},
            json.dumps(payload).encode(),
        )


def _pb_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pb_varint_field(number: int, value: int) -> bytes:
    return _pb_varint(number << 3) + _pb_varint(value)


def _pb_bytes(number: int, value: bytes) -> bytes:
    return _pb_varint(number << 3 | 2) + _pb_varint(len(value)) + value


class FlowBuilder:
    """Turns exchanges into mitmproxy HTTPFlows, reusing connections like a client does."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.connections: dict[tuple[str, str], tuple[connection.Client, connection.Server]] = {}
        self.next_port = 40_000

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _connections(self, scheme: str, host: str, port: int, now: float) -> tuple[connection.Client, connection.Server]:
        key = (scheme, host)
        # keep-alive: most requests reuse the open connection to their host
        if key in self.connections and self.rng.random() < 0.8:
            return self.connections[key]
        tls = scheme == "https"
        self.next_port = 40_000 + (self.next_port - 40_000 + 1) % 20_000
        client = connection.Client(
            id=self._uuid(),
            peername=("10.0.2.16", self.next_port),
            sockname=("10.0.2.2", 8080),
            timestamp_start=now,
            timestamp_tls_setup=now + 0.01 if tls else None,
            tls=tls,
            sni=host if tls else None,
            tls_version="TLSv1.3" if tls else None,
            cipher="TLS_AES_128_GCM_SHA256" if tls else None,
            alpn=b"http/1.1" if tls else None,
        )
        server = connection.Server(
            id=self._uuid(),
            address=(host, port),
            peername=(f"192.0.2.{self.rng.randint(1, 254)}", port),
            timestamp_start=now,
            timestamp_tcp_setup=now + 0.005,
            timestamp_tls_setup=now + 0.02 if tls else None,
            tls=tls,
            sni=host if tls else None,
            tls_version="TLSv1.3" if tls else None,
        )
        self.connections[key] = (client, server)
        return client, server

    def build(self, exchange: Exchange, now: float) -> http.HTTPFlow:
        url = exchange.url
        if self.rng.random() < 0.01:  # a little plain HTTP: the cleartext paths
            url = "http://" + url.removeprefix("https://")
        request = http.Request.make(exchange.method, url, headers=exchange.headers)
        if request.scheme == "http" or self.rng.random() < 0.7:
            request.headers.insert(0, "host", request.host)
        else:
            request.http_version = "HTTP/2.0"
            request.authority = request.host
        request.content = exchange.body  # encoded per content-encoding, sets content-length
        if not exchange.body and exchange.method == "GET":
            del request.headers["content-length"]
        request.timestamp_start = now
        request.timestamp_end = now + 0.002

        client, server = self._connections(request.scheme, request.host, request.port, now)
        f = http.HTTPFlow(client, server)
        f.id = self._uuid()
        f.timestamp_created = now
        f.request = request
        if self.rng.random() < 0.005:  # the server went away: request without answer
            f.error = flow.Error("Server disconnected.", now + 0.5)
            return f
        response = http.Response.make(exchange.status, headers=exchange.response_headers)
        response.http_version = request.http_version
        response.content = exchange.response_body
        response.timestamp_start = now + 0.05
        response.timestamp_end = now + 0.06
        f.response = response
        return f


def write_capture(out: Path, flows: int, seed: int) -> Path:
    """Write `flows` flows to `out` and the declaration next to it; return the declaration's path."""
    rng = random.Random(seed)
    traffic = Traffic(rng)
    builder = FlowBuilder(rng)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as fh:
        writer = FlowWriter(fh)
        for _ in range(flows):
            exchange = traffic.next_exchange()
            writer.add(builder.build(exchange, traffic.now))
    os.replace(partial, out)  # a crash never leaves a short file that looks cached
    declaration = out.parent / "flowaudit.yml"
    declaration.write_text(DECLARATION, encoding="utf-8")
    return declaration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the .mitm file to write (flowaudit.yml goes next to it)")
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.flows < 1:
        parser.error("--flows must be at least 1")
    declaration = write_capture(args.out, args.flows, args.seed)
    print(f"wrote {args.flows} flows to {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB), declaration {declaration}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
