"""What a rendered HTML page lets its content do: the elements and attributes a
hostile string would need to run script or load anything."""

from __future__ import annotations

from html.parser import HTMLParser

ACTIVE_TAGS = frozenset({"script", "img", "svg", "iframe", "object", "embed", "a", "link", "form", "base"})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}=javascript:]")


def active_markup(html: str) -> list[str]:
    """Every active element or attribute in ``html``, in page order."""
    collector = _Collector()
    collector.feed(html)
    return collector.found
