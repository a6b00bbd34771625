"""The pure core (x12, scrub, reconcile) imports nothing that does I/O; flows never touch storage or Excel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = ["connector/x12", "connector/scrub", "connector/reconcile", "connector/eligibility"]
FORBIDDEN_IN_PURE = (
    "playwright",
    "sqlalchemy",
    "alembic",
    "openpyxl",
    "apscheduler",
    "httpx",
    "requests",
    "psycopg",
    "connector.store",
    "connector.browser",
    "connector.settings",
    "connector.runner",
    "connector.sandbox",
    "flows",
)
FORBIDDEN_IN_FLOWS = ("sqlalchemy", "openpyxl", "connector.store", "connector.x12", "connector.report")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a Python file imports (absolute names; relative imports resolved to the package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
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


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in forbidden):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return out


@pytest.mark.parametrize("folder", PURE)
def test_pure_core_does_no_io(folder: str) -> None:
    if not (ROOT / folder).is_dir():
        pytest.skip(f"{folder} not written yet")
    assert violations(folder, FORBIDDEN_IN_PURE) == []


def test_flows_do_not_persist() -> None:
    assert violations("flows", FORBIDDEN_IN_FLOWS) == []


def test_checker_catches_a_planted_violation(tmp_path: Path) -> None:
    planted = ROOT / "connector" / "x12" / "_planted_violation_test.py"
    planted.parent.mkdir(exist_ok=True)
    planted.write_text("from connector.store import models\nimport sqlalchemy.orm\n")
    try:
        found = violations("connector/x12", FORBIDDEN_IN_PURE)
    finally:
        planted.unlink()
    assert any("connector.store" in v for v in found) and any("sqlalchemy.orm" in v for v in found)


def test_selectors_is_data_only() -> None:
    assert not (ROOT / "selectors" / "__init__.py").exists()
