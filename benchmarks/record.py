"""Turns one engine solve (or its refusal) into a JSON-ready result row, with the reference and the cause of a loss."""

from __future__ import annotations

import math

from benchmarks.reference import Reference, matches
from planner.metrics import cost_scale


def solved_row(case, result) -> dict:
    """Row of a solve that returned: value and bound on the literature's scale (raw cost)."""
    scale = cost_scale(case.instance)
    value = None if result.metrics is None else float(result.metrics.cost)
    finite = result.bound is not None and math.isfinite(result.bound)
    return {"status": result.status, "value": value, "bound": float(result.bound * scale) if finite else None,
            "gap": result.gap if finite else None, "seconds": round(result.seconds, 2), "pairs": result.pairs,
            "rounds": result.rounds, "cuts": result.cuts,
            "verified": None if result.verdict is None else bool(result.verdict.passed),
            "failures": [] if result.verdict is None else [c.rule for c in result.verdict.failures()],
            "reason": ""}


def refused_row(status: str, error: Exception, seconds: float) -> dict:
    """Row of a solve that raised: a proof of infeasibility, a model too large, or a failure."""
    return {"status": status, "value": None, "bound": None, "gap": None, "seconds": round(seconds, 2),
            "pairs": None, "rounds": 0, "cuts": 0, "verified": None, "failures": [], "reason": str(error)}


def with_reference(row: dict, reference: Reference | None) -> dict:
    """Adds the published value, our ratio to it, whether we reproduce it, and a note naming any loss's cause."""
    row = dict(row)
    row["reference"] = None if reference is None else reference.value
    row["reference_kind"] = None if reference is None else reference.kind
    row["ratio"] = (row["value"] / reference.value if reference and reference.value and row["value"] is not None
                    else None)
    row["match"] = matches(row["value"], reference)
    if reference is not None and reference.kind == "infeasible":
        row["match"] = row["status"] == "infeasible"
    row["note"] = loss_note(row, reference)
    return row


def loss_note(row: dict, reference: Reference | None) -> str:
    """Why we fall short of the published record, in words; empty when we do not."""
    status = row["status"]
    if status == "too_large":
        return f"model too large for the monolithic MIP: {row['reason']}"
    if status == "error":
        return f"engine error: {row['reason']}"
    if status == "infeasible":
        if reference is not None and reference.kind != "infeasible":
            return "we report infeasible but the literature has a solution: check the family's conventions"
        return ""
    if status == "no_plan":
        return "no verified plan within the time limit (HiGHS found none, or none survived contiguity repair)"
    if reference is not None and reference.kind == "infeasible":
        return "we found a plan for an instance published as infeasible: check bounds and graph"
    if row["match"] is False and row["value"] is not None and reference.value is not None:
        if row["value"] < reference.value:
            return "better than the published value"
        if status == "optimal":
            return "proved optimal but above the published value: objective or distance convention differs"
        gap = "" if row["gap"] is None else f", {row['gap']:.2%} gap left"
        if row.get("engine") == "lns":
            return (f"large-instance heuristic (monolithic model too large), {row['ratio'] - 1:.2%} above the "
                    f"published value{gap} to the Lagrangian bound")
        return f"time limit: incumbent above the published value{gap}"
    if status == "time_limit":
        gap = "" if row["gap"] is None else f" ({row['gap']:.2%} gap left)"
        return f"time limit before the proof{gap}"
    return ""


def peer_note(row: dict) -> str:
    """Names each peer whose verified plan beats ours, and why we lost: our status and gap."""
    ours = row.get("value")
    better = [(name, peer["value"]) for name, peer in sorted(row.get("peers", {}).items())
              if peer.get("status") == "feasible" and peer.get("value") is not None
              and (ours is None or peer["value"] < ours - 1e-9 * abs(ours))]
    if not better:
        return ""
    names = ", ".join(f"{name} {value:,.2f}" for name, value in better)
    if ours is None:
        return f"peer found a plan where we found none ({names}): {row['status']}"
    cause = "time limit" + ("" if row.get("gap") is None else f", {row['gap']:.2%} gap left")
    return f"beaten by {names}: {cause}"
