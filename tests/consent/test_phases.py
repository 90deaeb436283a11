"""Phases in one pass: markers first, consent signals in the traffic otherwise."""

from __future__ import annotations

from flowaudit.consent.phases import MAX_CHANGES, PhaseResolver, PhaseState
from flowaudit.model import Observation

# IAB TCF v2 spec strings: OOB example 1 (purposes 1-3 consented) and the
# global-scope example (no purpose consented).
PARTIAL = "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA"
REFUSED = "COw4XqLOw4XqLAAAAAENAXCAAAAAAAAAAAAAAAAAAAAA"
# Every purpose consented: user.consent of a real Google bid request (core
# segment), https://github.com/proxistore/parse-protobuf-demo/blob/main/README.md
GRANTED = (
    "CQZVOgAQZVOgAAGABCENB-FsAP_gAEPgAAqIKbMBbGJMSSFgcTp1YOsAaYgewVACqsAgBgKBAQABiBICtIQUkGAAIAhAhiAAAAIACEBAAABlAABA"
    "AAAAIAAAACAMCAAAABAAICAAAAABQgAACEAJAQAAAAAQxEBEAAEAgQIE6JpUwAxAAAAACAAAAAAAAACAAAAIAAAAAAAAAQAAAAgAAAAAAAIAAAAAA"
    "BAAEAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAEDIYCQACgAHgAkABUAEcARwA7gB9gEAAIQARwA_4CPQExALEAWoAxYBkIBISA5ABQAFQAOAAggBkAG"
    "oAPAAmABVADeAH4AQgAjgBWgDDAGUAOcAdwA-wB-gEAANEAbQBR4C2AF5gMNgZGBkgDVwHJjoEMAFAAVAA4ACCAGQAagA8ACYAFWALgAugBiADeAH4"
    "AUYArQBhgDKAHOAO4AfYA_QCLAEdANoAmQBR4C2AF5gL6AYaAx6BkYGSANXAcmBHYcABACgQgFgAUABqAFUALgAYgA3gB-AHOAO4A2gDIyUA8ACgAH"
    "AAeABMACqAFwAMQAjgBRgCtAUeApoBbAC84GRgZIUgNQAUABUADgAIIAZABoADwAJgAVQAxAB-AFGAK0AZQA5wB-gEWAI6AbQBTQC2AF5gL6AYbAy"
    "MDJAHJgQ5AjsVAAgAKKAAwAoABbAI4WgBgA1AHcApoAAA"
)


def request(n: int, query: str = "", phase: str | None = None, source: str = "cap.mitm", headers=()) -> Observation:
    return Observation(
        ref=f"{source}#{n}",
        source=source,
        index=n,
        kind="http",
        method="GET",
        scheme="https",
        host="adserver.example",
        port=443,
        path=f"/p?{query}",
        request_headers=tuple(headers),
        phase=phase,
    )


def run(*requests: Observation) -> tuple[PhaseResolver, list[PhaseState]]:
    resolver = PhaseResolver()
    return resolver, [resolver.observe(r).state for r in requests]


def test_no_marker_no_signal_is_all_before_consent() -> None:
    resolver, states = run(request(1), request(2, "gcs=G100"), request(3, headers=[("Sec-GPC", "1")]))
    assert {(s.phase, s.consent, s.source) for s in states} == {("before-consent", "before", "start")}
    assert resolver.phases == ("before-consent",)
    [start] = resolver.changes
    assert (start.phase, start.source, start.evidence) == ("before-consent", "start", None)


def test_first_explicit_signal_starts_the_phase_with_its_evidence() -> None:
    resolver, states = run(request(1), request(2), request(3, f"gdpr_consent={REFUSED}"), request(4))
    assert [s.phase for s in states] == ["before-consent", "before-consent", "consent-refused", "consent-refused"]
    assert states[3].refused and states[3].since == "cap.mitm#3" and states[3].source == "signal"
    assert resolver.phases == ("before-consent", "consent-refused")
    refused = resolver.changes[-1]
    assert (refused.phase, refused.consent, refused.source) == ("consent-refused", "refused", "signal")
    assert refused.evidence is not None
    assert (refused.evidence.flow, refused.evidence.location) == ("cap.mitm#3", "query:gdpr_consent")
    assert "purposes consented none" in refused.evidence.how


def test_refusal_after_a_grant_is_a_withdrawal() -> None:
    _, states = run(
        request(1, f"gdpr_consent={GRANTED}"), request(2, f"gdpr_consent={GRANTED}"), request(3, "us_privacy=1YYN")
    )
    assert [(s.phase, s.consent) for s in states] == [
        ("consent-granted", "granted"),
        ("consent-granted", "granted"),
        ("consent-withdrawn", "withdrawn"),
    ]


def test_partial_consent_and_a_consent_mode_update() -> None:
    _, states = run(request(1, f"gdpr_consent={PARTIAL}"), request(2, "gcd=13r3r3r2r5l1"))
    assert [s.phase for s in states] == ["consent-partial", "consent-granted"]


def test_defaults_and_device_settings_start_no_phase() -> None:
    # gcs and a default-only gcd cannot tell "not asked yet" from "refused";
    # ATT and GPC are settings in force from the start.
    _, states = run(request(1, "gcs=G100&gcd=11p1p1p1p5&advertiser_tracking_enabled=0"), request(2, "us_privacy=1YNN"))
    assert {s.phase for s in states} == {"before-consent"}


def test_markers_win_over_signals() -> None:
    resolver, states = run(
        request(1),
        request(2, phase="consent-granted"),
        request(
            3, f"gdpr_consent={REFUSED}", phase="consent-granted"
        ),  # the app's string disagrees: the tester decides
        request(4, phase="consent-withdrawn"),
    )
    assert [(s.phase, s.consent, s.source) for s in states] == [
        ("before-consent", "before", "start"),
        ("consent-granted", "granted", "marker"),
        ("consent-granted", "granted", "marker"),
        ("consent-withdrawn", "withdrawn", "marker"),
    ]
    assert [(c.phase, c.source) for c in resolver.changes] == [
        ("before-consent", "start"),
        ("consent-granted", "marker"),
        ("consent-withdrawn", "marker"),
    ]
    assert (
        resolver.changes[1].evidence is not None
        and resolver.changes[1].evidence.how == "capture marker 'consent-granted'"
    )


def test_a_marker_of_any_name_names_the_phase_and_signals_still_decide_consent() -> None:
    _, states = run(
        request(1, phase="login"), request(2, f"gdpr_consent={GRANTED}", phase="login"), request(3, phase="checkout")
    )
    assert [(s.phase, s.consent) for s in states] == [
        ("login", "before"),
        ("login", "granted"),
        ("checkout", "granted"),
    ]


def test_each_capture_file_starts_over() -> None:
    resolver, states = run(
        request(1, f"gdpr_consent={REFUSED}", source="a.mitm"), request(1, source="b.mitm"), request(2, source="b.mitm")
    )
    assert [s.phase for s in states] == ["consent-refused", "before-consent", "before-consent"]
    assert resolver.phases == ("consent-refused", "before-consent")


def test_one_request_with_a_grant_and_a_refusal_reads_as_refused() -> None:
    _, [state] = run(request(1, f"gdpr_consent={GRANTED}&us_privacy=1YYN"))
    assert state.consent == "refused"


def test_signals_are_counted_by_kind_and_meaning() -> None:
    resolver, _ = run(request(1, "gcs=G100"), request(2, "gcs=G100&gcs=G111"), request(3, f"gdpr_consent={REFUSED}"))
    seen = {(s.kind, s.meaning): s.flows for s in resolver.signals_seen()}
    assert seen == {("google-gcs", "refused"): 2, ("google-gcs", "granted"): 1, ("tcf", "refused"): 1}
    first = resolver.signals_seen()[0]
    assert first.first.flow == "cap.mitm#1" and first.summary.startswith("Google consent mode gcs=G100")


def test_changes_past_the_bound_are_counted_not_kept() -> None:
    over = 7
    resolver, _ = run(*(request(n, phase=f"step-{n}") for n in range(1, MAX_CHANGES + over + 1)))
    assert len(resolver.changes) == MAX_CHANGES
    assert resolver.dropped_changes == over
