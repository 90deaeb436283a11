"""YAML read into plain values that remember their line numbers.

Every YAML file a user hands flowaudit (the declaration, rule files, ignore
files) is validated *after* parsing, and a validation error is only useful
when it says ``file:line``. PyYAML's constructed values forget where they
came from, so this module composes the node tree with the safe loader and
builds the values itself, recording for each value the line where its entry
starts (the key's line for a mapping entry, the item's line for a list item).

It is stricter than plain ``yaml.safe_load`` where leniency would hide a
mistake: a repeated mapping key is an error rather than "last one wins",
the text must be UTF-8, and a file must hold a single document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flowaudit import cache as kept
from flowaudit.bounds import MAX_YAML_BYTES, TooLarge, read_bounded
from flowaudit.errors import FlowauditError

YamlPath = tuple[object, ...]
"""Where a value sits: mapping keys and list indices from the root, e.g. ``("recipients", 0, "data")``."""


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A parsed YAML file: its value and the line of every value in it."""

    path: str  # the file as the user named it, for messages
    value: Any  # dicts, lists, str, int, float, bool, None (and dates, bytes if tagged)
    lines: Mapping[YamlPath, int] = field(compare=False)
    # What the value was made from (the file's bytes, this module's code), as a
    # key of flowaudit.cache: the same digest, the same value. "" for parsed text.
    digest: str = field(default="", compare=False)

    def line_of(self, where: Sequence[object] = ()) -> int:
        """The 1-based line where the value at ``where`` starts.

        A path that does not exist (a key that is missing, say) gets the line
        of its nearest existing parent, which is where the fix belongs.
        """
        probe = tuple(where)
        while probe not in self.lines and probe:
            probe = probe[:-1]
        return self.lines.get(probe, 1)


def load_yaml(path: str | PathLike[str]) -> YamlDoc:
    """Read and parse one YAML file; every problem is a :class:`FlowauditError`."""
    name = str(path)
    try:
        raw = read_bounded(path, MAX_YAML_BYTES)
    except TooLarge as err:
        raise FlowauditError(str(err), path=name) from None
    except FileNotFoundError:
        raise FlowauditError("file not found", path=name) from None
    except IsADirectoryError:
        raise FlowauditError("is a folder, not a YAML file", path=name) from None
    except OSError as err:
        raise FlowauditError(f"cannot be read: {err.strerror or err}", path=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FlowauditError(
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} cannot be decoded",
            path=name,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    digest = kept.key(raw, *_builder_code())
    # Parsing is the slow part of reading the rules at every start: a file's
    # value and lines are kept, by content, between runs (a broken file raises
    # here every time: only what parsed is kept).
    value, lines = kept.cached("yaml", digest, lambda: _stored(parse_yaml(text, name)))
    return YamlDoc(name, value, MappingProxyType(lines), digest)


def _stored(doc: YamlDoc) -> tuple[Any, dict[YamlPath, int]]:
    return doc.value, dict(doc.lines)


@cache
def _builder_code() -> tuple[bytes, bytes]:
    """The source of the parser (:mod:`flowaudit.yamlparse`) and of PyYAML's
    package file (it holds its version): how values and lines are built is part
    of what a kept value was made by. Read, not imported: a run whose files
    are all in the cache never imports PyYAML."""
    spec = find_spec("yaml")
    assert spec is not None and spec.origin is not None  # a dependency of flowaudit
    return Path(__file__).with_name("yamlparse.py").read_bytes(), Path(spec.origin).read_bytes()


def parse_yaml(text: str, path: str) -> YamlDoc:
    """Parse YAML text; ``path`` only names the source in messages."""
    from flowaudit.yamlparse import parse  # PyYAML, only when a file has to be parsed

    value, lines = parse(text, path)
    return YamlDoc(path, value, MappingProxyType(lines))
