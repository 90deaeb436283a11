"""The live view counts what the audit will: fed the real SDK and browser
captures of tests/data/realworld flow by flow, as the recorder does."""

from __future__ import annotations

from pathlib import Path

from mitmproxy import io as mio
from mitmproxy import tcp
from mitmproxy.exceptions import FlowReadException
from rich.console import Console

from flowaudit.capture.live import LiveView
from flowaudit.captureformat import MARKER_KEY, PHASE_KEY, SINKHOLED_KEY, UNINSPECTABLE_KEY
from flowaudit.catalog import load_catalog
from flowaudit.declaration import load_declaration

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
DECLARATIONS = Path(__file__).resolve().parents[1] / "data" / "declarations"


def flows(capture: str) -> list:
    with (REALWORLD / capture).open("rb") as f:
        return list(mio.FlowReader(f).stream())


def readable(capture: Path) -> bool:
    try:
        flows(str(capture.relative_to(REALWORLD)))
    except FlowReadException:
        return False
    return True


def screen(view: LiveView) -> str:
    console = Console(record=True, width=140, color_system=None)
    console.print(view)
    return console.export_text()


def test_recipients_declared_or_not_and_the_counter() -> None:
    catalog = load_catalog()
    view = LiveView(catalog, load_declaration(DECLARATIONS / "mixpanel.yml", catalog), Path("captures/x.mitm"))
    for f in flows("sdk/segment/flows.mitm") + flows("sdk/mixpanel/flows.mitm") + flows("browser/mixpanel/flows.mitm"):
        view.add(f)
    text = screen(view)
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in text.splitlines() if line.count("│") == 6]
    rows = [row for row in cells if row[0]]  # not the lines a long cell wraps onto
    # Recipient, Category, Declared, Requests, Data types: as the audit counts them
    result = view.result()
    assert [row[:4] for row in rows] == [
        [r.entity, r.category, "yes" if r.declared else "NO", str(r.flows)] for r in result.recipients
    ]
    assert [row[0] for row in rows] == ["Segment", "Mixpanel"]
    # The data types the engine's payload analysis found (the test user's email and health data)
    assert {"contact.email", "health.health"} <= set(rows[0][4].split(", "))
    total = sum(r.flows for r in result.recipients) + sum(r.flows for r in result.platform)
    assert view.counters.requests == total
    assert f"{total} requests · 2 third parties · 1 undeclared" in text
    assert "platform" in text  # Chromium's own traffic is counted apart


def test_phase_markers_and_refused_tls_are_shown() -> None:
    view = LiveView(load_catalog(), None, Path("captures/x.mitm"))
    [track, *_] = flows("sdk/segment/flows.mitm")
    marker = track.copy()
    marker.metadata[MARKER_KEY] = {"name": "consent-granted", "via": "key", "time": 0}
    refused = track.copy()
    refused.metadata.update({PHASE_KEY: "consent-granted", UNINSPECTABLE_KEY: {"host": "graph.facebook.com"}})
    pinned = tcp.TCPFlow(refused.client_conn, refused.server_conn)
    pinned.metadata.update(refused.metadata)
    for f in (track, marker, pinned):
        view.add(f)
    text = screen(view)
    assert "phase: consent-granted" in text
    assert "2 requests" in text and "1 TLS refused" in text
    assert view.counters.records == 3 and view.counters.phases == ["consent-granted"]


def test_a_view_never_drawn_counts_as_one_drawn() -> None:
    """Not drawn, the view tells HTTP requests apart without observing them: the counts must not move."""
    catalog = load_catalog()
    captures = [p for p in sorted(REALWORLD.rglob("*.mitm")) if readable(p)]  # the oldest formats are not
    assert len(captures) >= 10
    [track, *_] = flows("sdk/segment/flows.mitm")
    marker = track.copy()
    marker.metadata[MARKER_KEY] = {"name": "consent-granted", "via": "key", "time": 0}
    sinkholed = track.copy()
    sinkholed.metadata[SINKHOLED_KEY] = True
    reserved = track.copy()
    reserved.request.headers["host"] = "flowaudit.invalid"
    extra = [marker, sinkholed, reserved]
    for capture in captures:
        drawn = LiveView(catalog, None, Path("captures/x.mitm"))
        counted = LiveView(catalog, None, Path("captures/x.mitm"), shown=False)
        for f in [*flows(str(capture.relative_to(REALWORLD))), *extra]:
            drawn.add(f)
            counted.add(f)
        assert counted.counters == drawn.counters, capture
        assert counted.counters.sinkholed >= 1 and counted.counters.requests >= 1
