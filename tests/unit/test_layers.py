"""The library's imports follow the data (docs/design.md): the stages after training do not
import it, the readers import nothing of the analysis grid, provenance is told the workflow's
facts, and no modules import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "smdown"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def reexports(package: Path) -> dict[str, str]:
    """Name -> module of the names a package's face (`__init__.py`) hands on from its modules."""
    face = package / "__init__.py"
    names = {}
    for node in ast.walk(ast.parse(face.read_text())) if face.exists() else ():
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("smdown"):
            names.update({a.asname or a.name: node.module for a in node.names})
    return names


def imports_of(path: Path) -> set[str]:
    """The smdown modules a file imports (at any depth of its code); a name taken from a
    package's face counts as an import of the module that defines it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("smdown")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("smdown"):
            package = SRC / node.module.replace(".", "/")
            if package.is_dir() and path.parent != package:
                handed = reexports(package)
                found |= {handed.get(a.name, node.module) for a in node.names}
            else:
                found.add(node.module)
    return found


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def importers(package: str) -> dict[str, set[str]]:
    return {m: deps for m, deps in GRAPH.items() if m == package or m.startswith(package + ".")}


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("stage", ["smdown.product", "smdown.stats", "smdown.plots"])
def test_the_stages_after_training_do_not_import_it(stage):
    reach_in = {
        m: sorted(d for d in deps if in_package(d, "smdown.training"))
        for m, deps in importers(stage).items()
    }
    assert not {m: d for m, d in reach_in.items() if d}


def test_the_readers_import_nothing_of_the_analysis_grid():
    reach_in = {
        m: sorted(d for d in deps if in_package(d, "smdown.grid"))
        for m, deps in importers("smdown.sources").items()
    }
    assert not {m: d for m, d in reach_in.items() if d}


def test_provenance_imports_no_stage_and_the_ground_floor_no_wing():
    ground = ["smdown.prepared", "smdown.geometry", "smdown.io", "smdown.errors", "smdown.catalog"]
    allowed = {"smdown.errors", "smdown.io", "smdown.catalog", "smdown.provenance"}
    for module, deps in {**importers("smdown.provenance"), **{g: GRAPH[g] for g in ground}}.items():
        assert {d for d in deps if not any(in_package(d, a) for a in allowed)} == set(), module


def test_no_import_circle():
    def owner(name: str) -> str | None:
        """The module of the graph an import names."""
        while name and name not in GRAPH:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {owner(d) for d in deps} - {None, m} for m, deps in GRAPH.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(edges[module]):
            if state.get(dep) == 1:
                cycle = path[path.index(dep) :] + [dep]
                raise AssertionError(f"import circle: {' -> '.join(cycle)}")
            if dep not in state:
                visit(dep, [*path, dep])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
