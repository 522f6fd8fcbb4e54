"""Solve the delegation LP with HiGHS: delegated pounds, duals by rule Block, and the rules that conflict.

Conflicts are found by a deletion filter over the named rule Blocks: drop one rule family at a time and keep it
dropped while the rest stay infeasible. What remains is an irreducible set of conflicting rules, named directly.
(HiGHS computes row-level IIS too, but Pyomo's public interface does not map HiGHS rows back to constraints.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from models.delegation.builder import RULES, SCALE, build_model, fair_delegable
from models.delegation.data import DelegationData

DUAL_TOLERANCE = 1e-7
"""Duals smaller than this (pounds per pound) are treated as zero: the rule is not binding."""
INFEASIBLE = (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded)


@dataclass(frozen=True)
class Binding:
    """One binding constraint of a rule: its limit and the LP dual (objective pounds per unit of the limit)."""

    rule: str
    consortium: str | None
    line: str | None
    limit: float
    shadow_price: float


@dataclass(frozen=True)
class Sensitivity:
    """Change of the objective (pounds) per unit of a policy parameter, from the duals by the chain rule."""

    rule: str
    parameter: str
    consortium: str | None
    value: float


@dataclass(frozen=True)
class DelegationSolution:
    """What the solver found; delegated amounts are pounds, shape (consortia, lines)."""

    status: str
    objective: float = 0.0
    delegated: np.ndarray | None = None
    reserve_required: np.ndarray | None = None
    spread: float | None = None
    bindings: tuple[Binding, ...] = ()
    sensitivities: tuple[Sensitivity, ...] = ()
    conflict: tuple[str, ...] = ()
    conflict_most: float | None = None
    message: str = ""


class SolverFailure(RuntimeError):
    """HiGHS stopped for a reason other than an optimum or proven infeasibility."""


def solve(data: DelegationData, analyse_conflicts: bool = True) -> DelegationSolution:
    """Build and solve the LP; on infeasibility name an irreducible set of conflicting rules."""
    model = build_model(data)
    results = _run(model)
    if results.termination_condition in INFEASIBLE:
        if not analyse_conflicts:
            return DelegationSolution(status="infeasible")
        conflict = conflicting_rules(data)
        most = most_delegable(data, [r for r in conflict if r != "delegation_target"]) \
            if "delegation_target" in conflict else None
        return DelegationSolution(status="infeasible", conflict=conflict, conflict_most=most)
    if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        raise SolverFailure(f"HiGHS stopped with {results.termination_condition.name}")
    results.solution_loader.load_vars()
    duals = results.solution_loader.get_duals()
    return _extract(model, data, duals)


def _run(model):
    """One HiGHS solve that never raises on a non-optimal status."""
    return Highs().solve(model, raise_exception_on_nonoptimal_result=False, load_solutions=False)


def _extract(model, data: DelegationData, duals: dict) -> DelegationSolution:
    """Delegated pounds, reserve required, spread, binding rules and sensitivities from a solved model."""
    delegated = np.zeros((len(data.consortia), len(data.lines)))
    for (c, l) in model.pairs:
        delegated[c, l] = max(pyo.value(model.delegated[c, l]), 0.0) * SCALE
    reserve = data.confidence_z * (data.cv * delegated).sum(axis=1)
    bindings = tuple(_bindings(model, data, duals))
    return DelegationSolution(
        status="optimal", objective=pyo.value(model.objective) * SCALE, delegated=delegated,
        reserve_required=reserve, spread=spread(data, delegated), bindings=bindings,
        sensitivities=tuple(sensitivities(data, bindings, delegated)))


def spread(data: DelegationData, delegated: np.ndarray) -> float | None:
    """Most minus least delegated share of fair share over consortia with a positive readiness cap."""
    fair = fair_delegable(data)
    members = [c for c in range(len(data.consortia)) if data.readiness_cap[c] > 0 and fair[c] > 0]
    if not members:
        return None
    shares = delegated[members].sum(axis=1) / fair[members]
    return float(shares.max() - shares.min())


def _bindings(model, data: DelegationData, duals: dict):
    """Every rule constraint (the `limit` of each rule Block) whose dual is not zero."""
    for name, _ in RULES:
        block = getattr(model, name, None)
        if block is None:
            continue
        limits = block.component("limit")
        if limits is None:
            continue
        unit = 1.0 if name == "fairness" else SCALE
        for index, constraint in limits.items():
            dual = duals.get(constraint, 0.0)
            if abs(dual) <= DUAL_TOLERANCE:
                continue
            consortium, line = _member(data, name, index)
            limit = pyo.value(constraint.upper if constraint.upper is not None else constraint.lower) * unit
            yield Binding(rule=name, consortium=consortium, line=line, limit=limit, shadow_price=dual * SCALE / unit)


def _member(data: DelegationData, rule: str, index):
    """Consortium and line a constraint index stands for (None where the rule is cluster-wide)."""
    if isinstance(index, tuple):
        return data.consortia[index[0]], data.lines[index[1]]
    if index is None:
        return None, None
    return data.consortia[index], None


def sensitivities(data: DelegationData, bindings, delegated: np.ndarray):
    """Objective pounds per unit of each policy parameter, from the binding duals (chain rule)."""
    fair = data.fair_share
    consortia = {name: i for i, name in enumerate(data.consortia)}
    lines = {name: i for i, name in enumerate(data.lines)}
    per_cap: dict[str, float] = {}
    pace = savings = 0.0
    for b in bindings:
        if b.rule == "readiness_cap":
            per_cap[b.consortium] = per_cap.get(b.consortium, 0.0) + b.shadow_price * fair[consortia[b.consortium],
                                                                                            lines[b.line]]
        elif b.rule == "risk_reserve":
            yield Sensitivity("risk_reserve", "reserve_available", None, b.shadow_price)
        elif b.rule == "fairness":
            yield Sensitivity("fairness", "max_spread", None, b.shadow_price)
        elif b.rule == "delegation_target":
            yield Sensitivity("delegation_target", "target_share", None, b.shadow_price * data.delegable_total)
        elif b.rule == "pace_of_change":
            c, l = consortia[b.consortium], lines[b.line]
            pace += b.shadow_price * _ceiling_slope(data.baseline[c, l], fair[c, l], data.pace)
        elif b.rule == "savings_cap":
            due = data.savings_due[consortia[b.consortium]]
            savings += b.shadow_price * (-due / data.savings_cap ** 2)
    for name, value in per_cap.items():
        yield Sensitivity("readiness_cap", "readiness_cap", name, value)
    if pace:
        yield Sensitivity("pace_of_change", "pace", None, pace)
    if savings:
        yield Sensitivity("savings_cap", "savings_cap", None, savings)
    if data.fairness_weight > 0:
        gap = spread(data, delegated)
        if gap:
            yield Sensitivity("fairness", "fairness_weight", None, -data.delegable_total * gap)


def _ceiling_slope(baseline: float, fair: float, pace: float) -> float:
    """Derivative of the pace-of-change ceiling with respect to the pace."""
    if fair - baseline > pace * baseline:
        return baseline
    if fair - baseline < -pace * baseline:
        return -baseline
    return 0.0


def conflicting_rules(data: DelegationData) -> tuple[str, ...]:
    """Deletion filter over rule Blocks: an irreducible set of rules that cannot all hold."""
    model = build_model(data)
    model.objective.deactivate()
    model.feasibility = pyo.Objective(expr=0 * sum(model.delegated[p] for p in model.pairs))
    kept = [name for name, _ in RULES if hasattr(model, name)]
    for name in list(kept):
        getattr(model, name).deactivate()
        if _run(model).termination_condition in INFEASIBLE:
            kept.remove(name)
        else:
            getattr(model, name).activate()
    return tuple(kept)


def most_delegable(data: DelegationData, rules) -> float:
    """The most that can be delegated (pounds) when only the named rules apply."""
    model = build_model(data.with_changes(fairness_weight=0.0))
    for name, _ in RULES:
        if hasattr(model, name) and name not in rules:
            getattr(model, name).deactivate()
    results = _run(model)
    if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        return float("nan")
    results.solution_loader.load_vars()
    return sum(pyo.value(model.delegated[p]) for p in model.pairs) * SCALE
