"""Independent verifier: checks every rule on a plan from the raw inputs, never from the model.

Contiguity is checked with networkx on the practice graph; every solve passes its plan through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from planner.metrics import exposure
from planner.plan import Plan
from planner.rules import Rules

TOLERANCE = 1e-9


@dataclass(frozen=True)
class RuleCheck:
    """The verdict on one rule, with the consortia or practices that break it."""

    rule: str
    passed: bool
    detail: str
    violations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """Rule-by-rule verdict on a plan."""

    checks: list[RuleCheck]

    @property
    def passed(self) -> bool:
        """True when every rule holds."""
        return all(c.passed for c in self.checks)

    def failures(self) -> list[RuleCheck]:
        """The rules that do not hold."""
        return [c for c in self.checks if not c.passed]

    def as_list(self) -> list[dict]:
        """JSON-ready list of checks."""
        return [{"rule": c.rule, "passed": c.passed, "detail": c.detail, "violations": c.violations[:20]}
                for c in self.checks]


def verify_plan(instance, plan: Plan, rules: Rules | None = None) -> Verdict:
    """Check every rule of `rules` (default: the instance's) on the plan."""
    rules = rules or instance.rules
    checks = [_one_each(instance, plan)]
    if not checks[0].passed:
        return Verdict(checks)
    consortia = {c: [instance.index[p] for p in codes] for c, codes in plan.consortia().items()}
    sizes = {c: int(instance.list_size[m].sum()) for c, m in consortia.items()}
    checks.append(_count(len(consortia), rules))
    checks.append(_population(sizes, rules))
    if rules.contiguity:
        checks.append(_contiguity(instance, plan))
    if rules.max_interest_share is not None:
        checks.append(_interest_cap(instance, consortia, rules.max_interest_share))
    if rules.cannot_link:
        broken = [f"{a}+{b}" for a, b in rules.cannot_link if plan.assignment[a] == plan.assignment[b]]
        checks.append(RuleCheck("cannot_link", not broken,
                                f"{len(rules.cannot_link)} pair(s) kept apart" if not broken
                                else f"{len(broken)} pair(s) share a consortium", broken))
    if rules.must_link:
        broken = ["+".join(g) for g in rules.must_link if len({plan.assignment[c] for c in g}) > 1]
        checks.append(RuleCheck("must_link", not broken,
                                f"{len(rules.must_link)} group(s) kept together" if not broken
                                else f"{len(broken)} group(s) split", broken))
    if rules.coterminosity == "hard":
        lad = instance.practices["lad_code"].to_numpy()
        broken = [f"{c} spans {len(set(lad[m]))}" for c, m in consortia.items() if len(set(lad[m])) > 1]
        checks.append(RuleCheck("coterminosity", not broken,
                                "no consortium crosses a local authority" if not broken
                                else f"{len(broken)} consortium(s) cross a local authority", broken))
    if rules.candidate_hubs is not None and plan.hubs:
        allowed = set(rules.candidate_hubs)
        broken = [f"{c}: {h}" for c, h in plan.hubs.items() if h not in allowed]
        checks.append(RuleCheck("candidate_hubs", not broken, "hubs among the candidates" if not broken
                                else f"{len(broken)} hub(s) outside the candidates", broken))
    if plan.hubs:
        broken = [f"{c}: {h}" for c, h in plan.hubs.items() if plan.assignment.get(h) != c]
        checks.append(RuleCheck("hub_membership", not broken, "every hub is a member of its consortium"
                                if not broken else f"{len(broken)} hub(s) outside their consortium", broken))
    return Verdict(checks)


def _one_each(instance, plan: Plan) -> RuleCheck:
    """Every practice of the instance in exactly one consortium, and no unknown practice."""
    missing = [c for c in instance.codes if c not in plan.assignment]
    unknown = [c for c in plan.assignment if c not in instance.index]
    broken = [f"missing {c}" for c in missing] + [f"unknown {c}" for c in unknown]
    return RuleCheck("one_consortium_per_practice", not broken,
                     f"all {len(instance.codes)} practices placed once" if not broken
                     else f"{len(missing)} missing, {len(unknown)} unknown", broken)


def _count(n: int, rules: Rules) -> RuleCheck:
    """Number of consortia within the allowed range."""
    low, high = rules.consortia_range
    ok = n >= low and (high is None or n <= high)
    allowed = f"{low}" if low == high else f"{low} to {high if high is not None else 'any'}"
    return RuleCheck("consortia_count", ok, f"{n} consortia (allowed {allowed})")


def _population(sizes: dict[str, int], rules: Rules) -> RuleCheck:
    """Each consortium's list size within [min_population, max_population]."""
    high = rules.max_population
    broken = [f"{c}: {s:,}" for c, s in sizes.items()
              if s < rules.min_population or (high is not None and s > high)]
    bounds = f"{rules.min_population:,} to {high:,}" if high is not None else f"at least {rules.min_population:,}"
    return RuleCheck("population_bounds", not broken,
                     f"sizes {min(sizes.values()):,} to {max(sizes.values()):,} (allowed {bounds})", broken)


def _contiguity(instance, plan: Plan) -> RuleCheck:
    """Each consortium connected in the practice graph."""
    graph = instance.graph
    broken = []
    for consortium, codes in plan.consortia().items():
        pieces = nx.number_connected_components(graph.subgraph(codes))
        if pieces > 1:
            broken.append(f"{consortium}: {pieces} pieces")
    return RuleCheck("contiguity", not broken, "every consortium is connected" if not broken
                     else f"{len(broken)} consortium(s) not connected", broken)


def _interest_cap(instance, consortia: dict[str, list[int]], cap: float) -> RuleCheck:
    """No interest holder above `cap` of its consortium's list."""
    broken = []
    for consortium, members in consortia.items():
        share, holder = exposure(instance, members)
        if share > cap + TOLERANCE:
            broken.append(f"{consortium}: {holder} holds {share:.1%}")
    return RuleCheck("max_interest_share", not broken, f"every holder at most {cap:.1%}" if not broken
                     else f"{len(broken)} consortium(s) above {cap:.1%}", broken)
