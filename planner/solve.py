"""Orchestrates a configuration solve: pre-checks, model, contiguity loop, verification, honest bound and gap."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import networkx as nx

from models.partition.builder import build_model
from models.partition.contiguity import add_separators, find_separators
from models.partition.solver import PartitionSolver
from planner.errors import InfeasibleError, PlannerError, SolveError
from planner.feasibility import check_feasibility
from planner.metrics import PlanMetrics, choose_hub, plan_metrics
from planner.options import SolveOptions
from planner.partition_data import partition_data
from planner.plan import Plan, relabel
from planner.repair import repair_contiguity
from planner.rules import Rules
from planner.verify import Verdict, verify_plan


@dataclass
class SolveResult:
    """A verified plan with its objective, the proven bound and gap, and how the solve went."""

    status: str
    plan: Plan | None
    metrics: PlanMetrics | None
    verdict: Verdict | None
    objective: float | None
    bound: float | None
    seconds: float
    rules: Rules
    options: SolveOptions
    rounds: int = 0
    cuts: int = 0
    pairs: int = 0
    trajectory: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Relative gap between the plan's objective and the proven bound."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-12)


def solve_instance(instance, rules: Rules, options: SolveOptions, start: Plan | None = None,
                   progress=None) -> SolveResult:
    """Solve the configuration problem; raise InfeasibleError or SolveError when no plan can be given."""
    if options.method == "lns" or (options.method == "auto" and len(instance.codes) > options.exact_up_to):
        from planner.large import solve_large

        return solve_large(instance, rules, options, progress, start=start)
    began = time.perf_counter()
    notes = check_feasibility(instance, rules)
    hubs = len(instance.codes) if rules.candidate_hubs is None else len(rules.candidate_hubs)
    if len(instance.codes) * hubs > 20 * options.max_pairs:
        raise SolveError(f"the monolithic model would need up to {len(instance.codes) * hubs:,} practice-hub pairs; "
                         f"use --method lns (or auto) for an instance of {len(instance.codes):,} practices")
    restricted = options.nearest_hubs is not None and not rules.contiguity
    data = partition_data(instance, rules, options.contiguity_method,
                          nearest=options.nearest_hubs if restricted else None,
                          keep=start_hubs(instance, rules, start) if restricted and start is not None else None)
    if len(data.pairs) > options.max_pairs:
        raise SolveError(f"the monolithic model would have {len(data.pairs):,} practice-hub pairs, above the "
                         f"limit of {options.max_pairs:,}; restrict candidate_hubs, tighten max_population, or "
                         f"solve a smaller region")
    _check_coverage(instance, data)
    model = build_model(data)
    solver = PartitionSolver(model, data, threads=options.threads, seed=options.seed, log=options.log)
    graph = nx.Graph()
    graph.add_nodes_from(range(data.n))
    graph.add_edges_from(data.edges)
    state = _Incumbent(instance, rules, data)
    if start is not None:
        note = state.offer_plan(start, "start plan")
        if note:
            notes.append(note)
    heuristic = _heuristic_start(instance, rules, options, began) if state.hub_of is None else None
    if heuristic is not None:
        state.offer_hubs(heuristic, "first-plan heuristic")
    bound, rounds, cuts, status = None, 0, 0, "time_limit"
    trajectory = []
    while True:
        remaining = options.time_limit - (time.perf_counter() - began)
        if remaining <= 0.05:
            break
        rounds += 1
        run = solver.run(time_limit=remaining, gap=options.gap, start=state.hub_of)
        if run.status == "infeasible":
            if state.hub_of is not None:
                raise SolveError("HiGHS reported infeasible although a verified plan is known; please report this")
            raise InfeasibleError("all rules together", _infeasible_reason(rules))
        if run.bound is not None:
            bound = run.bound if bound is None else max(bound, run.bound)
        separators = find_separators(data, run.hub_of) if run.hub_of is not None and data.contiguity == "cuts" else []
        if run.hub_of is not None:
            if separators:
                repaired = repair_contiguity(graph, run.hub_of, state.price)
                state.offer_hubs(repaired, "repaired solution")
            else:
                state.offer_hubs(run.hub_of, "solution")
        trajectory.append({"seconds": round(time.perf_counter() - began, 3), "round": rounds,
                           "incumbent": state.objective, "bound": bound, "cuts_added": len(separators)})
        if progress:
            progress(trajectory[-1])
        if separators:
            cuts += add_separators(model, separators)
            continue
        status = "optimal" if run.status == "optimal" else run.status
        break
    if state.objective is not None and bound is not None and bound > state.objective:
        bound = state.objective
    if state.objective is not None and bound is not None and status != "optimal":
        if state.objective - bound <= options.gap * abs(state.objective):
            status = "optimal"
    if state.plan is None:
        status = "no_plan" if status != "infeasible" else status
    return SolveResult(status=status, plan=state.plan, metrics=state.metrics, verdict=state.verdict,
                       objective=state.objective, bound=bound, seconds=time.perf_counter() - began,
                       rules=rules, options=options, rounds=rounds, cuts=cuts, pairs=len(data.pairs),
                       trajectory=trajectory, notes=notes + state.notes)


class _Incumbent:
    """The best verified plan so far; only plans that pass the independent verifier are kept."""

    def __init__(self, instance, rules: Rules, data):
        self.instance, self.rules, self.data = instance, rules, data
        self.plan = self.metrics = self.verdict = self.hub_of = self.objective = None
        self.notes: list[str] = []

    def price(self, i: int, j: int):
        """Cost of practice i at hub j, None when the pair is not allowed."""
        return 0.0 if (i, j) in self.data.pair_set else None

    def offer_hubs(self, hub_of: list[int], source: str) -> None:
        """Consider a plan given as each practice's hub; hubs are re-chosen as each consortium's best member."""
        codes = self.instance.codes
        self._consider(Plan({codes[i]: codes[j] for i, j in enumerate(hub_of)}), source)

    def offer_plan(self, plan: Plan, source: str) -> str | None:
        """Consider a user's plan; returns a note when it cannot serve as a start."""
        if not self._consider(Plan(plan.assignment, name=plan.name), source):
            failed = ", ".join(c.rule for c in verify_plan(self.instance, plan, self.rules).failures())
            return f"the {source} breaks {failed or 'the model'}; the solve starts without it"
        return None

    def _consider(self, plan: Plan, source: str) -> bool:
        """Choose hubs, verify, and keep the plan if it is the best so far."""
        index = self.instance.index
        hubs = _consortium_hubs(self.instance, self.rules, plan)
        hub_of = [0] * len(self.instance.codes)
        for code, consortium in plan.assignment.items():
            hub_of[index[code]] = index[hubs[consortium]]
        if any((i, j) not in self.data.pair_set for i, j in enumerate(hub_of)):
            return False
        labels = relabel({c: hubs[k] for c, k in plan.assignment.items()})
        named = Plan(labels, hubs={labels[h]: h for h in hubs.values()}, name="solution")
        verdict = verify_plan(self.instance, named, self.rules)
        if not verdict.passed:
            return False
        metrics = plan_metrics(self.instance, named, self.rules)
        if self.objective is None or metrics.objective < self.objective - 1e-12:
            self.plan, self.metrics, self.verdict, self.hub_of = named, metrics, verdict, hub_of
            self.objective = metrics.objective
        return True


def start_hubs(instance, rules: Rules, plan: Plan) -> dict[int, int]:
    """Each practice's hub in a plan (by index), chosen as a warm start's hubs are chosen."""
    index = instance.index
    hubs = _consortium_hubs(instance, rules, plan)
    return {index[code]: index[hubs[consortium]] for code, consortium in plan.assignment.items()}


def _consortium_hubs(instance, rules: Rules, plan: Plan) -> dict[str, str]:
    """Each consortium's hub code: the member (among the candidate hubs) nearest the others."""
    candidates = None if rules.candidate_hubs is None else {instance.index[c] for c in rules.candidate_hubs}
    hubs = {}
    for consortium, codes in plan.consortia().items():
        hub, _ = choose_hub(instance, [instance.index[c] for c in codes], rules.distance_power, candidates,
                            rules.unweighted_cost)
        hubs[consortium] = instance.codes[hub]
    return hubs


def _heuristic_start(instance, rules: Rules, options: SolveOptions, began: float) -> list[int] | None:
    """Each practice's hub in the constructive plan after border moves, or None when it cannot be built."""
    from planner.construct import construct_plan
    from planner.improve import border_moves

    try:
        working = construct_plan(instance, rules, seed=options.seed)
    except PlannerError:
        return None
    border_moves(working, seed=options.seed, deadline=began + 0.1 * options.time_limit)
    return [working.hub[int(k)] for k in working.labels]


def _check_coverage(instance, data) -> None:
    """Every practice must have at least one hub it may join."""
    reachable = {i for i, _ in data.pairs}
    for i, code in enumerate(instance.codes):
        if i not in reachable:
            raise InfeasibleError("candidate_hubs", f"practice {code} cannot reach any candidate hub within "
                                                    f"max_population along the practice graph")


def _infeasible_reason(rules: Rules) -> str:
    """What to relax when HiGHS proves the rules infeasible after the pre-checks passed."""
    active = ["population bounds"]
    if rules.contiguity:
        active.append("contiguity")
    if rules.max_interest_share is not None:
        active.append(f"max_interest_share {rules.max_interest_share:g}")
    if rules.cannot_link:
        active.append("cannot_link")
    if rules.must_link:
        active.append("must_link")
    if rules.coterminosity == "hard":
        active.append("hard coterminosity")
    low, high = rules.consortia_range
    return (f"HiGHS proved that no plan meets {', '.join(active)} with {low}"
            f"{'' if low == high else f' to {high}'} consortia; relax one of these")
