"""Attempts: a host the app looked up or tried to connect to, and never
reached, still names its company (a row marked as only tried, never counted
as a request), an undeclared one at medium, and an ``attempted-contact``
finding per host with what the attempt was, when, and in which phase. Raw
connections that are not HTTP are uninspectable, like refused TLS."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.engine import Auditor
from flowaudit.model import Observation

from .conftest import obs

AT = 1_796_287_337.0
WHEN = "2026-12-03T08:42:17Z"


def tried(host: str, n: int, kind: str = "dns", error: str | None = "answered SERVFAIL") -> Observation:
    return Observation(
        ref=f"cap.mitm#{n}",
        source="cap.mitm",
        index=n,
        kind=kind,
        method="A" if kind == "dns" else "CONNECT",
        scheme=kind,
        host=host,
        port=0 if kind == "dns" else 443,
        path="",
        timestamp=AT,
        error=error,
    )


def test_a_tracker_only_tried_is_a_row_and_a_medium_undeclared_recipient(catalog, declare) -> None:
    auditor = Auditor(catalog, declare("app: Acme\nrecipients:\n  - entity: Segment\n"))
    auditor.add(tried("graph.facebook.com", 1))
    auditor.add(tried("graph.facebook.com", 2, "connect", "[Errno -3] Temporary failure in name resolution"))
    auditor.add(obs("https://api.segment.io/v1/t", n=3))
    result = auditor.result(())
    assert (result.flows, result.attempts) == (1, 2)
    meta = next(r for r in result.recipients if r.entity == "Meta")
    assert (meta.flows, meta.attempts, meta.reached, meta.hosts) == (0, 2, False, ("graph.facebook.com",))
    assert [e.request for e in meta.evidence] == ["DNS A graph.facebook.com", "CONNECT graph.facebook.com:443"]

    [undeclared] = [f for f in result.findings if f.rule == "undeclared-recipient"]
    assert (undeclared.entity, undeclared.severity, undeclared.hosts) == ("Meta", "medium", ("graph.facebook.com",))
    assert "was tried but never reached: 2 attempts" in undeclared.message
    [attempted] = [f for f in result.findings if f.rule == "attempted-contact"]
    assert (attempted.host, attempted.severity) == ("graph.facebook.com", "info")
    assert [(e.flow, e.how) for e in attempted.evidence] == [
        ("cap.mitm#1", f"tried to contact: looked up (answered SERVFAIL) · at {WHEN} · phase before-consent"),
        (
            "cap.mitm#2",
            "tried to contact: the connection could not be opened ([Errno -3] Temporary failure in name resolution)"
            " · at 2026-12-03T08:42:17Z · phase before-consent",
        ),
    ]
    assert attempted.message.endswith(f"First: {attempted.evidence[0].how}.")


def test_lookups_of_a_host_then_reached_are_counted_not_reported(catalog) -> None:
    auditor = Auditor(catalog, None)
    auditor.add(tried("graph.facebook.com", 1, error=None))
    auditor.add(obs("https://graph.facebook.com/v19.0/activities", n=2))
    result = auditor.result(())
    [meta] = result.recipients
    assert (meta.flows, meta.attempts, meta.reached) == (1, 1, True)
    assert "attempted-contact" not in {f.rule for f in result.findings}
    [undeclared] = [f for f in result.findings if f.rule == "undeclared-recipient"]
    assert undeclared.severity == "high"
    assert [e.flow for e in undeclared.evidence] == ["cap.mitm#2"]  # the request, not the lookup


def test_a_declared_recipient_only_tried_was_not_observed(catalog, declare) -> None:
    auditor = Auditor(catalog, declare("app: Acme\nrecipients:\n  - entity: Segment\n"))
    auditor.add(tried("api.segment.io", 1, "connect", "connection refused"))
    rules = {f.rule for f in auditor.result(()).findings}
    assert rules == {"declared-not-observed", "attempted-contact"}


def test_an_unknown_host_only_tried_is_an_attempt_not_an_unknown_third_party(catalog) -> None:
    auditor = Auditor(catalog, None)
    auditor.add(tried("telemetry.unknown-vendor.example", 1))
    assert [f.rule for f in auditor.result(()).findings] == ["attempted-contact"]


def test_the_platforms_own_lookups_are_not_the_apps(catalog) -> None:
    auditor = Auditor(catalog, None)
    auditor.add(tried("update.googleapis.com", 1))
    result = auditor.result(())
    assert not result.findings and not result.recipients
    assert result.platform[0].attempts == 1


def test_attempts_take_the_phase_in_force(catalog) -> None:
    auditor = Auditor(catalog, None)
    auditor.add(replace(tried("graph.facebook.com", 1), phase="consent-refused"))
    [attempted] = [f for f in auditor.result(()).findings if f.rule == "attempted-contact"]
    assert attempted.evidence[0].how.endswith("· phase consent-refused")


def test_a_raw_flow_that_is_not_http_is_uninspectable(catalog) -> None:
    raw = replace(tried("mqtt.example-iot.com", 1, "tcp", None), method="", port=8883, sni="mqtt.example-iot.com")
    auditor = Auditor(catalog, None)
    auditor.add(raw)
    result = auditor.result(())
    [found] = [f for f in result.findings if f.rule == "uninspectable-connection"]
    assert found.severity == "low" and "that are not HTTP" in found.message
    assert found.evidence[0].request == "TCP mqtt.example-iot.com:8883"
    assert found.evidence[0].how == (
        "contacted, contents unknown: a TCP connection that is not HTTP · SNI mqtt.example-iot.com"
        " · at 2026-12-03T08:42:17Z · phase before-consent"
    )
    assert result.flows == 1 and result.attempts == 0
