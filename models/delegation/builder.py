"""Build the delegation LP: delegated pounds per consortium and line, one named Block per rule.

Amounts inside the model are in millions of pounds (SCALE) for conditioning; the objective and every limit use the
same unit, so a dual reads as pounds of objective per pound of limit.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from models.delegation.data import DelegationData

SCALE = 1e6
"""Pounds per model unit."""


def build_model(data: DelegationData) -> pyo.ConcreteModel:
    """The LP: variables, every rule Block in RULES, and the objective."""
    model = pyo.ConcreteModel(name="delegation")
    fair = data.fair_share
    delegable = np.asarray(data.delegable, dtype=bool)
    model.pairs = pyo.Set(initialize=[(c, l) for c in range(len(data.consortia)) for l in range(len(data.lines))
                                      if delegable[l] and fair[c, l] > 0], dimen=2, ordered=True)
    model.delegated = pyo.Var(model.pairs, domain=pyo.NonNegativeReals, doc="delegated budget (model units)")
    model.lines_of = pyo.Set(range(len(data.consortia)), ordered=True,
                             initialize=lambda m, c: [l for l in range(len(data.lines)) if (c, l) in m.pairs])
    for name, add_rule in RULES:
        add_rule(model, data)
    add_objective(model, data)
    return model


def consortium_total(model, c: int):
    """Delegated budget of consortium c over its lines (model units)."""
    return sum(model.delegated[c, l] for l in model.lines_of[c])


def fair_delegable(data: DelegationData) -> np.ndarray:
    """Each consortium's fair share of the delegable lines (pounds)."""
    return data.fair_share[:, np.asarray(data.delegable, dtype=bool)].sum(axis=1)


def fairness_members(data: DelegationData) -> list[int]:
    """Consortia the fairness spread is measured over: those that may be delegated anything at all."""
    fair = fair_delegable(data)
    return [c for c in range(len(data.consortia)) if data.readiness_cap[c] > 0 and fair[c] > 0]


def add_readiness_cap(model, data: DelegationData) -> None:
    """No consortium gets more of a line than its readiness tier's cap times its fair share of that line."""
    fair = data.fair_share
    model.readiness_cap = pyo.Block()
    model.readiness_cap.limit = pyo.Constraint(
        model.pairs, rule=lambda b, c, l: model.delegated[c, l] <= data.readiness_cap[c] * fair[c, l] / SCALE)


def add_risk_reserve(model, data: DelegationData) -> None:
    """The reserve held against delegated budgets, z x sum of cv x delegated, may not exceed the reserve available.

    cv falls as 1/sqrt(population), so a pound delegated to a small consortium needs more reserve than one
    delegated to a large consortium: this is where small consortia cost more.
    """
    if data.reserve_available is None:
        return
    cv = data.cv
    model.risk_reserve = pyo.Block()
    model.risk_reserve.limit = pyo.Constraint(
        expr=sum(data.confidence_z * cv[c, l] * model.delegated[c, l] for (c, l) in model.pairs)
        <= data.reserve_available / SCALE)


def add_fairness(model, data: DelegationData) -> None:
    """Track the most and least delegated consortia (share of fair share); bound their spread when asked.

    Consortia whose readiness cap is 0 are left out: they are held at nothing by readiness, not by unfairness.
    """
    if data.fairness_weight <= 0 and data.max_spread is None:
        return
    members = fairness_members(data)
    fair = fair_delegable(data)
    block = model.fairness = pyo.Block()
    block.members = pyo.Set(initialize=members, ordered=True)
    block.most = pyo.Var(doc="largest share of fair share delegated to a consortium")
    block.least = pyo.Var(doc="smallest share of fair share delegated to a consortium")
    block.below_most = pyo.Constraint(
        block.members, rule=lambda b, c: consortium_total(model, c) <= b.most * fair[c] / SCALE)
    block.above_least = pyo.Constraint(
        block.members, rule=lambda b, c: consortium_total(model, c) >= b.least * fair[c] / SCALE)
    if data.max_spread is not None:
        block.limit = pyo.Constraint(expr=block.most - block.least <= data.max_spread)


def add_delegation_target(model, data: DelegationData) -> None:
    """Delegate at least (floor) or at most (goal) the target share of the delegable budget."""
    if data.target_share is None:
        return
    target = data.target_share * data.delegable_total / SCALE
    total = sum(model.delegated[p] for p in model.pairs)
    model.delegation_target = pyo.Block()
    if data.target_mode == "floor":
        model.delegation_target.limit = pyo.Constraint(expr=total >= target)
    else:
        model.delegation_target.limit = pyo.Constraint(expr=total <= target)


def add_pace_of_change(model, data: DelegationData) -> None:
    """A delegated line may not exceed the budget its baseline can reach this year moving toward fair share."""
    ceiling = data.pace_ceiling
    if ceiling is None:
        return
    model.pace_of_change = pyo.Block()
    model.pace_of_change.limit = pyo.Constraint(
        model.pairs, rule=lambda b, c, l: model.delegated[c, l] <= ceiling[c, l] / SCALE)


def add_savings_cap(model, data: DelegationData) -> None:
    """A consortium's share of the delegated savings may be at most savings_cap of the budget delegated to it."""
    due = data.savings_due
    if due is None:
        return
    block = model.savings_cap = pyo.Block()
    block.members = pyo.Set(initialize=[c for c in range(len(data.consortia)) if due[c] > 0], ordered=True)
    block.limit = pyo.Constraint(
        block.members, rule=lambda b, c: consortium_total(model, c) >= due[c] / data.savings_cap / SCALE)


def add_objective(model, data: DelegationData) -> None:
    """Maximise delegated pounds less fairness_weight x delegable budget x spread (all in model units)."""
    delegated = sum(model.delegated[p] for p in model.pairs)
    penalty = 0
    if data.fairness_weight > 0 and hasattr(model, "fairness"):
        penalty = data.fairness_weight * data.delegable_total / SCALE * (model.fairness.most - model.fairness.least)
    model.objective = pyo.Objective(expr=delegated - penalty, sense=pyo.maximize)


RULES = (
    ("readiness_cap", add_readiness_cap),
    ("risk_reserve", add_risk_reserve),
    ("fairness", add_fairness),
    ("delegation_target", add_delegation_target),
    ("pace_of_change", add_pace_of_change),
    ("savings_cap", add_savings_cap),
)
"""Every rule family, in the order the model builds them and the conflict filter tries them."""
