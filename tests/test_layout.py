"""The package layout: imports run one way down the stations, no cycle, plain module names.

Stations, lowest first (docs/architecture.md): errors and rules; codes; io; counting;
ratetables; results; estimators; datasets; published; present. A module imports netsurv
modules of its own station or a lower one, at module level. Inside functions it imports only
optional third-party packages, and a result's ``plot()`` reaches ``netsurv.present.plotting``
(the one sanctioned upward import, as scipy's results do).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGE = ROOT / "netsurv"
STATIONS = [
    ("netsurv.errors", "netsurv.rules"),
    ("netsurv.codes",),
    ("netsurv.io",),
    ("netsurv.counting",),
    ("netsurv.ratetables",),
    ("netsurv.results",),
    ("netsurv.estimators",),
    ("netsurv.datasets",),
    ("netsurv.published",),
    ("netsurv.present",),
]
LAZY_UPWARD = {("netsurv.results", "netsurv.present.plotting")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def station(module: str) -> int:
    for rank, prefixes in enumerate(STATIONS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return len(STATIONS)  # the package root and __main__: above everything


def _in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str) -> Iterator[tuple[str, bool]]:
    """(imported netsurv module, inside a function?) for every import of ``module``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, in_function: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _in_type_checking(child):
                continue  # annotations only: never imported at run time
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, inner
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    yield (full if full in MODULES else base), inner
            yield from visit(child, inner)

    for target, inner in visit(ast.parse(path.read_text(encoding="utf-8")), False):
        if target == "netsurv" or target.startswith("netsurv."):
            while target not in MODULES:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target != module:
                yield target, inner


def test_imports_run_one_way_down_the_stations() -> None:
    wrong = [
        f"{m} (station {station(m)}) imports {t} (station {station(t)})"
        for m in MODULES
        for t, inner in imports(m)
        if not inner and station(t) > station(m) and m not in ("netsurv", "netsurv.__main__")
    ]
    assert not wrong, "\n".join(wrong)


def test_no_netsurv_import_inside_a_function_except_plot_reaching_the_plotting_module() -> None:
    inner = [
        f"{m} imports {t} inside a function"
        for m in MODULES
        for t, in_function in imports(m)
        if in_function and not any(m.startswith(a) and t == b for a, b in LAZY_UPWARD)
    ]
    assert not inner, "\n".join(inner)


def topological_order() -> list[str]:
    graph = {m: {t for t, inner in imports(m) if not inner} for m in MODULES}
    order: list[str] = []
    state: dict[str, int] = {}

    def walk(m: str, trail: list[str]) -> None:
        if state.get(m) == 2:
            return
        if state.get(m) == 1:
            cycle = [*trail[trail.index(m) :], m]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        state[m] = 1
        for t in sorted(graph[m]):
            walk(t, [*trail, m])
        state[m] = 2
        order.append(m)

    for m in sorted(graph):
        walk(m, [])
    return order


def test_every_module_imports_in_a_fresh_interpreter_in_topological_order() -> None:
    order = [m for m in topological_order() if m != "netsurv.__main__"]
    code = f"import importlib\nfor m in {order!r}:\n    importlib.import_module(m)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(
    "package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py")
)
def test_no_submodule_is_shadowed_by_a_name_its_package_exports(package: str) -> None:
    import importlib

    pkg = importlib.import_module(package)
    for name in dir(pkg):
        full = f"{package}.{name}"
        if full in MODULES:
            importlib.import_module(full)
            assert type(getattr(pkg, name)).__name__ == "module", f"{full} is shadowed"


def test_an_estimator_module_is_a_module_and_its_function_is_the_public_name() -> None:
    import netsurv
    import netsurv.estimators.kaplan_meier as km

    assert type(km).__name__ == "module"
    assert netsurv.kaplan_meier is km.kaplan_meier


MAX_MODULE_LINES = 400  # issue 11: a module a contributor reads in one sitting
MAX_FUNCTION_LINES = 60  # lines of code of one function, its docstring not counted


def test_modules_stay_small() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    large = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not large, f"modules over {MAX_MODULE_LINES} lines (split by meaning): {large}"


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    n = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        n -= (first.end_lineno or first.lineno) - first.lineno + 1
    return n


def test_functions_stay_short() -> None:
    long = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _code_lines(node) > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = _code_lines(node)
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines of code: {long}"
