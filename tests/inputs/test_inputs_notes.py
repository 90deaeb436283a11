"""What a capture says about itself: its pages."""

from __future__ import annotations

from flowaudit.inputs.notes import CaptureNotes


def test_page_titles_that_hold_the_url() -> None:
    """WebPageTest and sitespeed.io write the page's URL inside the title."""
    notes = CaptureNotes()
    for title in ("Run 1, First View for http://www.nytimes.com/", "https://www.ferguson.com run 1", "Verizon run 1"):
        notes.take_page(title)
    assert tuple(notes.page_hosts) == ("www.nytimes.com", "www.ferguson.com")
