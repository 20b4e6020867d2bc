"""The layout rules of issue 15, checked on the code of graph/ and app/: no module over 600
lines, no import cycle, no function over 60 lines without a ``# long:`` reason, no code that
is certainly dead, and every relative import names a module that exists.

Each allow-list below names modules or functions that were being changed by a parallel
session when the rules came in; it is a list to shrink, not to grow: an entry goes once its
module is split or its function is shorter or has its reason.
"""
from __future__ import annotations

import ast
import importlib.util
import runpy
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest
import vulture

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "app")
MAX_MODULE_LINES = 600

#: Modules over the limit, and why they still are.
LONG_MODULES: dict[str, str] = {}

#: Modules among which an import cycle is known (any cycle within one group passes), and why.
KNOWN_CYCLES: dict[frozenset[str], str] = {}

#: Modules (or folders) whose long functions need no reason yet, and why.
LONG_FUNCTIONS: dict[str, str] = {}

#: What vulture is certain is dead, as (path, name), and why it is still there.
KNOWN_DEAD: dict[tuple[str, str], str] = {}


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _rel(p: Path | str) -> str:
    return Path(p).resolve().relative_to(ROOT).as_posix()


def test_no_module_over_600_lines():
    too_long = {}
    for p in _modules():
        n = len(p.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES and _rel(p) not in LONG_MODULES:
            too_long[_rel(p)] = n
    assert not too_long, (f"modules over {MAX_MODULE_LINES} lines (split them into a package, one module "
                          f"per part, re-exported from its __init__): {too_long}")


def import_cycles() -> list[set[str]]:
    """The strongly connected components of the import graph of graph/ and app/ (lazy imports
    inside functions count; imports under TYPE_CHECKING do not)."""
    g = grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)
    G = nx.DiGraph()
    for m in g.modules:
        G.add_node(m)
        G.add_edges_from((m, n) for n in g.find_modules_directly_imported_by(m))
    return [scc for scc in nx.strongly_connected_components(G) if len(scc) > 1]


def test_no_import_cycle():
    new = [sorted(c) for c in import_cycles() if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, f"import cycles (move what both sides need into a module of its own): {new}"


def test_the_cycle_check_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclic"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n")   # a lazy import closes it
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("cyclic",))
    assert [sorted(c) for c in import_cycles()] == [["cyclic.a", "cyclic.b"]]


def _check_function_size():
    return runpy.run_path(str(ROOT / "bin" / "check-function-size"))


def test_long_functions_say_why():
    tool = _check_function_size()
    missing = [f"{f.path}:{f.line} {f.name} ({f.length} lines)" for f in tool["long_functions"](ROOT)
               if f.reason is None and not any(f.path.startswith(k) for k in LONG_FUNCTIONS)]
    assert not missing, ("functions over 60 lines without a reason: split them, or put "
                         f"`# long: why` on the line above the def: {missing}")


def test_the_function_size_check_reads_reasons(tmp_path):
    tool = _check_function_size()
    pkg = tmp_path / "graph"
    pkg.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(70))
    (pkg / "m.py").write_text(f"def silent():\n{body}\n\n# long: a table, row by row\n@staticmethod\n"
                              f"def reasoned():\n{body}\n\ndef short():\n    return 1\n")
    found = {f.name: f.reason for f in tool["long_functions"](tmp_path, dirs=("graph",))}
    assert found == {"silent": None, "reasoned": "a table, row by row"}


def test_no_certainly_dead_code():
    v = vulture.Vulture()
    v.scavenge([str(ROOT / pkg) for pkg in PACKAGES])
    dead = [f"{_rel(i.filename)}:{i.first_lineno} {i.message}" for i in v.get_unused_code(min_confidence=100)
            if (_rel(i.filename), i.name) not in KNOWN_DEAD]
    assert not dead, f"dead code (vulture, 100% confidence): {dead}"


@pytest.mark.parametrize("path", [_rel(p) for p in _modules()])
def test_relative_imports_name_existing_modules(path):
    """mypy cannot say it (``ignore_missing_imports``): a module moved into a package keeps
    a lazy ``from .x import y`` that no longer resolves, and fails only when that code runs."""
    p = ROOT / path
    package = ".".join(Path(path).parts[:-1])   # what a relative import in it is relative to
    missing = []
    for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            name = importlib.util.resolve_name("." * node.level + node.module, package)
            if importlib.util.find_spec(name) is None:
                missing.append(f"line {node.lineno}: {name}")
    assert not missing, f"{path} imports modules that do not exist: {missing}"
