"""Captured text made inert for display.

A leaf module (it imports nothing of flowaudit): errors, capture and every
renderer use it, so it cannot sit in a unit that imports the engine.

Host names, paths, event names and excerpts come from the capture, and a
capture can be crafted. Markup is escaped by each format's own means (Jinja2
autoescape, XML, CSV quoting); what escaping leaves alone are characters that
change how text *looks*: control characters, and the invisible and
bidirectional marks that can make ``moc.elgoog\u202e.evil`` read as a
trusted name. Those are shown as ``\\uXXXX`` instead, in every format.
"""

from __future__ import annotations

import re

# C0 and C1 controls, zero-width and direction marks, bidi embeddings,
# overrides and isolates, line/paragraph separators, invisible operators,
# the byte-order mark, the interlinear annotation marks, and what XML and
# UTF-8 cannot hold at all (non-characters, lone surrogates).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]"
)
_NEWLINES = re.compile("[\t\n]")
# What drives a terminal: C0 and C1 controls and DEL, but tabs, line feeds and a
# carriage return that ends a line (CSV's CRLF) are layout.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
# Every character _CONTROLS matches, CR included: one character class, searched a few
# times faster than _CONTROLS (whose alternation is tried at each position) over a report.
_CONTROL_OR_CR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A GitHub Actions runner reads every line of a step's output (stdout and stderr, lines ended by CR, LF
# or both) as a workflow command when, after leading white space, it starts with "::"
# (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
_COMMAND_START = re.compile(r"(?:\A|(?<=[\r\n]))(\s*):(?=:)")


def visible(text: str) -> str:
    """``text`` with every invisible or direction-changing character spelled
    out; tabs and newlines are kept (each format decides about those)."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def no_controls(text: str) -> str:
    """``text`` with every control character but layout spelled out (``\\u001b``): the last
    guard on whatever a command writes, since a rendered field that no format escaped
    (a rule id or a version from a hand-edited result) must not drive the terminal
    either. Inside a JSON string the spelling is the same character's escape."""
    if _CONTROL_OR_CR.search(text) is None:
        return text
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """:func:`visible`, with tabs and newlines spelled out too: for cells and
    annotations that must stay on one line."""
    return _NEWLINES.sub(lambda m: "\\t" if m.group() == "\t" else "\\n", visible(text))


def cut_to(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: a longer one is cut, ending in a
    marker that says how much was cut, so nothing is lost unseen."""
    if len(text) <= limit:
        return text
    keep = limit - len(_cut_marker(len(text)))  # the count can only be shorter than the whole length
    return text[:keep] + _cut_marker(len(text) - keep)


def _cut_marker(cut: int) -> str:
    return f" [… cut: {cut} more characters]"


def no_workflow_commands(text: str) -> str:
    """``text`` with the first colon of any line that would start a workflow
    command spelled ``\\u003a``: a capture's line breaks kept by a format
    (HTML, CSV, XML) or a wrapped line of text cannot then forge
    ``::error::`` or ``::stop-commands::`` in a CI log. No line flowaudit
    writes itself starts so. Every such line holds "::", and most pieces none: the
    pattern, tried at each position of a report's megabytes, then need not run."""
    if "::" not in text:
        return text
    return _COMMAND_START.sub(lambda m: f"{m.group(1)}\\u003a", text)


def punycode(host: str) -> str | None:
    """The ASCII (IDNA) form of a host name that is not plain ASCII, so a
    look-alike such as ``аpple.com`` (Cyrillic а) shows what it really is;
    None for an ASCII name or one IDNA cannot encode."""
    if host.isascii():
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
