"""The HTML report in a real browser (headless Chromium, no network): real
captures render with no console error and no request; hostile captures stay
inert text; the page reads the same with JavaScript off and prints; the
report of 10,000 flows opens in under two seconds."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flowaudit.reporters.html import render_html

from .browser import Browser, Page
from .captures import hostile_capture, run_flowaudit
from .results import HOSTILE

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT / "tests/data/realworld"
REAL_CAPTURES = [
    REALWORLD / "sdk/mixpanel/flows.mitm",
    REALWORLD / "sdk/segment/flows.mitm",
    REALWORLD / "sdk/sentry/flows.mitm",
    REALWORLD / "browser/mixpanel/flows.har",  # with Chromium's own traffic
]

# What a page may legitimately ask for: itself, and nothing else.
ALL_ATTRIBUTES = (
    "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => [e.tagName, a.name, a.value]))"
)


def open_report(browser: Browser, html: Path, *, width: int = 1200, javascript: bool = True) -> tuple[Page, float]:
    page = browser.new_page(width=width, javascript=javascript)
    seconds = page.navigate(html.resolve().as_uri())
    return page, seconds


class _Markup(HTMLParser):
    """Every element and attribute of a document, as the HTML parser reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def markup(source: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(source)
    return parsed


def assert_clean(page: Page, html: Path) -> None:
    """No request but the file itself, no console message, no error, no CSP report."""
    requested = [e["request"]["url"] for e in page.of("Network.requestWillBeSent")]
    assert requested == [html.resolve().as_uri()], requested
    assert page.of("Runtime.consoleAPICalled") == []
    assert page.of("Runtime.exceptionThrown") == []
    assert page.of("Log.entryAdded") == []  # CSP violations and failed loads land here


def assert_inert(page: Page, expected_title: str) -> None:
    """Nothing from the capture ran or became markup."""
    assert page.evaluate("document.title") == expected_title
    assert (
        page.evaluate("document.querySelectorAll('script, iframe, object, embed, img, link[rel=stylesheet]').length")
        == 0
    )
    for tag, name, value in page.evaluate(ALL_ATTRIBUTES):
        assert not name.startswith("on"), (tag, name, value)
        assert not value.strip().lower().startswith("javascript:"), (tag, name, value)
    text = page.evaluate("document.body.innerText")
    assert "PWNED" in text  # the payloads are there, as text
    assert "\u202e" not in text and "\\u202e" in text  # direction override shown, not applied


def test_real_captures_render_offline_without_errors(browser: Browser, artifacts: Path, tmp_path: Path) -> None:
    html = tmp_path / "real.html"
    run = run_flowaudit(
        "check",
        *REAL_CAPTURES,
        "--declared",
        ROOT / "tests/data/declarations/stripe-only.yml",
        "--format",
        "html",
        "-o",
        html,
    )
    assert run.returncode == 1, run.stderr
    page, _ = open_report(browser, html)
    assert_clean(page, html)
    shot = page.screenshot(artifacts / "real-captures.png")
    print(f"screenshot: {shot}")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000
    text = page.evaluate("document.body.innerText")
    for name in ("Mixpanel", "Segment", "Sentry", "Platform traffic", "Google", "FAIL"):
        assert name in text, name
    assert page.evaluate("document.querySelectorAll('svg.diagram g').length") == 3  # one per recipient
    # Nothing wider than the window, on a desktop and on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone, _ = open_report(browser, html, width=390)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_page_reads_the_same_with_javascript_off(browser: Browser, full, tmp_path: Path) -> None:
    html = tmp_path / "full.html"
    html.write_text(render_html(full), encoding="utf-8")
    on, _ = open_report(browser, html)
    off, _ = open_report(browser, html, javascript=False)
    assert on.screenshot(tmp_path / "on.png").read_bytes() == off.screenshot(tmp_path / "off.png").read_bytes()


def test_report_prints_to_pdf_within_the_page(browser: Browser, full, artifacts: Path, tmp_path: Path) -> None:
    html = tmp_path / "full.html"
    html.write_text(render_html(full), encoding="utf-8")
    page, _ = open_report(browser, html, width=703)  # A4 less the @page margins, at 96 dpi
    page.send("Emulation.setEmulatedMedia", {"media": "print"})
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pdf = page.pdf(artifacts / "full-report.pdf")
    print(f"pdf: {pdf}")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 2 <= pages <= 12, pages
    assert page.of("Log.entryAdded") == []


def test_hostile_capture_renders_as_inert_text(browser: Browser, artifacts: Path, tmp_path: Path) -> None:
    """Script, markup, javascript: URLs and direction tricks in URLs, headers,
    bodies, host names, event and phase names, through the real `check`."""
    capture = hostile_capture(tmp_path / "hostile.mitm")
    out = tmp_path / "out"
    run = run_flowaudit("check", capture, "--format", "html", "--format", "json", "-o", out)
    assert run.returncode == 1, run.stderr
    html = out / "flowaudit.html"
    parsed = markup(html.read_text(encoding="utf-8"))
    assert not {"script", "img", "iframe"} & set(parsed.tags)
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    page, _ = open_report(browser, html)
    page.screenshot(artifacts / "hostile-capture.png")
    assert_clean(page, html)
    assert_inert(page, "4 findings: 2 high, 2 low · flowaudit report")
    text = page.evaluate("document.body.innerText")
    assert "xn--pple-43d.com" in text  # the Cyrillic look-alike host is unmasked


def test_hostile_result_is_inert_by_escaping_alone(browser: Browser, hostile, tmp_path: Path) -> None:
    """The CSP would block a script that slipped through; take it away and
    escaping must still hold on its own."""
    html = tmp_path / "hostile-no-csp.html"
    rendered = render_html(hostile)
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", rendered)
    assert without_csp != rendered
    html.write_text(without_csp, encoding="utf-8")
    page, _ = open_report(browser, html)
    title = page.evaluate("document.title")
    assert "PWNED" in title  # the app name is in the title, as text...
    assert " · flowaudit report: <script>document.title=" in title  # ...not run
    assert_inert(page, title)
    for payload in HOSTILE[:6]:
        assert payload in page.evaluate("document.body.innerText")


def synthetic_report(folder: Path, flows: int) -> Path:
    """The HTML report of bench/make_capture.py's synthetic capture of ``flows`` flows."""
    made = subprocess.run(
        [sys.executable, str(ROOT / "bench/make_capture.py"), str(folder / "capture.mitm"), "--flows", str(flows)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    html = folder / "report.html"
    run = run_flowaudit(
        "check", folder / "capture.mitm", "--declared", folder / "flowaudit.yml", "--format", "html", "-o", html
    )
    assert run.returncode in (0, 1), run.stderr
    return html


def test_report_of_ten_thousand_flows_is_no_bigger_a_page_than_of_a_thousand(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, artifacts: Path
) -> None:
    """What keeps a big capture's report quick to open is that the page does not
    grow with the flows (evidence lists are capped, the full lists stay in
    JSON). That is asserted on what Chromium builds, the number of elements,
    not on a clock: speed is measured by bench/, and a timed test fails on a
    loaded machine. Ten times the flows may add at most half again the elements."""
    elements: dict[int, int] = {}
    for flows in (1_000, 10_000):
        html = synthetic_report(tmp_path_factory.mktemp(f"bench{flows}"), flows)
        page = browser.new_page()
        page.navigate(html.resolve().as_uri())
        assert f"{flows} requests captured" in page.evaluate("document.querySelector('.lede').innerText")
        elements[flows] = page.evaluate("document.getElementsByTagName('*').length")
        assert_clean(page, html)
        if flows == 10_000:
            page.screenshot(artifacts / "ten-thousand-flows.png")
    print(f"elements in the page: {elements}")
    assert elements[10_000] <= 1.5 * elements[1_000]
