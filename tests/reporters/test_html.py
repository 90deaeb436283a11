"""The HTML report as a file: self-contained, locked down, complete,
deterministic. (How it looks and behaves in a browser: test_html_browser.py.)"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser

from flowaudit.model import AuditResult, Finding, Recipient, RecipientRow
from flowaudit.reporters.diagram import MAX_ROWS
from flowaudit.reporters.html import render_html

from .results import HOSTILE


class Document(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def test_content_security_policy_allows_only_its_own_stylesheet(full: AuditResult) -> None:
    doc = Document(render_html(full))
    [csp] = [m["content"] for m in doc.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None
    policy = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert policy["default-src"] == "'none'" and policy["img-src"] == "data:"
    assert "script-src" not in policy and "unsafe" not in csp
    digest = base64.b64encode(hashlib.sha256(doc.style.encode("utf-8")).digest()).decode()
    assert policy["style-src"] == f"'sha256-{digest}'"
    assert len(doc.all("style")) == 1 and not doc.all("script")


def test_nothing_is_loaded_from_anywhere(full: AuditResult) -> None:
    doc = Document(render_html(full))
    for tag, attrs in doc.tags:
        for name in ("href", "src", "xlink:href", "action", "srcset", "poster"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#") or value == "data:,", (tag, name, value)
        assert "style" not in attrs, tag  # inline style attributes would need 'unsafe-inline'


def test_every_part_of_the_report_is_there(full: AuditResult) -> None:
    html = render_html(full)
    order = [
        html.index(marker)
        for marker in (
            'class="verdict alarm"',
            'id="map"',
            'id="recipients"',
            'id="findings"',
            'id="timeline"',
            'id="platform"',
            'id="custody"',
        )
    ]
    assert order == sorted(order)
    assert "4 third parties received requests from Acme Health" in html
    assert html.count("<g>") == len(full.recipients)  # one connection and box per recipient
    # Data types on the connection in plain words, sensitive ones first and in purple.
    assert re.search(
        r'fill="#9c1a86" font-weight="700"[^>]*>Health</text>\s*<text[^>]*>Email address, User ID</text>', html
    )
    # Chips say the data type in plain words; the id is in the tooltip (and in the JSON).
    assert re.search(
        r'<li class="chip sensitive" title="health.health · App Store: Health &amp; Fitness[^"]*">Health</li>', html
    )
    assert '">Email address</li>' in html and ">contact.email<" not in html
    severities = re.findall(r'<article class="finding (\w+)"', html)
    assert severities == ["critical", "high", "high", "medium", "low", "info"]
    # Evidence: request line, where in the payload, decoding steps, the value highlighted, why.
    assert "<b>POST</b> https://o123456.ingest.us.sentry.io/api/4504/envelope/" in html
    assert "<li>body</li><li>br</li><li>ndjson:[2]</li><li>json:user.email</li>" in html
    assert "<li>br</li><li>ndjson</li><li>json</li>" in html
    assert '<mark class="">type 2 diabetes</mark>' in html
    assert "Why this rule fired:</strong> Health or other sensitive data" in html
    # Timeline: phases in capture order, counts, the flagged cell.
    assert re.search(r"1\. before-consent</th><th class=\"cell\">2\. after-consent", html)
    assert html.count('class="cell flagged"') == 1
    assert '<strong>after-consent</strong> <span class="consent granted">consent granted</span>' in html
    assert "Google consent mode: gcs=G111 (granted) at <code>query &gt; gcs</code> <mark>G111</mark>" in html
    assert "<code>google-gcs</code>" in html  # the consent signals table
    # A TC string field by field: versions, purposes, legitimate interests, special features, named vendors.
    assert "<dt>Versions</dt><dd>Global Vendor List 150, TCF policy 5</dd>" in html
    assert "<dt>Purposes by legitimate interest</dt><dd>2, 7</dd>" in html
    assert "<dt>Special features opted in</dt><dd>1</dd>" in html
    assert "<dt>Vendors consented</dt><dd>3: 91 Criteo, 755 Google and others</dd>" in html
    assert "<dt>Vendors by legitimate interest</dt><dd>1: 755 Google</dd>" in html
    # Custody.
    for fact in (
        full.inputs[0].sha256,
        full.declaration_sha256,
        "2026-11-22T19:57:03Z",
        "0.1.0",
        full.rules_version,
        "flowaudit check captures/acme.mitm captures/late.har --declared flowaudit.yml",
    ):
        assert fact in html, fact
    assert "truncated after entry 2" in html
    assert "Our status page provider" not in html and "--show-suppressed" in html
    assert "Our status page provider" in render_html(replace(full, show_suppressed=True))


def test_same_result_same_bytes(full: AuditResult) -> None:
    assert render_html(full) == render_html(full)


def test_no_phases_no_timeline(full: AuditResult) -> None:
    plain = replace(
        full,
        phases=(),
        phase_changes=(),
        consent_signals=(),
        recipients=tuple(replace(r, phases=(), phase_flows=()) for r in full.recipients),
    )
    assert 'id="timeline"' not in render_html(plain)


def test_phases_without_counts_show_where_each_recipient_was_seen(full: AuditResult) -> None:
    seen_only = replace(full, recipients=tuple(replace(r, phase_flows=()) for r in full.recipients))
    html = render_html(seen_only)
    assert 'id="timeline"' in html and ">seen</td>" in html and "All recipients" not in html


def test_unredacted_report_says_so_first(full: AuditResult) -> None:
    html = render_html(replace(full, redacted=False))
    assert html.index("Not redacted.") < html.index('class="verdict')
    assert "OFF (--no-redact)" in html


def test_hostile_text_is_escaped_everywhere(hostile: AuditResult) -> None:
    html = render_html(hostile)
    for payload in HOSTILE:
        if any(c in payload for c in "<>\"'&"):
            assert payload not in html, payload
    for invisible in ("\u202e", "\u200b", "\u2066", "\r"):
        assert invisible not in html
    assert "&lt;script&gt;document.title=&#39;PWNED-script&#39;&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # shown, not evaluated


def test_look_alike_host_shows_its_real_name(full: AuditResult) -> None:
    lookalike = Recipient(
        entity="аpple.com",
        entity_id="unknown:xn--pple-43d.com",
        category="other",
        party="unknown",
        declared=False,
        hosts=("аpple.com",),
        flows=1,
    )
    html = render_html(replace(full, recipients=(lookalike,)))
    assert html.count("xn--pple-43d.com") == 3  # diagram, company cell, host cell


def test_many_recipients_are_summed_up_in_the_picture(full: AuditResult) -> None:
    many = tuple(
        replace(full.recipients[3], entity=f"tracker{n}.example", hosts=(f"t.tracker{n}.example",))
        for n in range(MAX_ROWS + 7)
    )
    html = render_html(replace(full, recipients=many))
    assert html.count("<g>") == MAX_ROWS and "+ 7 more recipients: see the table" in html
    assert html.count('<tr class="unknown">') == MAX_ROWS + 7


def test_timeline_flags_the_cells_of_the_row_and_phases_a_finding_is_about() -> None:
    google = Recipient(
        entity="Google",
        entity_id="google",
        category="advertising",
        categories=("advertising", "analytics"),
        party="third",
        declared=False,
        hosts=("region1.google-analytics.com", "securepubads.g.doubleclick.net"),
        flows=4,
        services=("Google Analytics", "Google Marketing"),
        phases=("before-consent", "consent-granted", "consent-withdrawn"),
        phase_flows=(("before-consent", 1), ("consent-granted", 1), ("consent-withdrawn", 2)),
        rows=(
            RecipientRow("advertising", ("Google Marketing",), 3, (("consent-granted", 1), ("consent-withdrawn", 2))),
            RecipientRow("analytics", ("Google Analytics",), 1, (("before-consent", 1),)),
        ),
    )
    finding = Finding(
        id="f1",
        rule="sharing-after-opt-out",
        severity="critical",
        title="Sharing after opt-out: Google (Google Marketing)",
        message="...",
        entity="Google",
        host="securepubads.g.doubleclick.net",
        phase="consent-withdrawn",
        phases=("consent-withdrawn",),
        services=("Google Marketing",),
    )
    result = AuditResult(
        tool_version="0",
        rules_version="0",
        inputs=(),
        app_name=None,
        declaration=None,
        recipients=(google,),
        platform=(),
        findings=(finding,),
        flows=4,
        phases=("before-consent", "consent-granted", "consent-withdrawn"),
    )
    table = render_html(result).split('<table class="timeline">')[1].split("</table>")[0]
    rows = re.findall(r"<tr>\n<td class=\"entity\">(.*?)</td>.*?\n((?:<td class=\"cell.*?</td>\n)+)</tr>", table, re.S)
    assert [label for label, _ in rows] == [
        'Google <span class="services">Google Marketing</span>',
        'Google <span class="services">Google Analytics</span>',
    ]
    flags = [re.findall(r'<td class="cell( flagged)?">', cells) for _, cells in rows]
    assert flags == [["", "", " flagged"], ["", "", ""]]  # the withdrawn cell of the ads row, which has 2 requests
    assert "2<svg" in rows[0][1].split('flagged">')[1]
