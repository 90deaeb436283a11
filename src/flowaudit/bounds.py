"""Size and depth bounds on the files a user hands flowaudit besides captures.

Declarations, ignore files, rule files (YAML) and results or baselines
(JSON) are parsed whole, so without a bound a crafted or broken file could
hold the audit's memory (a gigabyte "result") or exhaust Python's recursion
(parsers and validators recurse once per level of nesting). Real files are
far inside these bounds: the largest shipped rule file is 25 KB and 5
levels deep, a result is about 10 levels deep. Each bound is listed in the
README ("Limits"); a file past one is a user error (exit 2) naming the file
and, for YAML, the line where the nesting went too deep.

Captures have their own bounds, in their readers (:mod:`flowaudit.inputs`)
and in the payload decoder (:mod:`flowaudit.payload.decode.limits`).
"""

from __future__ import annotations

from os import PathLike

MIB = 1024 * 1024

MAX_YAML_BYTES = 16 * MIB  # a declaration, ignore file or rule file
MAX_RESULT_BYTES = 512 * MIB  # a JSON result (report, diff, --baseline)
MAX_NESTING = 64  # levels of lists and mappings in any of those files
# YAML aliases can make a small file expand into a huge value ("billion
# laughs"); no real configuration comes near this many values.
MAX_VALUES = 1_000_000


class TooLarge(ValueError):
    """A file larger than its bound; the message says by how much."""


def read_bounded(path: str | PathLike[str], limit: int) -> bytes:
    """The bytes of ``path``, refusing a file over ``limit`` before reading it.

    Raises ``OSError`` as ``open`` does, and :class:`TooLarge`.
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than {limit // MIB} MiB, the most flowaudit reads of such a file")
    return data


def deeper_than(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether lists and dicts nest more than ``limit`` levels in ``value`` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in item)
    return False
