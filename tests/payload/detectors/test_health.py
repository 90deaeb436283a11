"""Health, fitness and sensitive terms in requests (health.py): what is code or weather is no
health data, and health states in free words are found whichever SDK sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.model import DecodedRequest

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "requests"
JsonBody = Callable[..., DecodedRequest]
SENSITIVE = ("health.", "sensitive.")


def _terms(decoded: DecodedRequest) -> dict[str, str]:
    """Location (after the last colon) -> data type, for every counted term."""
    return {
        d.location.rsplit(":", 1)[1]: d.data_type
        for d in detect_generic(decoded)
        if d.data_type.startswith(SENSITIVE) and d.confidence == "likely"
    }


def test_method_names_in_a_bugsnag_thread_dump_are_no_fitness_data() -> None:
    """ReportHAR android first run, entry 16: Bugsnag sends every thread's stack; the method
    java.lang.Daemons$FinalizerWatchdogDaemon.sleepUntilNeeded beside app.duration was "sleep"."""
    [obs] = open_inputs([str(REQUESTS / "bugsnag-notify-thread-stacktraces.har")])
    found = analyze(obs)
    assert [d for d in found if d.data_type.startswith(SENSITIVE)] == []
    assert "diagnostics.crash" in {d.data_type for d in found}


@pytest.mark.parametrize(
    "text",
    [
        "InterruptedException at java.lang.Thread.sleep(Native Method) after 8 hours",
        'Traceback:\n  File "/app/heart.py", line 3, in sleep_log\nValueError: duration',
        "Failed in SystemClock.sleep( during 8 hours",
        "crash in HeartRateMonitor.kt:120 after launch",
        "com.example.sleep.tracker.SleepQualityWorker failed",
    ],
)
def test_code_inside_a_text_is_no_health_data(json_body: JsonBody, text: str) -> None:
    assert _terms(json_body({"message": text, "duration": 8})) == {}


def test_prose_and_dotted_urls_keep_their_words(json_body: JsonBody) -> None:
    decoded = json_body(
        {"note": "sleep quality. poor", "page": "https://shop.example/conditions/diabetes.html", "ev": "symptom.logged"}
    )
    assert set(_terms(decoded)) == {"note", "page", "ev"}


def test_frame_fields_are_not_read_but_exception_messages_are(json_body: JsonBody) -> None:
    decoded = json_body(
        {
            "exception": {
                "values": [
                    {
                        "value": "could not save the migraine entry",
                        "stacktrace": {"frames": [{"function": "logMigraine", "module": "diabetes_sync"}]},
                    }
                ]
            }
        }
    )
    assert _terms(decoded) == {"exception.values[0].value": "health.health"}


def test_weather_readings_are_no_health_data(json_body: JsonBody) -> None:
    decoded = json_body(
        {
            "weather": {"temperature": 21.5, "humidity": 60, "pressure": 1013, "condition": "cloudy"},
            "symptom": "migraine",
        }
    )
    assert _terms(decoded) == {"symptom": "health.health"}  # migraine vouches for nothing in the forecast


def test_device_sensor_readings_are_no_health_data(json_body: JsonBody) -> None:
    assert _terms(json_body({"battery": {"temperature": 31, "level": 80}, "fever_log": "none"})) == {
        "fever_log": "health.health"
    }


def test_a_body_temperature_is(json_body: JsonBody) -> None:
    assert _terms(json_body({"temperature": 37.9, "fever": True})) == {
        "temperature": "health.health",
        "fever": "health.health",
    }


def test_an_abbreviation_key_holding_a_flag_needs_company() -> None:
    """pagexray expressen: research-int.se's TrafficCollector sends mst=0 ("MST" is French for STI)."""
    page = "https://trafficgateway.research-int.se/TrafficCollector?rnr=1215981&cp=%2Fettanettan%2F&mst=0&wh=1200"
    obs = Observation("c#1", "c", 1, "http", "GET", "https", "trafficgateway.research-int.se", 443, page[38:])
    assert [d for d in analyze(obs) if d.data_type.startswith(SENSITIVE)] == []


@pytest.mark.parametrize(("document", "key"), [({"hiv": "positive"}, "hiv"), ({"bmi": 22.5}, "bmi")])
def test_an_abbreviation_key_with_a_value_counts(json_body: JsonBody, document: dict[str, object], key: str) -> None:
    assert key in _terms(json_body(document))


# The same health states, as each SDK sends them: the generic term detector reads every body.
_STATES = {"event": "PeriodStart", "properties": {"mood": "depressed", "note": "period_start"}}
_SENDERS = [
    ("api.mixpanel.com", "/track", "form", lambda d: "data=" + quote(json.dumps(d))),
    (
        "api2.amplitude.com",
        "/2/httpapi",
        "json",
        lambda d: json.dumps({"events": [{"event_type": d["event"], "event_properties": d["properties"]}]}),
    ),
    ("api.segment.io", "/v1/track", "json", json.dumps),
    (
        "graph.facebook.com",
        "/v14.0/1/activities",
        "form",
        lambda d: "custom_events=" + quote(json.dumps([{"_eventName": d["event"], **d["properties"]}])),
    ),
    (
        "inapps.appsflyer.com",
        "/api/v6.9/androidevent",
        "json",
        lambda d: json.dumps({"eventName": d["event"], "eventValue": json.dumps(d["properties"])}),
    ),
    (
        "wzrkt.com",
        "/a1",
        "json",
        lambda d: json.dumps([{"type": "event", "evtName": d["event"], "evtData": d["properties"]}]),
    ),
    ("collector.example", "/e", "json", json.dumps),
]


@pytest.mark.parametrize(("host", "path", "kind", "body"), _SENDERS)
def test_health_states_in_free_words_are_found_for_every_sdk(
    host: str, path: str, kind: str, body: Callable[[dict[str, object]], str]
) -> None:
    content_type = "application/x-www-form-urlencoded" if kind == "form" else "application/json"
    obs = Observation(
        "c#1",
        "c",
        1,
        "http",
        "POST",
        "https",
        host,
        443,
        path,
        (("Content-Type", content_type),),
        body(_STATES).encode(),
    )
    health = {d.excerpt for d in analyze(obs) if d.data_type == "health.health"}
    assert {"period start", "depressed"} <= health, host


@pytest.mark.parametrize(
    "document",
    [
        {"period": "monthly", "plan": "pro"},
        {"current_period_start": 1700000000, "current_period_end": 1702600000},
        {"style": {"font_weight": 700}},
        {"reaction": "❤️", "emoji": "red_heart"},
        {"mood": "chill", "playlist": "Evening"},
        {"button": "depressed", "state": "active"},
    ],
)
def test_decoys_stay_quiet(json_body: JsonBody, document: dict[str, object]) -> None:
    assert _terms(json_body(document)) == {}


@pytest.mark.parametrize("n", [12, 148])
def test_a_news_home_pages_topic_index_says_nothing_of_the_reader(
    external: Callable[[str, int], Observation], n: int
) -> None:
    """pagexray nytimes, requests 12 (nytimes adx keywords) and 148 (Krux _kpa_keywords2): the
    home page's 94 topics, "Race and Ethnicity" and "Islamic State" among them."""
    assert [d for d in analyze(external("pagexray-nytimes", n)) if d.data_type.startswith(SENSITIVE)] == []


def test_a_short_keyword_list_is_read(json_body: JsonBody) -> None:
    assert _terms(json_body({"keywords": "diabetes, insulin pumps, glucose meters"})) == {"keywords": "health.health"}
