"""The layers hold: the pure core does no I/O and reads no file; only jobs/ops/cli drive the portal flows;
flows never persist; and no import circle exists between the files of connector/."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = ["connector/x12", "connector/scrub", "connector/reconcile", "connector/pm/models.py"]
IO_MODULES = (
    "playwright",
    "sqlalchemy",
    "alembic",
    "openpyxl",
    "python_calamine",
    "apscheduler",
    "httpx",
    "requests",
    "psycopg",
    "yaml",
    "connector.store",
    "connector.browser",
    "connector.settings",
    "connector.resources",
    "connector.codetables",
    "connector.fileio",
    "connector.jobs",
    "connector.ops",
    "connector.claims",
    "connector.cli",
    "connector.sandbox",
    "connector.report",
    "flows",
)
FILE_READS = ("read_text", "read_bytes", "open", "write_text", "write_bytes", "iterdir", "glob", "rglob")
MAY_IMPORT_FLOWS = ("connector/jobs", "connector/ops", "connector/cli")
FORBIDDEN_IN_FLOWS = ("sqlalchemy", "openpyxl", "connector.store", "connector.x12", "connector.report")


def _files(target: str) -> list[Path]:
    path = ROOT / target
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (never executed, so never part of a circle)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def imported_modules(path: Path, *, runtime_only: bool = False) -> list[tuple[int, str]]:
    """Every module a Python file imports (absolute names; relative imports resolved to the package),
    function-level imports included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skip = _type_checking_only(tree) if runtime_only else set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def violations(target: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in _files(target):
        for line, module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in forbidden):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return out


def file_reads(target: str) -> list[str]:
    """Calls that read or list files (``x.read_text()``, ``open(...)``...) in the pure core."""
    out = []
    for path in _files(target):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in FILE_READS:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {name}()")
    return out


@pytest.mark.parametrize("target", PURE)
def test_pure_core_does_no_io(target: str) -> None:
    assert violations(target, IO_MODULES) == []


@pytest.mark.parametrize("target", PURE)
def test_pure_core_reads_no_file(target: str) -> None:
    assert file_reads(target) == []


def test_only_jobs_ops_and_cli_drive_flows() -> None:
    found = []
    for path in sorted((ROOT / "connector").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(MAY_IMPORT_FLOWS):
            continue
        found += violations(relative, ("flows",))
    assert found == []


def test_flows_do_not_persist() -> None:
    assert violations("flows", FORBIDDEN_IN_FLOWS) == []


def test_checker_catches_a_planted_violation(tmp_path: Path) -> None:
    planted = ROOT / "connector" / "x12" / "_planted_violation_test.py"
    planted.write_text("from connector.store import models\nimport sqlalchemy.orm\nopen('x').read()\n")
    try:
        found = violations("connector/x12", IO_MODULES)
        reads = file_reads("connector/x12")
    finally:
        planted.unlink()
    assert any("connector.store" in v for v in found) and any("sqlalchemy.orm" in v for v in found)
    assert any("_planted_violation_test.py:3 calls open()" in r for r in reads)


def test_selectors_is_data_only() -> None:
    assert not (ROOT / "selectors" / "__init__.py").exists()


def _module_graph(folder: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports at run time (a package __init__ is a module)."""
    modules: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        by_line: dict[int, set[str]] = {}
        for line, module in imported_modules(path, runtime_only=True):
            if (found := resolve(module)) is not None:
                by_line.setdefault(line, set()).add(found)
        edges: set[str] = set()
        for targets in by_line.values():
            # `from pkg import submodule` depends on the submodule, not on the package's __init__
            edges |= {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
        graph[name] = edges - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_in_connector() -> None:
    assert circles(_module_graph(ROOT / "connector")) == []


def test_circle_finder_sees_a_hidden_function_level_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
