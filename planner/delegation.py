"""Budget delegation: instance + plan + policy -> model data -> HiGHS -> delegated pounds with the binding rules in words.

Shadow prices come from the LP duals and read as pounds of objective per unit of the limit; with no fairness
penalty the objective is the delegated budget itself, so they read as pounds delegated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.delegation import DelegationData, DelegationSolution, SolverFailure, solve
from planner.budget import BudgetLine, DelegationPolicy, read_baseline, read_budget, read_policy, read_readiness
from planner.errors import InfeasibleError, InputError, SolveError
from planner.instance import load_instance
from planner.io import atomic_directory, write_csv, write_json
from planner.plan import load_plan

CSV_HEADER = ["consortium", "line", "tier", "population", "weighted_population", "fair_share_gbp", "delegated_gbp",
              "share_of_fair_share", "gbp_per_weighted_head", "reserve_required_gbp"]


@dataclass(frozen=True)
class DelegationResult:
    """A solved delegation with everything needed to write and explain it."""

    instance: str
    plan: str
    lines: tuple[BudgetLine, ...]
    tiers: dict
    policy: DelegationPolicy
    weight_sources: dict
    data: DelegationData
    solution: DelegationSolution
    explanations: tuple[dict, ...]

    @property
    def delegated_total(self) -> float:
        """Pounds delegated over all consortia and lines."""
        return float(self.solution.delegated.sum())


def run_delegation(instance_path, plan_spec, budget_path=None, target_share=None, reserve_gbp=None) -> DelegationResult:
    """Read every input, solve, and explain the binding rules; raises InputError or InfeasibleError."""
    instance = load_instance(instance_path)
    plan = load_plan(instance, plan_spec)
    toml = str(Path(instance.path) / "instance.toml")
    policy = read_policy(instance.config, toml, target_share=target_share, reserve_gbp=reserve_gbp)
    lines = tuple(read_budget(Path(budget_path) if budget_path else Path(instance.path) / "budget.csv"))
    members = plan.consortia()
    consortia = list(members)
    tiers = read_readiness(Path(instance.path) / policy.readiness, consortia, policy)
    baseline = read_baseline(Path(instance.path) / policy.baseline, consortia, list(lines)) if policy.baseline else None
    weights, sources = weighted_populations(instance, members, lines)
    data = DelegationData(
        consortia=tuple(consortia), lines=tuple(line.name for line in lines),
        amount=np.array([line.amount for line in lines]), delegable=np.array([line.delegable for line in lines]),
        weighted_population=weights, population=consortium_population(instance, members),
        readiness_cap=np.array([float(policy.tiers[tiers[c]]) for c in consortia]),
        risk_cv=np.array([line.risk_cv for line in lines]), reference_population=policy.reference_population or 0.0,
        confidence_z=policy.confidence_z, reserve_available=policy.reserve_available,
        target_share=policy.target_share, target_mode=policy.target_as, fairness_weight=policy.fairness_weight,
        max_spread=policy.max_spread, baseline=baseline, pace=policy.pace_of_change,
        savings_delegated=policy.savings_delegated, savings_cap=policy.savings_cap)
    try:
        solution = solve(data)
    except SolverFailure as error:
        raise SolveError(str(error)) from None
    if solution.status == "infeasible":
        raise InfeasibleError(" + ".join(solution.conflict) or "delegation policy",
                              describe_conflict(data, solution, policy, tiers))
    return DelegationResult(instance=instance.name, plan=plan.name, lines=lines, tiers=tiers, policy=policy,
                            weight_sources=sources, data=data, solution=solution,
                            explanations=tuple(explain(data, solution, policy, tiers)))


def weighted_populations(instance, members: dict, lines) -> tuple[np.ndarray, dict]:
    """Per consortium and line: the practices' wp_<line>, else weighted_population, else list_size, summed."""
    practices = instance.practices
    position = instance.index
    weights = np.zeros((len(members), len(lines)))
    sources = {}
    for l, line in enumerate(lines):
        column = next(c for c in (f"wp_{line.name}", "weighted_population", "list_size") if c in practices.columns)
        sources[line.name] = column
        values = practices[column].to_numpy(dtype=float)
        for c, codes in enumerate(members.values()):
            weights[c, l] = values[[position[code] for code in codes]].sum()
    return weights, sources


def consortium_population(instance, members: dict) -> np.ndarray:
    """Registered patients of each consortium (the population spend volatility scales with)."""
    sizes = instance.list_size
    return np.array([float(sizes[[instance.index[code] for code in codes]].sum()) for codes in members.values()])


def gbp(value: float) -> str:
    """Pounds for people: £12.34m above a million, else £12,345."""
    return f"£{value / 1e6:,.2f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _effect(data: DelegationData, value: float) -> str:
    """'lets £X more be delegated' (or its net-of-fairness wording), or 'costs £X' when negative."""
    if value < 0:
        return f"costs {gbp(-value)} of {'objective' if data.fairness_weight > 0 else 'delegated budget'}"
    if data.fairness_weight > 0:
        return f"adds {gbp(value)} to the objective (delegated pounds less the fairness penalty)"
    return f"lets {gbp(value)} more be delegated"


def explain(data: DelegationData, solution: DelegationSolution, policy: DelegationPolicy, tiers: dict):
    """One entry per binding rule (per consortium where the rule is per consortium), in words, with duals."""
    sens = {(s.rule, s.consortium): s.value for s in solution.sensitivities}
    groups: dict[tuple, list] = {}
    for b in solution.bindings:
        key = (b.rule, b.consortium if b.rule in ("readiness_cap", "savings_cap") else None)
        groups.setdefault(key, []).append(b)
    index = {c: i for i, c in enumerate(data.consortia)}
    for (rule, consortium), members in groups.items():
        entry = {"rule": rule, "consortium": consortium, "members": [
            {"consortium": b.consortium, "line": b.line, "limit": b.limit, "shadow_price": b.shadow_price}
            for b in members]}
        value = sens.get((rule, consortium), 0.0)
        if rule == "readiness_cap":
            cap = data.readiness_cap[index[consortium]]
            lines = ", ".join(b.line for b in members)
            entry.update(parameter="readiness_cap", sensitivity=value,
                         text=f"{consortium}'s readiness cap ({tiers[consortium]}: {cap:.0%} of fair share) is binding "
                              f"on {lines}: each extra percentage point of cap {_effect(data, value / 100)}")
        elif rule == "risk_reserve":
            b = members[0]
            entry.update(parameter="reserve_available", sensitivity=b.shadow_price,
                         text=f"the risk reserve is binding: all {gbp(b.limit)} available is needed against the "
                              f"delegated budgets; each extra £1m of reserve {_effect(data, b.shadow_price * 1e6)}")
        elif rule == "fairness":
            entry.update(parameter="max_spread", sensitivity=value,
                         text=f"the fairness bound is binding: the most and least delegated consortia may differ by at "
                              f"most {data.max_spread:.0%} of fair share; each extra percentage point of spread "
                              f"{_effect(data, value / 100)}")
        elif rule == "delegation_target":
            word = "at least" if data.target_mode == "floor" else "at most"
            entry.update(parameter="target_share", sensitivity=value,
                         text=f"the delegation target is binding: {word} {data.target_share:.0%} of the "
                              f"{gbp(data.delegable_total)} delegable budget ({gbp(members[0].limit)}); each extra "
                              f"percentage point of target {_effect(data, value / 100)}")
        elif rule == "pace_of_change":
            where = ", ".join(f"{b.consortium} {b.line}" for b in members[:6]) + \
                (f" and {len(members) - 6} more" if len(members) > 6 else "")
            entry.update(parameter="pace", sensitivity=value,
                         text=f"pace of change is binding on {where}: budgets may move at most {data.pace:.1%} a year "
                              f"from baseline toward fair share; each extra percentage point of pace "
                              f"{_effect(data, value / 100)}")
        elif rule == "savings_cap":
            b = members[0]
            due = data.savings_due[index[consortium]]
            entry.update(parameter="savings_floor", sensitivity=b.shadow_price,
                         text=f"{consortium} must hold at least {gbp(b.limit)} so that its {gbp(due)} share of the "
                              f"delegated savings is at most {data.savings_cap:.1%} of its delegated budget; each extra "
                              f"£1m of that floor {_effect(data, b.shadow_price * 1e6)}")
        yield entry
    if data.fairness_weight > 0 and solution.spread and solution.spread > 1e-6:
        yield {"rule": "fairness_penalty", "consortium": None, "members": [], "parameter": "fairness_weight",
               "sensitivity": -data.delegable_total * solution.spread,
               "text": f"the fairness penalty (weight {data.fairness_weight:g}) leaves a spread of "
                       f"{solution.spread:.1%} between the most and least delegated consortia; it costs "
                       f"{gbp(data.fairness_weight * data.delegable_total * solution.spread)} of objective"}


def describe_conflict(data: DelegationData, solution: DelegationSolution, policy: DelegationPolicy, tiers: dict) -> str:
    """Why the named rules cannot all hold, with the numbers."""
    rules = solution.conflict
    parts = []
    if "delegation_target" in rules:
        others = [r for r in rules if r != "delegation_target"]
        target = data.target_share * data.delegable_total
        parts.append(f"the delegation target asks for at least {gbp(target)} ({data.target_share:.0%} of the "
                     f"{gbp(data.delegable_total)} delegable budget)")
        if solution.conflict_most is not None and np.isfinite(solution.conflict_most):
            share = solution.conflict_most / data.delegable_total if data.delegable_total else 0.0
            verb = "allows" if len(others) == 1 else "allow"
            parts.append(f"{' and '.join(others)} {verb} at most {gbp(solution.conflict_most)} ({share:.1%})")
    if "savings_cap" in rules:
        fair = data.fair_share[:, np.asarray(data.delegable, dtype=bool)].sum(axis=1)
        room = data.readiness_cap * fair
        short = [c for c in range(len(data.consortia))
                 if data.savings_due[c] / data.savings_cap > room[c] + 1e-6]
        for c in short[:3]:
            parts.append(f"{data.consortia[c]} must hold at least {gbp(data.savings_due[c] / data.savings_cap)} to carry "
                         f"its {gbp(data.savings_due[c])} of savings at {data.savings_cap:.1%}, but its readiness "
                         f"({tiers[data.consortia[c]]}) allows {gbp(room[c])}")
    if not parts:
        parts.append("these rules cannot all hold together")
    return "; ".join(parts) + "; relax any one of the named rules"


def delegation_rows(result: DelegationResult) -> list[list]:
    """One CSV row per consortium and line."""
    data, solution = result.data, result.solution
    rows = []
    reserve = data.confidence_z * data.cv * solution.delegated
    for c, consortium in enumerate(data.consortia):
        for l, line in enumerate(data.lines):
            fair = data.fair_share[c, l]
            delegated = solution.delegated[c, l]
            weight = data.weighted_population[c, l]
            rows.append([consortium, line, result.tiers[consortium], int(round(data.population[c])), round(weight, 2),
                         round(fair, 2), round(delegated, 2), round(delegated / fair, 6) if fair > 0 else 0.0,
                         round(delegated / weight, 4) if weight > 0 else 0.0, round(reserve[c, l], 2)])
    return rows


def consortium_summary(result: DelegationResult) -> list[dict]:
    """Totals per consortium over the delegable lines."""
    data, solution = result.data, result.solution
    delegable = np.asarray(data.delegable, dtype=bool)
    fair = data.fair_share[:, delegable].sum(axis=1)
    due = data.savings_due
    out = []
    for c, consortium in enumerate(data.consortia):
        delegated = float(solution.delegated[c].sum())
        out.append({"consortium": consortium, "tier": result.tiers[consortium],
                    "readiness_cap": float(data.readiness_cap[c]), "population": int(round(data.population[c])),
                    "fair_share_delegable_gbp": round(float(fair[c]), 2), "delegated_gbp": round(delegated, 2),
                    "share_of_fair_share": round(delegated / fair[c], 6) if fair[c] > 0 else 0.0,
                    "reserve_required_gbp": round(float(solution.reserve_required[c]), 2),
                    "savings_due_gbp": round(float(due[c]), 2) if due is not None else 0.0})
    return out


def summary(result: DelegationResult) -> dict:
    """Totals, objective, binding rules with shadow prices, and status, for summary.json."""
    data, solution, policy = result.data, result.solution, result.policy
    budget = float(np.sum(data.amount))
    delegated = result.delegated_total
    return {
        "instance": result.instance, "plan": result.plan, "status": solution.status,
        "objective_gbp": round(solution.objective, 2),
        "totals": {
            "budget_gbp": budget, "delegable_gbp": data.delegable_total, "delegated_gbp": round(delegated, 2),
            "delegated_share_of_delegable": round(delegated / data.delegable_total, 6) if data.delegable_total else 0.0,
            "delegated_share_of_budget": round(delegated / budget, 6) if budget else 0.0,
            "reserve_required_gbp": round(float(solution.reserve_required.sum()), 2),
            "reserve_available_gbp": data.reserve_available,
            "spread": None if solution.spread is None else round(solution.spread, 6),
            "savings_delegated_gbp": policy.savings_delegated,
        },
        "binding_rules": list(result.explanations),
        "consortia": consortium_summary(result),
        "lines": [{"line": line.name, "amount_gbp": line.amount, "delegable": line.delegable, "risk_cv": line.risk_cv,
                   "weights_from": result.weight_sources[line.name], "source": line.source} for line in result.lines],
        "policy": {key: value for key, value in vars(policy).items()},
        "units": "shadow_price: pounds of objective per pound of the limit (per unit share for fairness); "
                 "sensitivity: pounds of objective per unit of the named parameter",
    }


def write_delegation(result: DelegationResult, out_dir) -> Path:
    """Write delegation.csv and summary.json into out_dir atomically (all or nothing)."""
    target = Path(out_dir)
    with atomic_directory(target) as staging:
        write_csv(staging / "delegation.csv", CSV_HEADER, delegation_rows(result))
        write_json(staging / "summary.json", summary(result))
    return target


def check_out_dir(out_dir) -> None:
    """The output folder must not be an existing file."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError(out_dir, "output path exists and is not a folder")
