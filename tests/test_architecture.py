"""The packages talk along one direction (README, "Architecture"): a test walks every
import of every eventsys module, at module level and inside functions alike, and
fails on a circle between packages. No app, no database: it reads the source."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "eventsys"
APP = "<app>"  # eventsys/__init__.py: the app factory, above everything


def _modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


# An area's endpoints and their schemas (eventsys/<area>/api.py, schemas.py) register on
# the one API blueprint: they belong to the api layer, above the area they serve.
API_MODULES = {"api", "schemas"}


def _package(module: str) -> str:
    """eventsys.registration.operations -> registration; eventsys.database -> database;
    eventsys.finance.api -> api."""
    parts = module.split(".")
    if len(parts) == 3 and parts[2] in API_MODULES:
        return "api"
    return parts[1] if len(parts) > 1 else APP


def _imported(module: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """Every eventsys module `module` imports anywhere in its file, with the line."""
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                # `from eventsys import mail` imports the module eventsys.mail.
                full = f"{base}.{alias.name}"
                found.append((full if full in modules else base, node.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] == "eventsys"]


def package_graph(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """{importing package: {imported package: ["module:line -> module", …]}}."""
    modules = _modules(root)
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for module, path in sorted(modules.items()):
        for target, line in _imported(module, path, modules):
            source, dest = _package(module), _package(target)
            if source != dest:
                graph[source][dest].append(f"{module}:{line} -> {target}")
    return graph


def circles(graph) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {d for targets in graph.values() for d in targets}):
        if node not in index:
            visit(node)
    return found


def test_no_package_imports_another_that_imports_it_back():
    graph = package_graph()
    found = circles(graph)
    details = [
        f"{a} -> {b}: {graph[a][b][0]}"
        for component in found
        for a in component
        for b in component
        if b in graph.get(a, {})
    ]
    assert not found, "import circles between packages:\n" + "\n".join(details)


# The direction of the README's picture: a package may import only packages on its own
# level or below (lower never imports higher). Each level lists what may sit there.
LEVELS = [
    {"extensions", "clock", "columns"},
    {"database", "outbox", "formatting", "links", "content", "formerrors", "text", "validators"},
    {"mail"},
    {"auth"},
    {"organisations", "themes"},
    {"events"},
    {"registration"},
    {"payments", "arshjul"},
    {"finance", "resources", "forum", "people", "newsletters"},  # STYLE.md's next areas
    {"privacy", "public", "api", "demo"},
    {"ticking", "working", "commands", "ratelimit", APP},
]


def test_packages_import_only_downwards():
    level = {name: number for number, names in enumerate(LEVELS) for name in names}
    graph = package_graph()
    unknown = sorted(set(graph) - set(level))
    assert not unknown, f"place these packages in LEVELS and the README: {unknown}"
    upwards = [
        f"{source} (level {level[source]}) imports {dest} (level {level[dest]}): {where[0]}"
        for source, targets in graph.items()
        for dest, where in targets.items()
        if level.get(dest, 0) > level[source]
    ]
    assert not upwards, "imports against the direction:\n" + "\n".join(upwards)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"a/x.py": "from eventsys.b import y", "b/y.py": "def f():\n    import eventsys.a.x"},
            [["a", "b"]],
        ),
        (
            {
                "a/x.py": "from eventsys.b import y",
                "b/y.py": "from eventsys.c import z",
                "c/z.py": "from eventsys import a",
            },
            [["a", "b", "c"]],
        ),
        ({"a/x.py": "from eventsys.b import y", "b/y.py": "import os"}, []),
    ],
)
def test_the_walk_finds_function_level_and_longer_circles(tmp_path, files, expected):
    root = tmp_path / "eventsys"
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(source + "\n")
    (root / "__init__.py").touch()
    assert circles(package_graph(root)) == expected
