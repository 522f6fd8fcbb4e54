"""`consortia validate`: check an instance's inputs and default rules."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import out, reports_errors
from planner.feasibility import check_feasibility
from planner.instance import load_instance


@reports_errors
def validate(instance: Path = typer.Argument(..., help="Instance folder (holds instance.toml and practices.csv).")):
    """Check an instance's files and default rules, and say what is wrong.

    Reads practices.csv, edges.csv (or builds adjacency from coordinates), plans/*.csv and instance.toml,
    checks every row, and runs the pre-solve feasibility checks on the default rules.

    Example: consortia validate instances/durham-darlington
    """
    loaded = load_instance(instance)
    from planner.plan import load_plan

    plans = {name: load_plan(loaded, path) for name, path in loaded.plans.items()}
    notes = check_feasibility(loaded, loaded.rules)
    total = int(loaded.list_size.sum())
    out.print(f"{loaded.name}: {len(loaded.codes):,} practices, {total:,} patients, "
              f"{len(loaded.edges):,} adjacencies{' (built from coordinates)' if loaded.edges_built else ''}, "
              f"{len(plans)} plan(s): {', '.join(plans) or 'none'}")
    for note in notes:
        out.print(f"note: {note}")
    out.print("valid")
