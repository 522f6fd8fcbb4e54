"""Metrics of a plan computed from the raw inputs: locality, population, exposure, authorities spanned.

Never imports the model: these are the independent numbers the solver's objective is checked against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from planner.geo import among
from planner.plan import Plan
from planner.rules import Rules


@dataclass(frozen=True)
class ConsortiumMetrics:
    """One consortium's numbers."""

    consortium: str
    hub: str
    practices: int
    list_size: int
    cost: float
    locality_km: float
    exposure: float
    exposure_holder: str
    coi_distance: float
    local_authorities: int


@dataclass(frozen=True)
class PlanMetrics:
    """A plan's numbers, with its consortia."""

    consortia: list[ConsortiumMetrics]
    locality_km: float
    cost: float
    objective: float
    min_population: int
    max_population: int
    max_exposure: float
    min_coi_distance: float
    la_extra_spans: int

    def summary(self) -> dict:
        """Plan-level numbers as a plain dict."""
        data = asdict(self)
        data.pop("consortia")
        data["n_consortia"] = len(self.consortia)
        return data


def _price(instance, members, unweighted: bool) -> np.ndarray:
    """What each member's distance is multiplied by: its patients, or 1 under the unweighted convention."""
    return np.ones(len(members)) if unweighted else instance.list_size[members].astype(float)


def choose_hub(instance, members: list[int], power: int, candidates: set[int] | None,
               unweighted: bool = False) -> tuple[int, float]:
    """The member minimising weighted distance (to the given power) to the others, and that cost."""
    weight = _price(instance, members, unweighted)
    dist = among(instance.distance, members) ** power
    cost = weight @ dist
    allowed = [k for k, m in enumerate(members) if candidates is None or m in candidates]
    if not allowed:
        return members[int(np.argmin(cost))], float("inf")
    best = min(allowed, key=lambda k: (cost[k], members[k]))
    return members[best], float(cost[best])


def hub_cost(instance, members: list[int], hub: int, power: int, unweighted: bool = False) -> float:
    """Weighted distance (to the given power) from the members to a given hub."""
    d = instance.distance.between(np.asarray(members), hub) ** power
    return float(_price(instance, members, unweighted) @ d)


def exposure(instance, members: list[int]) -> tuple[float, str]:
    """Largest share of the consortium's list held by one interest holder (a practice or a label)."""
    sizes = instance.list_size
    total = float(sizes[members].sum())
    if total <= 0:
        return 0.0, ""
    top = max(members, key=lambda m: (sizes[m], -m))
    best, holder = sizes[top] / total, instance.codes[top]
    member_set = set(members)
    for label, holders in sorted(instance.interest_holders.items()):
        share = sum(int(sizes[h]) for h in holders if h in member_set) / total
        if share > best:
            best, holder = share, label
    return float(best), holder


def plan_metrics(instance, plan: Plan, rules: Rules | None = None) -> PlanMetrics:
    """Compute every metric of a plan; hubs are the plan's own, else each consortium's best member."""
    rules = rules or instance.rules
    power = rules.distance_power
    candidates = None if rules.candidate_hubs is None else {instance.index[c] for c in rules.candidate_hubs}
    lad = instance.practices["lad_code"].to_numpy()
    rows = []
    for consortium, codes in plan.consortia().items():
        members = [instance.index[c] for c in codes]
        if consortium in plan.hubs:
            hub = instance.index[plan.hubs[consortium]]
            cost = hub_cost(instance, members, hub, power, rules.unweighted_cost)
        else:
            hub, cost = choose_hub(instance, members, power, candidates, rules.unweighted_cost)
        size = int(instance.list_size[members].sum())
        locality = hub_cost(instance, members, hub, 1) / max(size, 1)
        share, holder = exposure(instance, members)
        rows.append(ConsortiumMetrics(
            consortium=consortium, hub=instance.codes[hub], practices=len(members), list_size=size,
            cost=cost, locality_km=locality, exposure=share, exposure_holder=holder, coi_distance=1 - share,
            local_authorities=len({x for x in lad[members] if x}) or 1))
    total = int(instance.list_size.sum())
    cost = sum(r.cost for r in rows)
    locality = sum(r.locality_km * r.list_size for r in rows) / max(total, 1)
    return PlanMetrics(
        consortia=rows, locality_km=locality, cost=cost,
        objective=objective_value(instance, plan, rules, rows),
        min_population=min(r.list_size for r in rows), max_population=max(r.list_size for r in rows),
        max_exposure=max(r.exposure for r in rows), min_coi_distance=min(r.coi_distance for r in rows),
        la_extra_spans=sum(r.local_authorities - 1 for r in rows))


def cost_scale(instance) -> float:
    """Divisor of the cost in the objective: total patients (so locality reads as km per patient)."""
    if getattr(instance, "cost_divisor", None):
        return float(instance.cost_divisor)
    return float(max(instance.list_size.sum(), 1))


def objective_value(instance, plan: Plan, rules: Rules, rows: list[ConsortiumMetrics]) -> float:
    """The model's objective recomputed from the plan: cost per patient plus the weighted soft terms."""
    value = sum(r.cost for r in rows) / cost_scale(instance)
    if rules.coterminosity == "penalty":
        value += rules.la_split_weight * sum(r.local_authorities - 1 for r in rows)
    if rules.deviation_weight:
        target = float(rules.target_population)
        value += rules.deviation_weight * sum(abs(r.list_size - target) / target for r in rows)
    if rules.exposure_weight:
        value += rules.exposure_weight * _excess_exposure(instance, plan, rules.soft_interest_share) / 1000.0
    return value


def _excess_exposure(instance, plan: Plan, soft: float) -> float:
    """Patients held by each interest holder above the soft share of its consortium, summed."""
    sizes = instance.list_size
    excess = 0.0
    for codes in plan.consortia().values():
        members = [instance.index[c] for c in codes]
        member_set = set(members)
        total = float(sizes[members].sum())
        held = [float(sizes[m]) for m in members]
        held += [float(sum(sizes[h] for h in hs if h in member_set))
                 for hs in instance.interest_holders.values() if len(hs) > 1]
        excess += sum(max(0.0, h - soft * total) for h in held)
    return excess
