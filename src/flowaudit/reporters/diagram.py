"""The picture of where the data went, laid out for an inline SVG.

The app on the left, every recipient on the right, one connection each:
its colour says declared, not declared, unknown or first party; its width
grows with the number of requests; its label names the data types that
travelled on it. Positions are computed here and drawn by the template, so
no script and no chart library is needed, and the picture prints. Text
widths are estimated (no browser measures them), so labels are cut to fit
and the full text is kept in a tooltip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flowaudit.datatypes import plain_name
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.inert import punycode
from flowaudit.model import AuditResult, Recipient

WIDTH = 960
APP_X, APP_W, APP_H = 16, 180, 84
BOX_X, BOX_W, BOX_H = 600, 344, 48
PITCH = 62  # vertical distance between recipient boxes
TOP = 40  # room for the column headings
BOTTOM = 16
MAX_ROWS = 40  # more recipients than this are summed up in one last box
_CHAR_W = 7.0  # average width of a 12px sans-serif character, in px
_BOLD_14_W = 8.6  # the same for the 14px bold entity names
_BADGE_CHAR_W = 7.4  # 10px bold capitals with letter spacing
# Labels sit on the right half of the connections, where they have fanned
# out, in up to two lines.
_LABEL_CHARS = int((BOX_X - 12 - (APP_X + APP_W + BOX_X) / 2) / 7.2)
_LABEL_LINES = 2


@dataclass(frozen=True, slots=True)
class Badge:
    text: str
    width: float


@dataclass(frozen=True, slots=True)
class Node:
    kind: str  # "undeclared", "unknown", "declared", "first"
    entity: str  # shown, cut to fit
    title: str  # tooltip: everything about the recipient
    sub: str  # "analytics · 4 requests"
    badge: Badge
    y: float  # top of the box
    edge: str  # SVG path from the app to the box
    edge_width: float
    label: tuple[tuple[str, bool], ...]  # data types on the connection: lines, and whether sensitive
    label_title: str  # all data types


@dataclass(frozen=True, slots=True)
class Diagram:
    width: int
    height: int
    app_x: int
    app_w: int
    app_h: int
    box_x: int
    box_w: int
    box_h: int
    app_name: str
    app_sub: str
    app_y: float
    nodes: tuple[Node, ...]
    more: int  # recipients left out of the picture (listed in the table)
    more_y: float


def cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def kind(r: Recipient) -> str:
    if r.party == "first":
        return "first"
    if r.declared:
        return "declared"
    return "unknown" if r.party == "unknown" else "undeclared"


_BADGES = {"undeclared": "NOT DECLARED", "unknown": "UNKNOWN", "declared": "DECLARED", "first": "FIRST PARTY"}


def _label(data_types: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The data types, in plain words, in at most two lines that fit beside the connection,
    sensitive ones first and on lines of their own (drawn in purple); what
    does not fit is counted ("+3 more")."""
    ordered = [plain_name(dt) for dt in sorted(data_types, key=lambda dt: not is_sensitive(dt))]
    sensitive = {plain_name(dt) for dt in data_types if is_sensitive(dt)}
    lines: list[tuple[str, bool]] = []
    current: list[str] = []
    for n, dt in enumerate(ordered):
        candidate = ", ".join([*current, dt])
        if not current or (len(candidate) <= _LABEL_CHARS and (dt in sensitive) == (current[0] in sensitive)):
            current.append(dt)
            continue
        if len(lines) == _LABEL_LINES - 1:
            rest = f" +{len(ordered) - n} more"
            return (*lines, (cut(", ".join(current), _LABEL_CHARS - len(rest)) + rest, current[0] in sensitive))
        lines.append((", ".join(current), current[0] in sensitive))
        current = [dt]
    if current:
        lines.append((cut(", ".join(current), _LABEL_CHARS), current[0] in sensitive))
    return tuple(lines)


def layout(result: AuditResult) -> Diagram:
    rows = list(result.recipients[:MAX_ROWS])
    more = len(result.recipients) - len(rows)
    slots = len(rows) + (1 if more else 0)
    height = TOP + max(slots, 1) * PITCH + BOTTOM
    app_y = max(TOP + (slots * PITCH - PITCH + BOX_H) / 2 - APP_H / 2, TOP)
    height = max(height, math.ceil(app_y + APP_H + BOTTOM))  # with few or no recipients the app box sets the height
    app_cy = app_y + APP_H / 2
    x0, x1 = APP_X + APP_W, BOX_X
    mid = (x0 + x1) / 2
    nodes = []
    for n, r in enumerate(rows):
        y = TOP + n * PITCH
        cy = y + BOX_H / 2
        k = kind(r)
        badge = _BADGES[k]
        badge_width = round(len(badge) * _BADGE_CHAR_W + 14, 1)
        entity_chars = int((BOX_W - 24 - badge_width - 8) / _BOLD_14_W)
        ascii_name = punycode(r.entity)  # a look-alike name (Cyrillic "а") shows what it is
        requests = f"{r.flows} request{'s' if r.flows != 1 else ''}"
        nodes.append(
            Node(
                kind=k,
                entity=cut(r.entity, entity_chars),
                title=f"{r.entity} ({r.category_label}): {requests} to {', '.join(r.hosts)}",
                sub=cut(f"{r.category_label} · {requests}" if ascii_name is None else f"really {ascii_name}", 44),
                badge=Badge(badge, badge_width),
                y=y,
                edge=f"M{x0},{app_cy:.1f} C{mid:.1f},{app_cy:.1f} {mid:.1f},{cy:.1f} {x1},{cy:.1f}",
                edge_width=round(1.5 + 1.6 * math.log10(max(r.flows, 1)), 2),
                label=_label(r.data_types),
                label_title=", ".join(f"{plain_name(dt)} ({dt})" for dt in r.data_types),
            )
        )
    total = sum(r.flows for r in result.recipients)
    return Diagram(
        width=WIDTH,
        height=int(height),
        app_x=APP_X,
        app_w=APP_W,
        app_h=APP_H,
        box_x=BOX_X,
        box_w=BOX_W,
        box_h=BOX_H,
        app_name=cut(result.app_name or "The app", 24),
        app_sub=f"{total} request{'s' if total != 1 else ''} out",
        app_y=app_y,
        nodes=tuple(nodes),
        more=more,
        more_y=TOP + len(rows) * PITCH,
    )
