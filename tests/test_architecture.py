"""The house's directions hold: the verifier never sees the model, models never see files or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    """Top-level module names a file imports."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def roots(path: Path) -> set[str]:
    """First components of the imported module names."""
    return {name.split(".")[0] for name in imports(path)}


def test_verifier_and_metrics_never_import_the_model():
    for name in ("verify.py", "metrics.py", "plan.py", "instance.py", "validate.py", "geo.py", "graph.py"):
        found = roots(ROOT / "planner" / name)
        assert not found & {"models", "pyomo"}, f"planner/{name} imports {found & {'models', 'pyomo'}}"


def test_models_know_nothing_of_files_planner_or_cli():
    for path in (ROOT / "models").rglob("*.py"):
        found = roots(path)
        assert not found & {"planner", "cli", "typer", "rich", "pandas"}, f"{path} imports {found}"


def test_cli_never_imports_pyomo():
    for path in (ROOT / "cli").rglob("*.py"):
        assert "pyomo" not in roots(path), f"{path} imports pyomo"
