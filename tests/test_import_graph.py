"""The import graph of ``checker/``: stages import one way, and keep their private names.

Every ``import`` and ``from ... import`` in the package counts, at module level or inside a
function (a deferred import is still a dependency). ``from package import name`` depends on
``package`` itself (its ``__init__`` runs), and on ``package.name`` when that is a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "checker"


def _modules() -> dict[str, Path]:
    modules = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        parts = list(file.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = file
    return modules


def _imports(module: str, file: Path, modules: dict[str, Path]) -> list[tuple[str, str, int]]:
    """(imported module, name imported from it or "", line) for each import in ``file``."""
    found = []
    package = module.split(".") if file.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, "", node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    found.append((source, "", node.lineno))
                    found.append((submodule, "", node.lineno))
                else:
                    found.append((source, alias.name, node.lineno))
    return [(target, name, line) for target, name, line in found
            if target in modules and target != module]


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {module: {target for target, _, _ in _imports(module, file, modules)}
            for module, file in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_the_package() -> None:
    graph = _graph()
    # The pipeline's stages are found, with the edges that bind them.
    assert "checker.stages.evaluate" in graph["checker.runner"]
    assert "checker.findings" in graph["checker.stages.evaluate"]
    assert "checker.findings" in graph["checker.chunks"]
    assert "checker.chunks" in graph["checker.stages.evaluate"]
    assert "checker.parallel" in graph["checker.chunks"]
    assert "checker.importing.partner_center" in graph["checker.importing.snapshot"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_checker_has_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_no_private_name_is_imported_across_modules() -> None:
    modules = _modules()
    crossing = [f"{file.relative_to(ROOT)}:{line}: from {target} import {name}"
                for module, file in modules.items()
                for target, name, line in _imports(module, file, modules)
                if name.startswith("_") and not name.startswith("__")]
    assert crossing == []
