"""Architecture rules checked on the source: no import cycles between tracker's modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tracker"

# Cycles allowed for a while (being removed on a branch): empty since issue 16 removed the last ones.
# The test fails when a cycle listed here no longer exists, so the list cannot go stale.
KNOWN: set[frozenset[str]] = set()


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The tracker modules one module imports anywhere: top level, under `if TYPE_CHECKING:`, and
    inside functions (a lazy import is still a dependency). `from a import b` counts `a.b` when b
    is a module. `importlib.import_module(string)` (the CLI's lazy table, the lint rule modules) is
    not an import statement and is not counted."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            candidates = [source, *(f"{source}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def _show(components: set[frozenset[str]]) -> str:
    return "; ".join(" <-> ".join(sorted(c)) for c in sorted(components, key=sorted))


def test_cycle_finder_sees_type_checking_and_function_imports(tmp_path: Path):
    """The finder itself: a cycle closed only under TYPE_CHECKING, or inside a function, is a cycle."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (package / "b.py").write_text("from pkg import c\nB = 1\n")
    (package / "c.py").write_text("def f():\n    from . import a\n")
    (package / "d.py").write_text("from pkg.a import *\n")
    modules = {
        name: package / f"{name.rpartition('.')[2] or '__init__'}.py"
        for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d")
    }
    modules["pkg"] = package / "__init__.py"
    graph = {name: imported_modules(name, path, modules) for name, path in modules.items()}
    assert graph["pkg.c"] == {"pkg", "pkg.a"}
    assert cycles(graph) == {frozenset({"pkg.a", "pkg.b", "pkg.c"})}


def test_no_import_cycles_in_tracker():
    found = cycles(import_graph())
    new = found - KNOWN
    assert not new, f"import cycles in tracker/: {_show(new)}"


def test_known_cycles_still_exist():
    """A KNOWN cycle that was removed (or changed shape) must leave the list."""
    gone = KNOWN - cycles(import_graph())
    assert not gone, f"remove from KNOWN in tests/test_architecture.py (no longer a cycle): {_show(gone)}"


def test_the_slow_list_names_tests_that_exist():
    """conftest.SLOW_TESTS deselects tests locally by name: a renamed test must not silently run again."""
    from conftest import SLOW_TESTS

    root = PACKAGE.parent
    for node in SLOW_TESTS:
        path, _, name = node.partition("::")
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), f"{node} does not exist"
