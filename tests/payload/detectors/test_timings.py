"""Performance reports: page-load and request timings sent together (requestrules.Timings), on the
external corpus's real requests and built values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.detectors.requestrules import timing_name
from flowaudit.payload.model import DecodedRequest

External = Callable[[str, int], Observation]
JsonBody = Callable[..., DecodedRequest]


def _performance(found: list) -> list[str]:
    return [d.how for d in found if d.data_type == "diagnostics.performance" and d.confidence == "likely"]


@pytest.mark.parametrize(
    ("capture", "n"),
    [
        ("pagexray-nytimes", 148),  # Krux pixel.gif t_dns, t_tcp, t_content_ready, t_window_load
        ("pagexray-ferguson", 174),  # AppDynamics adrum beacon mx: PLT, FBT, DDT, DPT
        ("coach-ryanair", 180),  # Pingdom RUM beacon.gif: dLS, dLE, dCLES, lES, ... (initials)
    ],
)
def test_page_load_timings_together_are_a_performance_report(external: External, capture: str, n: int) -> None:
    assert len(_performance(analyze(external(capture, n)))) == 1


def test_numbers_in_a_timing_object_are_timings(json_body: JsonBody) -> None:
    """New Relic's perf={"timing": {"dl": 62, "di": 841, "dc": 2714}}: the object says what they are."""
    assert _performance(detect_generic(json_body({"perf": {"timing": {"dl": "62", "di": "841", "dc": "2714"}}})))
    assert not _performance(detect_generic(json_body({"perf": {"sizes": {"dl": "62", "di": "841", "dc": "2714"}}})))


def test_one_or_two_durations_are_no_report(json_body: JsonBody) -> None:
    assert not _performance(detect_generic(json_body({"duration": "12", "t_dns": "3", "count": "7"})))


@pytest.mark.parametrize(
    ("name", "timing"),
    [
        ("domComplete", True),
        ("t_dns", True),
        ("PLT", True),
        ("connect_latency", True),
        ("elapsedMs", True),
        ("type", False),
        ("dt", False),
        ("dCLES", True),  # domContentLoadedEventStart's initials
        ("cS", False),  # two initials could be anything
        ("total", False),
        ("tz", False),
    ],
)
def test_timing_names(name: str, timing: bool) -> None:
    assert timing_name(name) is timing


def test_a_request_to_a_timing_endpoint_is_a_performance_report(
    realworld: Callable[[str], list[Observation]],
) -> None:
    """Slack's client posts /beacon/timing?…&data=rtm_queue_length_max|count:1 (mitmproxy's diff_data.har, flow 5)."""
    [beacon] = [o for o in realworld("mitmproxy-testdata/flows/diff_data.har") if o.index == 5]
    assert _performance(analyze(beacon)) == ["sent to an endpoint named 'timing': a performance report"]


def test_an_endpoint_named_rum_is_no_performance_report(external: External) -> None:
    """healthexchange nevada, request 135: Index Exchange's dsum-sec.casalemedia.com/rum is a cookie sync."""
    assert _performance(analyze(external("healthexchange-nevada", 135))) == []


def test_two_web_vitals_are_a_report(json_body: JsonBody) -> None:
    """Assertive Yield's vitals {"FCP": 334, "TTFB": 83}: Web Vitals are page-load measurements by
    definition, so two of them suffice; one alone, or two ordinary durations, do not."""
    assert _performance(detect_generic(json_body({"vitals": {"FCP": "334", "TTFB": "83"}})))
    assert not _performance(detect_generic(json_body({"vitals": {"FCP": "334"}, "duration": "83"})))
    assert not _performance(detect_generic(json_body({"cls": "a-css-class", "fid": "c2f1e8a0-firebase"})))
