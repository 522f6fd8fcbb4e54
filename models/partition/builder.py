"""Builds the partition model: a capacitated p-median over practices with a hub chosen in each consortium.

x[i, j] = 1 when practice i joins the consortium whose hub is practice j; x[j, j] opens hub j. Each rule
is one `add_<rule>` function building a Block named after the rule; RULES lists them in build order.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.partition.data import PartitionData


def build_model(data: PartitionData) -> pyo.ConcreteModel:
    """The full Pyomo model for the data, with every rule that has data."""
    model = pyo.ConcreteModel(name="partition")
    model.pairs = pyo.Set(initialize=data.pairs, dimen=2, ordered=True)
    model.x = pyo.Var(model.pairs, domain=pyo.Binary)
    model.terms = pyo.Block(doc="objective terms, one Expression each")
    for add in RULES:
        add(model, data)
    model.objective = pyo.Objective(
        expr=data.objective_factor * sum(model.terms.component_objects(pyo.Expression)), sense=pyo.minimize)
    return model


def population(model, data: PartitionData, j: int):
    """Patients assigned to hub j."""
    return pyo.quicksum(float(data.weight[i]) * model.x[i, j] for i in data.by_hub[j])


def add_assignment(model, data: PartitionData) -> None:
    """Every practice joins exactly one consortium, and only through an open hub."""
    block = model.assignment = pyo.Block()
    block.once = pyo.Constraint(range(data.n), rule=lambda b, i: pyo.quicksum(
        model.x[i, j] for j in data.by_practice[i]) == 1)
    links = [(i, j) for i, j in data.pairs if i != j]
    block.open_hub = pyo.Constraint(links, rule=lambda b, i, j: model.x[i, j] <= model.x[j, j])


def add_locality(model, data: PartitionData) -> None:
    """Objective: patients x distance^power to the hub, over the total patients (mean km per patient)."""
    model.terms.locality = pyo.Expression(expr=pyo.quicksum(
        float(c) / data.scale * model.x[p] for p, c in zip(data.pairs, data.cost) if c))


def add_consortium_count(model, data: PartitionData) -> None:
    """The number of open hubs lies in [min_consortia, max_consortia]."""
    block = model.consortium_count = pyo.Block()
    opened = pyo.quicksum(model.x[j, j] for j in data.hubs)
    block.fewest = pyo.Constraint(expr=opened >= data.min_consortia)
    if data.max_consortia is not None:
        block.most = pyo.Constraint(expr=opened <= data.max_consortia)


def add_population_bounds(model, data: PartitionData) -> None:
    """Each open consortium holds between min_population and max_population patients."""
    block = model.population_bounds = pyo.Block()
    if data.min_population > 0:
        block.floor = pyo.Constraint(data.hubs, rule=lambda b, j: population(model, data, j)
                                     >= data.min_population * model.x[j, j])
    if data.max_population is not None:
        block.cap = pyo.Constraint(data.hubs, rule=lambda b, j: population(model, data, j)
                                   <= data.max_population * model.x[j, j])


def _holders(data: PartitionData, share: float) -> list[list[int]]:
    """Interest holders (single practices and labels) that could ever exceed the share in some consortium."""
    floor = max(data.min_population, 1.0)
    singles = [[i] for i in range(data.n) if data.weight[i] > share * floor]
    groups = [g for g in data.interest_groups if len(g) > 1 and data.weight[g].sum() > share * floor]
    return singles + groups


def add_interest_cap(model, data: PartitionData) -> None:
    """No interest holder holds more than max_interest_share of its consortium's patients."""
    if data.max_interest_share is None:
        return
    share = data.max_interest_share
    rows = [(h, j) for h, group in enumerate(_holders(data, share)) for j in data.hubs
            if any((i, j) in data.pair_set for i in group)]
    if not rows:
        return
    groups = _holders(data, share)
    block = model.interest_cap = pyo.Block()
    block.cap = pyo.Constraint(rows, rule=lambda b, h, j: pyo.quicksum(
        float(data.weight[i]) * model.x[i, j] for i in groups[h] if (i, j) in data.pair_set)
        <= share * population(model, data, j))


def add_exposure_penalty(model, data: PartitionData) -> None:
    """Objective: weight x thousands of patients held by one holder above the soft share of its consortium."""
    if not data.exposure_weight or data.soft_interest_share is None:
        return
    share = data.soft_interest_share
    groups = _holders(data, share)
    rows = [(h, j) for h, group in enumerate(groups) for j in data.hubs
            if any((i, j) in data.pair_set for i in group)]
    block = model.exposure_penalty = pyo.Block()
    block.excess = pyo.Var(rows, domain=pyo.NonNegativeReals)
    block.above = pyo.Constraint(rows, rule=lambda b, h, j: b.excess[h, j] >= pyo.quicksum(
        float(data.weight[i]) * model.x[i, j] for i in groups[h] if (i, j) in data.pair_set)
        - share * population(model, data, j))
    model.terms.exposure = pyo.Expression(expr=data.exposure_weight / 1000.0 * pyo.quicksum(block.excess.values()))


def add_cannot_link(model, data: PartitionData) -> None:
    """Declared conflicts: the two practices of a pair never share a hub."""
    rows = [(a, b, j) for a, b in data.cannot_link for j in data.hubs
            if (a, j) in data.pair_set and (b, j) in data.pair_set]
    if not rows:
        return
    block = model.cannot_link = pyo.Block()
    block.apart = pyo.Constraint(rows, rule=lambda blk, a, b, j: model.x[a, j] + model.x[b, j] <= model.x[j, j])


def add_must_link(model, data: PartitionData) -> None:
    """Federations: every practice of a group joins the same hub as the group's first practice."""
    rows = []
    for group in data.must_link:
        hubs = sorted({j for i in group for j in data.by_practice[i]})
        rows += [(group[0], k, j) for k in group[1:] for j in hubs]
    if not rows:
        return
    block = model.must_link = pyo.Block()

    def same(blk, a, k, j):
        xa = model.x[a, j] if (a, j) in data.pair_set else 0
        xk = model.x[k, j] if (k, j) in data.pair_set else 0
        if isinstance(xa, int) and isinstance(xk, int):
            return pyo.Constraint.Skip
        return xa == xk

    block.together = pyo.Constraint(rows, rule=same)


def add_la_split_penalty(model, data: PartitionData) -> None:
    """Objective: weight per local authority a consortium spans beyond its first."""
    if not data.la_split_weight or data.lad is None:
        return
    block = model.la_split_penalty = pyo.Block()
    spans = sorted({(j, data.lad[i]) for i, j in data.pairs})
    block.spans = pyo.Var(spans, domain=pyo.NonNegativeReals, bounds=(0, 1))
    block.covers = pyo.Constraint([(i, j) for i, j in data.pairs],
                                  rule=lambda b, i, j: b.spans[j, data.lad[i]] >= model.x[i, j])
    block.own = pyo.Constraint(data.hubs, rule=lambda b, j: b.spans[j, data.lad[j]] == model.x[j, j])
    extra = pyo.quicksum(block.spans.values()) - pyo.quicksum(model.x[j, j] for j in data.hubs)
    model.terms.la_split = pyo.Expression(expr=data.la_split_weight * extra)


def add_population_deviation(model, data: PartitionData) -> None:
    """Objective: weight x |population - target| / target summed over open consortia."""
    if not data.deviation_weight or not data.target_population:
        return
    target = float(data.target_population)
    block = model.population_deviation = pyo.Block()
    block.deviation = pyo.Var(data.hubs, domain=pyo.NonNegativeReals)
    block.over = pyo.Constraint(data.hubs, rule=lambda b, j: b.deviation[j] >= population(model, data, j)
                                - target * model.x[j, j])
    block.under = pyo.Constraint(data.hubs, rule=lambda b, j: b.deviation[j] >= target * model.x[j, j]
                                 - population(model, data, j))
    model.terms.deviation = pyo.Expression(expr=data.deviation_weight / target * pyo.quicksum(block.deviation.values()))


def add_contiguity(model, data: PartitionData) -> None:
    """Contiguity: neighbourhood separator cuts up front ('cuts'), or a compact flow formulation ('flow')."""
    if data.contiguity == "none":
        return
    from models.partition.contiguity import add_flow_contiguity, add_neighbourhood_cuts

    if data.contiguity == "flow":
        add_flow_contiguity(model, data)
    else:
        add_neighbourhood_cuts(model, data)


RULES = [
    add_assignment,
    add_locality,
    add_consortium_count,
    add_population_bounds,
    add_interest_cap,
    add_exposure_penalty,
    add_cannot_link,
    add_must_link,
    add_la_split_penalty,
    add_population_deviation,
    add_contiguity,
]
