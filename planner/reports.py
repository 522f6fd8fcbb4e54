"""Outputs of solve and evaluate: per-consortium rows, the summary dict, and the files written atomically."""

from __future__ import annotations

import platform
from pathlib import Path

from planner.io import atomic_directory, write_csv, write_json
from planner.metrics import PlanMetrics
from planner.plan import Plan
from planner.verify import Verdict

CONSORTIUM_COLUMNS = ["consortium", "hub", "hub_name", "practices", "list_size", "locality_km", "exposure",
                      "exposure_holder", "coi_distance", "local_authorities"]


def consortium_rows(instance, metrics: PlanMetrics) -> list[list]:
    """One row per consortium, in CONSORTIUM_COLUMNS order."""
    names = dict(zip(instance.codes, instance.practices["practice_name"]))
    return [[c.consortium, c.hub, names[c.hub], c.practices, c.list_size, round(c.locality_km, 4),
             round(c.exposure, 4), c.exposure_holder, round(c.coi_distance, 4), c.local_authorities]
            for c in metrics.consortia]


def evaluation_summary(instance, plan: Plan, metrics: PlanMetrics, verdict: Verdict, rules) -> dict:
    """JSON-ready summary of an evaluated plan."""
    return {"instance": instance.name, "plan": plan.name, "verified": verdict.passed,
            "rules": rules.as_dict(), "metrics": metrics.summary(), "verification": verdict.as_list()}


def solve_summary(instance, result) -> dict:
    """JSON-ready summary of a solve: status, objective, bound, gap, seconds, rules, metrics and settings."""
    from dataclasses import asdict

    return {
        "instance": instance.name,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "verified": bool(result.verdict and result.verdict.passed),
        "rules": result.rules.as_dict(),
        "metrics": result.metrics.summary() if result.metrics else None,
        "verification": result.verdict.as_list() if result.verdict else [],
        "solver": {**asdict(result.options), "rounds": result.rounds, "separator_cuts": result.cuts,
                   "practice_hub_pairs": result.pairs, "python": platform.python_version()},
        "trajectory": result.trajectory,
        "notes": result.notes,
    }


def write_outputs(out_dir: Path, instance, plan: Plan, metrics: PlanMetrics, summary: dict) -> None:
    """Write assignment.csv, consortia.csv and summary.json into out_dir, all or nothing."""
    with atomic_directory(Path(out_dir)) as staging:
        write_csv(staging / "assignment.csv", ["practice_code", "consortium"],
                  sorted(plan.assignment.items()))
        write_csv(staging / "consortia.csv", CONSORTIUM_COLUMNS, consortium_rows(instance, metrics))
        write_json(staging / "summary.json", summary)
