"""Issue 3's Done-when on the real captures: decode, canaries, adapters and generic
detectors together, with and without ``jane.doe@example.com`` declared as a canary."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from flowaudit.declaration.model import Canaries
from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze, analyze_decoded, worth_keeping
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.decode import DecodeLimits, decode_request
from flowaudit.payload.model import Detection

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
EMAIL_CANARY = CanaryMatcher(Canaries(email="jane.doe@example.com"))
_OTHER = "someone.else@example.org"
CAPTURES = ["sdk/mixpanel", "sdk/segment", "sdk/sentry", "browser/mixpanel"]


def detections(capture: str, matcher: CanaryMatcher | None) -> list[Detection]:
    found: list[Detection] = []
    for obs in open_inputs([str(REALWORLD / capture / "flows.mitm")]):
        found.extend(analyze(obs, matcher))
    return found


@pytest.mark.parametrize("capture", CAPTURES)
def test_email_user_id_and_health_with_the_email_canary(capture: str) -> None:
    found = detections(capture, EMAIL_CANARY)
    emails = [d for d in found if d.data_type == "contact.email"]
    assert any(d.confidence == "certain" and d.detector == "canary" for d in emails)
    assert all(d.location and d.decoding for d in emails)  # the JSON path and the decoding chain
    assert any(d.data_type == "identifiers.user_id" and d.confidence == "certain" for d in found)
    health = [d for d in found if d.data_type == "health.health"]
    assert health and all(d.decoding[-1] == "json" for d in health)


@pytest.mark.parametrize("capture", CAPTURES)
def test_email_and_health_still_found_without_canaries(capture: str) -> None:
    found = detections(capture, None)
    assert any(d.data_type == "contact.email" and d.confidence in ("certain", "likely") for d in found)
    assert any(d.data_type == "health.health" and d.confidence == "likely" for d in found)
    assert not any(d.detector == "canary" for d in found)


def test_sentry_brotli_envelope_chain() -> None:
    found = detections("sdk/sentry", EMAIL_CANARY)
    (user_email,) = [d for d in found if d.location.endswith("json:user.email") and d.detector == "canary"]
    assert user_email.decoding == ("br", "envelope", "json")


def test_one_detection_per_place_and_type_the_strongest() -> None:
    found = detections("sdk/mixpanel", EMAIL_CANARY)
    places = [(d.location, d.data_type) for d in found]
    assert len(places) == len(set(places))
    email_field = [d for d in found if d.location == "body > form:data > json:properties.$email"]
    assert [d.confidence for d in email_field] == ["certain"]


def test_credentials_are_not_reported_even_by_canaries() -> None:
    # Segment's write key rides in Authorization: Basic; no detection may point there.
    found = detections("sdk/segment", EMAIL_CANARY)
    assert not [d for d in found if "Authorization" in d.location or d.location.endswith("writeKey")]


# -- content too large to decode: the windows judge (worth_keeping) -----------------------------

_PEAK_SCRIPT = """
import sys
from flowaudit.declaration.model import Canaries
from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.canaries import CanaryMatcher

def status(field):
    return int([l for l in open("/proc/self/status") if l.startswith(field)][0].split()[1]) * 1024

matcher = CanaryMatcher(Canaries(email="jane.doe@example.com"))
body = open(sys.argv[1], "rb").read()
obs = Observation("x#1", "x", 1, "http", "POST", "https", "api.mixpanel.com", 443, "/track",
                  (("Content-Encoding", "gzip"),), body)
before = status("VmRSS:")
found = analyze(obs, matcher)
print(sorted({(d.detector, d.location) for d in found}), status("VmHWM:") - before)
"""


def test_a_canary_and_a_pair_past_junk_are_kept_and_found_where_they_are() -> None:
    """Decoys that look worth keeping (keys that name data, values that are no data) fill windows
    before the data; the judge keeps a window only for what no kept window shows, so the canary and
    the address after them are found: the canary in the window that holds it, the address at its path
    (the body is JSON, also read as a stream)."""
    limits = DecodeLimits(max_decoded_bytes=1 << 20, window=4096)
    decoys = ",".join(f'{{"email_hint": "x{i}", "diagnosis": "none {i}"}}' for i in range(60_000))
    text = f'{{"rows": [{decoys}], "user": "jane.doe@example.com", "contact": {{"email": "{_OTHER}"}}}}'
    body = gzip.compress(text.encode())
    obs = Observation("x#1", "x", 1, "http", "POST", "https", "api.mixpanel.com", 443, "/track", (), body)
    decoded = decode_request(obs, limits, keep=worth_keeping(EMAIL_CANARY))
    assert len(decoded.layers) < 10  # not one per decoy window: 700 of them
    found = analyze_decoded(decoded, obs.host, obs.path, EMAIL_CANARY)
    emails = [d for d in found if d.data_type == "contact.email"]
    assert {d.detector for d in emails} == {"canary", "generic:email"}
    [address] = [d.location for d in emails if d.detector == "generic:email"]
    assert address == "body > gzip > streamed > json:contact.email"  # read as a stream: its true path
    windows = [d.location for d in emails if d.detector == "canary" and " > window:" in d.location]
    for window in windows:
        offset = int(window.rpartition(":")[2])
        assert offset <= text.index("jane.doe@example.com") < offset + 4096 + 256  # a reader finds it there
    assert windows


def test_a_padded_body_of_200_mib_is_read_whole_in_bounded_memory(tmp_path: Path) -> None:
    """200 MiB of white space inside a JSON event, gzip-compressed to about 200 KiB: every byte is
    scanned, the padding squeezed out, and the e-mail address at its end is found, while the peak
    memory stays a small fraction of the body."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    pieces = [packer.compress(b'{"event": "Signed up",')]
    pieces.extend(packer.compress(b" " * (1 << 20)) for _ in range(200))
    pieces.append(packer.compress(b'"properties": {"$email": "jane.doe@example.com"}}') + packer.flush())
    path = tmp_path / "padded.gz"
    path.write_bytes(b"".join(pieces))
    assert path.stat().st_size < 1 << 20
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True, text=True, timeout=300)
    found, _, grown = done.stdout.rpartition(" ")
    assert "('canary', 'body > gzip > unpadded > json:properties.$email')" in found, done.stderr
    assert int(grown) < 64 << 20, f"peak grew {int(grown) >> 20} MiB"


def _nested(rows: int) -> str:
    filler = ",".join(f'{{"i": {i}, "note": "reading {i % 97}"}}' for i in range(rows))
    data = '"user": {"id": "u-5f3a9c21", "name": "Jane Doe"}, "geo": {"lat": "52.5201", "lon": "13.4050"}'
    return f'{{"rows": [{filler}], {data}}}'


def _structure(found: list[Detection]) -> dict[str, str]:
    return {d.data_type: d.location for d in found if d.detector.startswith("generic:")}


def test_json_too_large_to_decode_is_read_by_path_so_siblings_and_parents_count() -> None:
    """A user's id is one only inside its user object, coordinates only as a pair: in windows,
    "id": "u-5f3a9c21" says nothing. Read as a stream, each value has its true path and object."""
    text = _nested(60_000)
    obs = Observation("x#1", "x", 1, "http", "POST", "https", "api.mixpanel.com", 443, "/track", (), text.encode())
    limits = DecodeLimits(max_body=1 << 20, max_decoded_bytes=1 << 20, window=4096)
    decoded = decode_request(obs, limits, keep=worth_keeping(None))
    assert _structure(analyze_decoded(decoded, obs.host, obs.path)) == {
        "identifiers.user_id": "body > streamed > json:user.id",
        "contact.name": "body > streamed > json:user.name",
        "location.precise": "body > streamed > json:geo.lat",
    }
    [problem] = [p.message for p in decoded.problems]
    assert "scanned in windows for canaries, key terms and JSON values by path" in problem


def test_values_past_the_value_bound_are_judged_so_junk_first_cannot_hide_data() -> None:
    """Junk values first use up the 10,000 values a request may hold; the rest of the JSON is read
    again as a stream, and what it shows that is new is kept where a whole decoding puts it."""
    text = _nested(6_000)
    obs = Observation("x#1", "x", 1, "http", "POST", "https", "api.mixpanel.com", 443, "/track", (), text.encode())
    decoded = decode_request(obs, keep=worth_keeping(None))
    assert _structure(analyze_decoded(decoded, obs.host, obs.path)) == {
        "identifiers.user_id": "body > json:user.id",
        "contact.name": "body > json:user.name",
        "location.precise": "body > json:geo.lat",
    }
    assert [p.message for p in decoded.problems] == [
        "more than 10000 values in this request: stopped at body > json:rows[4999].i",
        "the values past it read again as a stream and judged for data: 4 kept",
    ]
