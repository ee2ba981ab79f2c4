"""The stages import only the stages below them (DESIGN.md §2, issue 11).

import-linter checks the layers written in pyproject.toml; the tests here also
check what a fresh interpreter actually loads (the lazy public face, the
language without the renderers, the engine without the parser) and that the
modules, imports inside functions included, form no cycle.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import dosecal

from .conftest import ROOT

PACKAGE = Path(dosecal.__file__).resolve().parent
PREFIX = "dosecal"


def test_lint_imports_passes() -> None:
    """`lint-imports` keeps every contract of pyproject.toml's [tool.importlinter]."""
    program = Path(sys.executable).with_name("lint-imports")
    assert program.exists(), f"{program} is missing: pip install -e '.[test]'"
    # --no-cache: the check reads the tree as it is now and writes nothing into it.
    done = subprocess.run(
        [str(program), "--config", "pyproject.toml", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running `statement`."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    # The package under test, wherever it is installed or copied, comes first.
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout))


def under(modules: set[str], *packages: str) -> set[str]:
    """The modules that are one of `packages` or inside one of them."""
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


def test_import_dosecal_loads_only_the_version() -> None:
    """`import dosecal` loads no stage: every public name is imported when first asked for."""
    assert under(loaded_after("import dosecal"), PREFIX) == {"dosecal", "dosecal.version"}


def test_language_loads_no_renderer() -> None:
    """Reading a regimen needs neither views, renderers, the CLI nor their libraries."""
    loaded = loaded_after("import dosecal.language.load")
    assert "dosecal.language.load" in loaded
    unwanted = ("dosecal.render", "dosecal.views", "dosecal.cli", "reportlab", "icalendar", "pandas")
    assert under(loaded, *unwanted) == set()


def test_engine_loads_no_parser() -> None:
    """Expanding a regimen needs the model, not the language that reads one, nor lark."""
    loaded = loaded_after("import dosecal.engine.expand")
    assert "dosecal.engine.expand" in loaded
    assert under(loaded, "dosecal.language", "lark") == set()


# The module graph, read from the source with ast: every import statement counts,
# also inside functions and under `if TYPE_CHECKING:`.


def module_name(path: Path) -> str:
    """src/dosecal/engine/plan.py -> dosecal.engine.plan; a package's __init__ is the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    """Every module of the package, by name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(tree: ast.AST, importer: str, is_package: bool, modules: set[str]) -> Iterator[str]:
    """The dosecal modules that `importer` imports, wherever in the file it says so.

    `from a.b import c` is the module a.b.c when that is a module, else a.b (a name
    defined there). Relative imports are resolved against the importer's package.
    """
    package = importer if is_package else importer.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in modules:
                    yield full
                elif base in modules:
                    yield base


def import_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the dosecal modules it imports."""
    names = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        graph[name] = set(imported(tree, name, path.name == "__init__.py", names)) - {name}
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None when the graph has none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_no_import_cycle() -> None:
    """No dosecal module imports itself back, through any chain, imports inside functions included."""
    graph = import_graph(sources())
    assert "dosecal.views.wording" in graph["dosecal.views.diary"]  # the reader finds edges at all
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_reader_sees_imports_inside_functions() -> None:
    """The graph reader counts imports in function bodies, `from x import module`, and relative ones."""
    code = (
        "def f():\n"
        "    from dosecal.engine import expand\n"
        "    from dosecal.model.regimen import Regimen\n"
        "    from . import wording\n"
        "import dosecal.errors\n"
    )
    modules = {"dosecal.engine.expand", "dosecal.model.regimen", "dosecal.views.wording", "dosecal.errors"}
    found = set(imported(ast.parse(code), "dosecal.views.diary", False, modules))
    assert found == modules


def test_find_cycle_reports_the_cycle() -> None:
    """A planted cycle is found and reported from its first module back to it; a chain is not one."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
