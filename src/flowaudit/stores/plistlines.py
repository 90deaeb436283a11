"""Lines of the values in an XML property list, for messages and SARIF.

:mod:`plistlib` returns plain values that forget where they were written;
a finding about ``NSPrivacyCollectedDataTypes[2]`` is far more useful at its
line. This walks the same XML with expat (which plistlib also uses) and
records, for each value's path (keys and list indices from the root, the
paths :class:`flowaudit.yamlsource.YamlDoc` uses), the line where its
``<key>`` (in a dict) or its element (in an array) starts.
"""

from __future__ import annotations

from xml.parsers.expat import ParserCreate

from flowaudit.yamlsource import YamlPath

_CONTAINERS = frozenset({"dict", "array"})
_VALUES = frozenset({"dict", "array", "string", "integer", "real", "true", "false", "date", "data"})


class _Walker:
    def __init__(self) -> None:
        self.lines: dict[YamlPath, int] = {}
        # Per open container: its path, its kind, the next array index, the pending key and its line.
        self._stack: list[tuple[YamlPath, str]] = []
        self._index: list[int] = []
        self._key: list[tuple[str, int] | None] = []
        self._text: list[str] | None = None
        self._parser = ParserCreate()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._chars

    def walk(self, raw: bytes) -> dict[YamlPath, int]:
        self._parser.Parse(raw, True)
        return self.lines

    def _start(self, name: str, _attributes: dict[str, str]) -> None:
        line = self._parser.CurrentLineNumber
        if name == "key":
            self._text = []
            return
        if name not in _VALUES:
            return
        path: YamlPath = ()
        if self._stack:
            parent, kind = self._stack[-1]
            if kind == "array":
                path = (*parent, self._index[-1])
                self._index[-1] += 1
                self.lines[path] = line
            else:
                pending = self._key[-1]
                key, key_line = pending if pending is not None else ("", line)
                path = (*parent, key)
                self.lines[path] = key_line
                self._key[-1] = None
        if name in _CONTAINERS:
            self._stack.append((path, name))
            self._index.append(0)
            self._key.append(None)

    def _end(self, name: str) -> None:
        if name == "key" and self._text is not None and self._key:
            self._key[-1] = ("".join(self._text), self._parser.CurrentLineNumber)
            self._text = None
        elif name in _CONTAINERS and self._stack:
            self._stack.pop()
            self._index.pop()
            self._key.pop()

    def _chars(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def xml_lines(raw: bytes) -> dict[YamlPath, int]:
    """Path -> line for every value of an XML plist that :mod:`plistlib` already read."""
    return _Walker().walk(raw)
