"""The checker behind test_architecture.py: read every module's imports with ``ast`` and hold
them against a table of layers. Works on any source tree (the tests of the test build
synthetic ones)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Import", "Layer", "Tree", "cycles", "violations"]


@dataclass(frozen=True)
class Layer:
    """A layer: the modules (or packages) it holds, the layers it may import at run time, the
    outside libraries it alone may import, and named exceptions: ``(module, imported)`` ->
    why that one import is allowed."""

    name: str
    holds: tuple[str, ...]
    may_import: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    exceptions: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (resolved, absolute)
    line: int
    kind: str  # "module" (at import time), "function" (when called) or "typing"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class Tree:
    """The modules of a package under ``root`` and their imports."""

    def __init__(self, root: Path, package: str = "pyllm") -> None:
        self.root, self.package = root, package
        self.paths: dict[str, Path] = {}
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            self.paths[".".join((package, *parts))] = path

    def imports(self) -> list[Import]:
        found: list[Import] = []
        for module, path in self.paths.items():
            is_package = path.name == "__init__.py"
            tree = ast.parse(path.read_text(), str(path))
            found.extend(self._walk(module, is_package, tree.body, "module"))
        return found

    def _walk(
        self, module: str, is_package: bool, body: Iterable[ast.stmt], kind: str
    ) -> Iterable[Import]:
        for node in body:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from self._walk(module, is_package, node.body, "typing")
                yield from self._walk(module, is_package, node.orelse, kind)
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield from self._targets(module, is_package, node, kind)
                continue
            inner = (
                "function" if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else kind
            )
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from self._walk(module, is_package, [child], inner)
                elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    yield from self._walk(module, is_package, child.body, inner)

    def _targets(
        self, module: str, is_package: bool, node: ast.Import | ast.ImportFrom, kind: str
    ) -> Iterable[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, kind)
            return
        if node.level:
            base = module.split(".")
            if not is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            yield Import(
                module, submodule if submodule in self.paths else source, node.lineno, kind
            )

    def lines(self, module: str) -> int:
        return len(self.paths[module].read_text().splitlines())


def layer_of(module: str, layers: Iterable[Layer]) -> Layer | None:
    """The layer holding ``module``: the longest held name that is the module or a package
    above it (the top package itself holds only its ``__init__``)."""
    best: tuple[int, Layer] | None = None
    for layer in layers:
        for held in layer.holds:
            matches = module == held or ("." in held and module.startswith(held + "."))
            if matches and (best is None or len(held) > best[0]):
                best = (len(held), layer)
    return best[1] if best else None


def _owner(name: str, layers: Iterable[Layer]) -> Layer | None:
    for layer in layers:
        if any(name == lib or name.startswith(lib + ".") for lib in layer.owns):
            return layer
    return None


def violations(tree: Tree, layers: list[Layer]) -> list[str]:
    """Every import that breaks the table, and every module no layer holds."""
    order = {layer.name: index for index, layer in enumerate(layers)}
    problems = [f"{m}: in no layer" for m in tree.paths if layer_of(m, layers) is None]
    for imp in tree.imports():
        source = layer_of(imp.module, layers)
        if source is None:
            continue
        allowed = source.exceptions.get((imp.module, imp.target))
        where = f"{imp.module}:{imp.line} imports {imp.target} ({imp.kind})"
        if imp.target == tree.package or imp.target.startswith(tree.package + "."):
            target = layer_of(imp.target, layers)
            if target is None or target is source or allowed:
                continue
            if imp.kind == "typing":
                if order[target.name] > order[source.name]:
                    problems.append(
                        f"{where}: {source.name} may only look down, not at {target.name}"
                    )
            elif target.name not in source.may_import:
                problems.append(f"{where}: {source.name} may not import {target.name}")
            continue
        owner = _owner(imp.target, layers)
        if owner is not None and owner is not source and imp.kind != "typing" and not allowed:
            problems.append(f"{where}: only {owner.name} imports {imp.target.split('.')[0]}")
        banned = any(imp.target == f or imp.target.startswith(f + ".") for f in source.forbidden)
        if banned and imp.kind != "typing" and not allowed:
            problems.append(f"{where}: {source.name} does no I/O")
    return problems


def cycles(tree: Tree) -> list[list[str]]:
    """Cycles among the imports run at import time (module level, outside TYPE_CHECKING)."""
    graph: dict[str, set[str]] = {m: set() for m in tree.paths}
    for imp in tree.imports():
        if imp.kind == "module" and imp.target in graph and imp.target != imp.module:
            graph[imp.module].add(imp.target)
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found
