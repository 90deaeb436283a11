"""The per-phase table and consent section of the text and JSON outputs."""

from __future__ import annotations

import io

from rich.console import Console

from flowaudit.model import AuditResult, ConsentSignalSeen, Evidence, PhaseChange, Recipient, RecipientRow
from flowaudit.reporters.html import HtmlReporter
from flowaudit.reporters.json_load import result_from_dict
from flowaudit.reporters.json_result import result_to_dict
from flowaudit.reporters.phase_table import phase_table
from flowaudit.reporters.phases import phases_to_dict


def result(**extra: object) -> AuditResult:
    segment = Recipient(
        entity="Segment",
        entity_id="segment",
        category="analytics",
        party="third",
        declared=False,
        hosts=("api.segment.io",),
        flows=3,
        phase_flows=(("before-consent", 1), ("consent-refused", 2)),
    )
    base: dict[str, object] = dict(
        tool_version="0",
        rules_version="0",
        inputs=(),
        app_name=None,
        declaration=None,
        recipients=(segment,),
        platform=(),
        findings=(),
        flows=3,
    )
    return AuditResult(**(base | extra))  # type: ignore[arg-type]


CHANGES = (
    PhaseChange("before-consent", "before", "start"),
    PhaseChange(
        "consent-refused",
        "refused",
        "signal",
        Evidence(
            flow="cap.mitm#2", location="query:gdpr_consent", how="TCF v2 string from CMP 0: purposes consented none"
        ),
    ),
)
SIGNAL = ConsentSignalSeen(
    kind="gpc",
    meaning="opt-out",
    summary="Global Privacy Control: the browser asks not to sell or share (Sec-GPC: 1)",
    flows=3,
    first=Evidence(flow="cap.mitm#1", location="header:Sec-GPC", how="..."),
)


def render(r: AuditResult) -> str:
    table = phase_table(r)
    assert table is not None
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(table)
    return out.getvalue()


def test_nothing_to_show_without_consent_information() -> None:
    assert phase_table(result(phases=("before-consent",), phase_changes=CHANGES[:1])) is None


def test_text_table_per_phase() -> None:
    text = render(
        result(phases=("before-consent", "consent-refused"), phase_changes=CHANGES, consent_signals=(SIGNAL,))
    )
    assert (
        "Consent phases" in text and "Requests per consent phase" in text and "Consent signals in the traffic" in text
    )
    [row] = [line for line in text.splitlines() if "Segment" in line]
    assert [cell.strip() for cell in row.split("│")[1:5]] == ["Segment", "analytics", "1", "2"]
    assert "cap.mitm#2: TCF v2 string from CMP 0: purposes consented none (query:gdpr_consent)" in text
    assert "from the start of the capture" in text
    assert "Global Privacy Control" in text


def test_captured_text_is_made_inert() -> None:
    evil = PhaseChange("x\u202egnp.exe", "before", "marker", Evidence(flow="cap.mitm#1", how="capture marker"))
    text = render(result(phases=("x\u202egnp.exe",), phase_changes=(CHANGES[0], evil)))
    assert "\u202e" not in text and "\\u202e" in text


def test_json() -> None:
    data = phases_to_dict(
        result(phases=("before-consent", "consent-refused"), phase_changes=CHANGES, consent_signals=(SIGNAL,))
    )
    assert data["phases"][0] == {"phase": "before-consent", "consent": "before", "source": "start", "evidence": None}
    assert data["phases"][1]["evidence"]["location"] == "query:gdpr_consent"
    assert data["signals"] == [
        {
            "kind": "gpc",
            "meaning": "opt-out",
            "summary": SIGNAL.summary,
            "flows": 3,
            "first": {"flow": "cap.mitm#1", "location": "header:Sec-GPC", "how": "...", "excerpt": ""},
            "tcf": None,  # only a TC string is recorded field by field
        }
    ]


def test_changes_past_the_bound_are_said_in_text_json_and_html() -> None:
    cut = result(phases=("before-consent", "consent-refused"), phase_changes=CHANGES, phase_changes_dropped=7)
    said = "7 more phase changes not listed"
    assert said in render(cut)
    assert phases_to_dict(cut)["changes_dropped"] == 7
    assert result_from_dict(result_to_dict(cut)).phase_changes_dropped == 7
    assert said in HtmlReporter().render(cut)
    assert "not listed" not in render(result(phases=("before-consent", "consent-refused"), phase_changes=CHANGES))


def test_text_table_tells_a_companys_rows_apart() -> None:
    google = Recipient(
        entity="Google",
        entity_id="google",
        category="advertising",
        categories=("advertising", "analytics"),
        party="third",
        declared=False,
        hosts=("region1.google-analytics.com", "securepubads.g.doubleclick.net"),
        flows=3,
        phase_flows=(("before-consent", 1), ("consent-refused", 2)),
        rows=(
            RecipientRow("advertising", ("Google Marketing",), 2, (("consent-refused", 2),)),
            RecipientRow("analytics", ("Google Analytics",), 1, (("before-consent", 1),)),
        ),
    )
    text = render(
        result(
            phases=("before-consent", "consent-refused"),
            phase_changes=CHANGES,
            consent_signals=(SIGNAL,),
            recipients=(google,),
        )
    )
    rows = [[c.strip() for c in line.split("│")[1:5]] for line in text.splitlines() if "Google (" in line]
    assert rows == [
        ["Google (Google Marketing)", "advertising", "", "2"],
        ["Google (Google Analytics)", "analytics", "1", ""],
    ]
