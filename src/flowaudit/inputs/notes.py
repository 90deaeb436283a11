"""What a capture says about itself, gathered while its traffic is read.

Not the app's traffic, yet needed in every output: the capture record
flowaudit's addon writes first (the app under test and the device, given to
``flowaudit record --app/--device``), where each phase marker sits (so a
phase's start cites the marker's own flow), and the pages a HAR says were
loaded (to tell the site's own hosts from third parties). The capture is
hostile input: only text values are taken, each cut to a bound, and only
so many of each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowaudit.captureformat import RECORD_APP, RECORD_DEVICE, RECORD_STARTED
from flowaudit.inputs.fields import normalize_host
from flowaudit.safetext import safe_text
from flowaudit.urls import split_url

# Longest app name, device note or start time taken from a capture record.
MAX_TEXT = 200
# Most page hosts and marker names remembered per capture.
MAX_ITEMS = 100


@dataclass(slots=True)
class CaptureNotes:
    app: str | None = None
    device: str | None = None
    started: str | None = None
    # phase marker name -> the reference of the record that last set it
    markers: dict[str, str] = field(default_factory=dict)
    page_hosts: dict[str, None] = field(default_factory=dict)  # in order, no repeats
    # What was read around rather than trusted (metadata of the wrong type), for a warning.
    warnings: list[str] = field(default_factory=list)
    unwarned: int = 0  # warnings past MAX_ITEMS, counted only

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_ITEMS:
            self.warnings.append(message)
        else:
            self.unwarned += 1

    def all_warnings(self) -> tuple[str, ...]:
        more = (f"and {self.unwarned} more like these",) if self.unwarned else ()
        return (*self.warnings, *more)

    def take_record(self, about: object) -> None:
        """The capture record's facts (its JSON object); anything malformed is ignored."""
        if not isinstance(about, dict):
            return
        self.app = capture_text(about.get(RECORD_APP)) or self.app
        self.device = capture_text(about.get(RECORD_DEVICE)) or self.device
        self.started = capture_text(about.get(RECORD_STARTED)) or self.started

    def take_marker(self, name: object, ref: str) -> None:
        text = capture_text(name)
        if text and (text in self.markers or len(self.markers) < MAX_ITEMS):
            self.markers[text.strip()] = ref

    def marker_ref(self, phase: str | None) -> str | None:
        """The record that started the phase marker ``phase``, when the capture holds it."""
        return self.markers.get(phase.strip()) if phase else None

    def take_page(self, url: object) -> None:
        """A page the capture says was loaded (a HAR's ``log.pages[].title``, when it
        holds a URL: browsers write the URL alone, WebPageTest and sitespeed.io write
        "Run 1, First View for <url>" and "<url> run 1")."""
        text = capture_text(url)
        found = _PAGE_URL.search(text) if text else None
        if found is None or len(self.page_hosts) >= MAX_ITEMS:
            return
        host = split_url(found.group()).host
        if host:
            self.page_hosts.setdefault(normalize_host(host))


_PAGE_URL = re.compile(r"https?://[^\s/?#]+", re.IGNORECASE)


def capture_text(value: object) -> str | None:
    """A name or fact a capture gives about itself (an app, a phase, a page title) as
    text fit for every output: on one line, cut to :data:`MAX_TEXT`; None if not text."""
    if not isinstance(value, str) or not value.strip():
        return None
    return safe_text(" ".join(value.split())[:MAX_TEXT])
