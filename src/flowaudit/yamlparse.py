"""Parsing YAML into plain values and the line of each, for :mod:`flowaudit.yamlsource`.

PyYAML's constructed values forget where they came from, so the node tree
is composed with the safe loader and the values built here, recording for
each value the line where its entry starts. Kept apart from
:mod:`flowaudit.yamlsource` so that PyYAML is imported only when a file is
not already in the cache.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from flowaudit.bounds import MAX_NESTING, MAX_VALUES
from flowaudit.errors import FlowauditError
from flowaudit.safetext import safe_text

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

Where = tuple[object, ...]  # as flowaudit.yamlsource.YamlPath (not imported: that module imports this one)


def parse(text: str, path: str) -> tuple[Any, dict[Where, int]]:
    """The value of YAML text and the line of every value in it; ``path`` only names the source in messages."""
    try:
        return _compose_and_build(text, path)
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise FlowauditError(
            f"invalid YAML: {err.reason} (character #x{err.character:04x})",
            path=path,
            line=line,
            hint="remove the control character; only printable text is allowed",
        ) from None
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, path) from None
    except _TooDeep as err:
        raise FlowauditError(
            f"invalid YAML: nested too deeply (more than {MAX_NESTING} levels)", path=path, line=err.line
        ) from None


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting past :data:`~flowaudit.bounds.MAX_NESTING`
    where it starts: PyYAML composes (and :class:`_Builder` builds) recursively,
    once per level."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _TooDeep(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose_and_build(text: str, path: str) -> tuple[Any, dict[Where, int]]:
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:  # empty, or only comments
            return None, {(): 1}
        builder = _Builder(loader, path)
        value = builder.build(node, (), node.start_mark.line + 1)
        return value, builder.lines
    finally:
        loader.dispose()


def _syntax_error(err: yaml.MarkedYAMLError, path: str) -> FlowauditError:
    """Turn PyYAML's two-part report (context, problem) into one message and a hint."""
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "unreadable"
    hint = "check the indentation and quoting on this line and the one before"
    if err.context and err.problem:
        if not err.context.startswith("while"):
            # e.g. "expected a single document in the stream, but found another document"
            problem = f"{err.context}, {problem}"
        elif err.context_mark is not None and mark is not None and err.context_mark.line != mark.line:
            hint = f"{err.context} that starts at line {err.context_mark.line + 1}: {hint}"
    if "'\\t'" in problem:
        hint = "indent with spaces: YAML does not allow tabs there"
    column = f" (column {mark.column + 1})" if mark is not None else ""
    return FlowauditError(
        f"invalid YAML{column}: {problem}",
        path=path,
        line=mark.line + 1 if mark is not None else None,
        hint=hint,
    )


class _Builder:
    """Builds plain values from composed nodes, recording each value's line."""

    def __init__(self, loader: yaml.SafeLoader, path: str) -> None:
        self._loader = loader
        self._path = path
        self.lines: dict[Where, int] = {}
        self._open: set[int] = set()  # collection nodes being built: an alias back to one is a cycle
        self._count = 0

    def build(self, node: Node, where: Where, line: int) -> Any:
        self.lines[where] = line
        self._count += 1
        if self._count > MAX_VALUES:
            raise FlowauditError(
                f"too large once aliases are expanded (more than {MAX_VALUES:,} values)",
                path=self._path,
                line=line,
            )
        if isinstance(node, ScalarNode):
            try:
                value = self._loader.construct_object(node)
                return safe_text(value) if isinstance(value, str) else value  # "\\ud83d" in quotes
            except ValueError as e:  # an impossible date such as 2025-02-30
                raise FlowauditError(
                    f"invalid value {node.value!r}: {e}", path=self._path, line=line, hint="quote it to keep it as text"
                ) from e
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            raise self._error(f"unsupported tag {node.tag!r}", node)
        if id(node) in self._open:
            raise self._error("an alias refers to a value that contains it", node)
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, where)
            return [
                self.build(item, (*where, index), item.start_mark.line + 1) for index, item in enumerate(node.value)
            ]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: MappingNode, where: Where) -> dict[object, Any]:
        out: dict[object, Any] = {}
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                raise self._error("merge keys (<<) are not supported: write the entries out", key_node)
            if not isinstance(key_node, ScalarNode):
                raise self._error("a mapping key must be a plain value, not a list or mapping", key_node)
            key = self._loader.construct_object(key_node)
            key = safe_text(key) if isinstance(key, str) else key
            try:
                hash(key)
            except TypeError:
                raise self._error(f"a mapping key must be a plain value, not {key!r}", key_node) from None
            if key in out:
                raise FlowauditError(
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                    path=self._path,
                    line=line,
                    hint="each key may appear once in a mapping: merge the two entries",
                )
            first_line[key] = line
            out[key] = self.build(value_node, (*where, key), line)
        return out

    def _error(self, message: str, node: Node) -> FlowauditError:
        return FlowauditError(message, path=self._path, line=node.start_mark.line + 1)
