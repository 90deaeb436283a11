"""Markdown escaping shared by the Markdown report, the diff and the disclosure draft.

Captured text goes into Markdown only as escaped prose (:func:`md_text`) or
a code span (:func:`md_code`): a crafted host name cannot become a link, an
image or raw HTML.
"""

from __future__ import annotations

import re

from flowaudit.inert import one_line

MAX_VALUE = 300  # characters of one captured value
# Every ASCII punctuation mark that means something to CommonMark, GitHub
# Flavored Markdown (tables, strikethrough, autolinks: ":", "@" and "." break
# them) or GitHub's renderer ("$" math), or starts HTML or an entity.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:@$\"])")


def md_text(value: object) -> str:
    """Prose, inert: each meaningful punctuation mark backslash-escaped
    (CommonMark allows one before any ASCII punctuation), on one line."""
    return _PUNCTUATION.sub(r"\\\1", one_line(str(value)))


def md_code(value: object, *, limit: int = MAX_VALUE) -> str:
    """A value as an inline code span, safe inside a table cell."""
    text = one_line(str(value))
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    if not text:
        return ""
    text = text.replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.startswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
