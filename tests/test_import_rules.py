"""The package's import rules, checked on its import graph.

The graph is read from the source with ``ast`` (every ``import``, also those
inside functions and under ``TYPE_CHECKING``), so a rule holds for every
code path, not only for what one run happens to load. A "unit" is a
top-level part of the package: ``flowaudit.engine.audit`` is in ``engine``,
``flowaudit.model`` is ``model``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "flowaudit"

# Module names below stand for their submodules too.
# Plain Python: no command line, terminal or template library, no output formats.
PLAIN = tuple(
    f"{PACKAGE}.{unit}"
    for unit in (
        "engine",
        "payload",
        "consent",
        "catalog",
        "declaration",
        "model",
        "pipeline",
        "parallel",
        "workerpool",
        "captureformat",
    )
)
# What renders or compares audit results reads results, never captures ...
RENDERING = tuple(f"{PACKAGE}.{unit}" for unit in ("reporters", "diff", "study", "disclose"))
# ... but for the study's list of apps, which must tell a capture from other files.
FINDS_CAPTURES = (f"{PACKAGE}.study.apps",)


@dataclass(frozen=True)
class Rule:
    forbidden: tuple[str, ...]  # what may not be imported
    modules: tuple[str, ...] = (PACKAGE,)  # by these modules ...
    except_modules: tuple[str, ...] = ()  # ... except these
    why: str = ""

    def applies_to(self, module: str) -> bool:
        return _matches(module, self.modules) and not _matches(module, self.except_modules)


RULES = (
    Rule(
        ("mitmproxy",),
        except_modules=(f"{PACKAGE}.capture", f"{PACKAGE}.inputs"),
        why="only capture/ and inputs/ import mitmproxy",
    ),
    Rule(("click", "rich", "jinja2", f"{PACKAGE}.reporters"), PLAIN, why="the engine is plain Python"),
    Rule(
        (f"{PACKAGE}.capture", f"{PACKAGE}.inputs", f"{PACKAGE}.commands", f"{PACKAGE}.cli"),
        RENDERING,
        FINDS_CAPTURES,
        why="renderers read results, not captures, and sit below the CLI",
    ),
    Rule((f"{PACKAGE}.reporters",), (f"{PACKAGE}.capture",), why="the live view shares display cells, not a reporter"),
    Rule(
        tuple(
            f"{PACKAGE}.{unit}" for unit in ("reporters", "diff", "study", "disclose", "capture", "inputs", "commands")
        ),
        (f"{PACKAGE}.display",),
        why="display is what renderers share, below all of them",
    ),
)


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(src: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    """Each module of ``package`` (under ``src``) -> the modules it imports."""
    files = {module_name(p, src): p for p in sorted((src / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                imported.add(base)
                # `from package import module` imports the module.
                imported.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files)
        graph[name] = imported
    return graph


def private_imports(src: Path, package: str = PACKAGE) -> list[str]:
    """Each ``from a.module import _name`` of another module's private name:
    what two modules share belongs in a module of its own (flowaudit.display)."""
    found = []
    for path in sorted((src / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
                found += [
                    f"{module_name(path, src)} imports {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    return found


def unit_of(module: str, package: str = PACKAGE) -> str | None:
    """The top-level part a module of the package is in; None outside it (or the package itself)."""
    parts = module.split(".")
    return parts[1] if parts[0] == package and len(parts) > 1 else None


def _matches(module: str, names: Iterable[str]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


def broken_rules(graph: Mapping[str, set[str]], rules: Iterable[Rule] = RULES) -> list[str]:
    """One line per import that breaks a rule: who imports what, and the rule."""
    return [
        f"{module} imports {imported}: {rule.why}"
        for rule in rules
        for module, imports in sorted(graph.items())
        if rule.applies_to(module)
        for imported in sorted(imports)
        if _matches(imported, rule.forbidden)
    ]


def unit_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Groups of units that import each other, directly or round a loop
    (strongly connected components of the unit graph, Tarjan's algorithm)."""
    edges: dict[str, set[str]] = {}
    for module, imports in graph.items():
        unit = unit_of(module)
        if unit is None:
            continue
        targets = {unit_of(i) for i in imports if i in graph}
        edges.setdefault(unit, set()).update(t for t in targets if t is not None and t != unit)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for target in sorted(edges.get(unit, ())):
            if target not in index:
                visit(target)
                low[unit] = min(low[unit], low[target])
            elif target in stack:
                low[unit] = min(low[unit], index[target])
        if low[unit] == index[unit]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == unit:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for unit in sorted(edges):
        if unit not in index:
            visit(unit)
    return sorted(cycles)


def test_the_package_keeps_its_import_rules() -> None:
    graph = import_graph(SRC)
    assert "flowaudit.engine.audit" in graph and "flowaudit.cli" in graph  # the walk found the package
    assert broken_rules(graph) == []


def test_no_module_imports_another_modules_private_name() -> None:
    assert private_imports(SRC) == []


def test_no_import_cycle_between_units() -> None:
    assert unit_cycles(import_graph(SRC)) == []


def test_the_readers_import_mitmproxy_as_the_rules_allow() -> None:
    """The rule about mitmproxy is not vacuous: the graph does see it."""
    graph = import_graph(SRC)
    assert "mitmproxy" in {i.partition(".")[0] for i in graph["flowaudit.inputs.mitm"]}


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_broken_rule_and_a_cycle_are_reported(tmp_path: Path) -> None:
    src = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "model.py": "",
            "engine/__init__.py": "import click\n",
            "engine/audit.py": "from flowaudit.reporters import html\n",
            "reporters/__init__.py": "",
            "reporters/html.py": "from . import shared\nfrom ..inputs.har import read_har\n",
            "reporters/shared.py": "def f():\n    import mitmproxy.io\n",
            "inputs/__init__.py": "",
            "inputs/har.py": "import mitmproxy\nfrom flowaudit import model\n",
            "capture/__init__.py": "from flowaudit.reporters.text import safe\n",
            "diff/__init__.py": "from flowaudit.study import matrix\n",
            "study/__init__.py": "",
            "study/matrix.py": "from flowaudit.diff import compute\n",
            "study/apps.py": "from flowaudit.inputs.sniff import sniff\n",
            "study/html.py": "from flowaudit.reporters.html import _environment, stylesheet\n",
        },
    )
    graph = import_graph(src)
    assert graph["flowaudit.reporters.html"] == {
        "flowaudit.reporters",
        "flowaudit.reporters.shared",
        "flowaudit.inputs.har",
    }
    assert broken_rules(graph) == [
        "flowaudit.reporters.shared imports mitmproxy.io: only capture/ and inputs/ import mitmproxy",
        "flowaudit.engine imports click: the engine is plain Python",
        "flowaudit.engine.audit imports flowaudit.reporters: the engine is plain Python",
        "flowaudit.engine.audit imports flowaudit.reporters.html: the engine is plain Python",
        "flowaudit.reporters.html imports flowaudit.inputs.har: "
        "renderers read results, not captures, and sit below the CLI",
        "flowaudit.capture imports flowaudit.reporters.text: the live view shares display cells, not a reporter",
    ]
    assert unit_cycles(graph) == [["diff", "study"]]
    assert private_imports(src) == ["flowaudit.study.html imports flowaudit.reporters.html._environment"]


def test_a_clean_package_breaks_no_rule(tmp_path: Path) -> None:
    src = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "inputs/mitm.py": "from mitmproxy import io\n",
            "engine/audit.py": "from flowaudit.model import Observation\n",
            "reporters/html.py": "import jinja2\nfrom flowaudit.engine import audit\n",
        },
    )
    graph = import_graph(src)
    assert broken_rules(graph) == []
    assert unit_cycles(graph) == []
