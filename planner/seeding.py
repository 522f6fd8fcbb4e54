"""Seeds for large instances from an exact p-median on aggregated practices.

Sampling seeds and alternating locate-allocate stalls some 10% above the p-median bound nationally, because
it cannot move consortia between regions. Solving the p-median exactly (HiGHS, through the partition model
with no contiguity, keeping the population bounds) on ~1,000 micro-areas of nearby practices places the
consortia well; their hubs seed the graph-Voronoi first plan."""

from __future__ import annotations

import numpy as np

from models.partition.builder import build_model
from models.partition.data import PartitionData
from models.partition.solver import PartitionSolver


AREAS_PER_CONSORTIUM = 10
"""Most micro-areas per consortium. Under the split penalty the nation is seeded as 40 groups of
authorities, most of them 2 consortia among 40-100 practices. With each practice as its own area, those
p-medians took 66 of the 69 s of the national policy first plan (objective 8.754). With 10 areas per
consortium the first plan takes 6.9 s (8.753); with 25 it takes 33 s (8.724). Durham-tees is unchanged
at 7.966. Regions cut again in the search (6 consortia, at most 400 practices) keep this cap: on north-2014
policy they end at 6.5508 with it and 6.6173 without, from the same first plan."""
UNCAPPED_PRACTICES = 2500
"""A first plan of at most this many practices seeds from every practice as an area (no cap): north-2014
policy (2,347 practices) then starts at 7.0345 in 22 s against 7.0862 in 2.5 s, and after border moves and
the regions cut again stands at 6.5508 against 6.6140; the national first plan keeps the cap."""


def every_area_for(instance) -> bool:
    """Whether an instance's first plan seeds from every practice as its own area (at most
    UNCAPPED_PRACTICES practices) rather than capping the areas per consortium."""
    return len(instance.codes) <= UNCAPPED_PRACTICES


def pmedian_seeds(instance, members: list[int], k: int, rng, *, micro: int = 1000, neighbours: int = 80,
                  time_limit: float = 60.0, seed: int = 0, min_population: float = 0.0,
                  max_population: float | None = None,
                  every_area: bool = False) -> tuple[list[int], list[int]] | None:
    """k hub practices among members and each member's hub, from a p-median over at most `micro` (and,
    unless every_area, at most AREAS_PER_CONSORTIUM x k) micro-areas that keeps the population bounds; None
    when it finds no solution in time."""
    idx = np.asarray(members, dtype=np.int64)
    weight = instance.list_size[idx].astype(float) + 1e-9
    metric = instance.distance
    cap = micro if every_area else min(micro, AREAS_PER_CONSORTIUM * k)
    m = min(len(idx), max(3 * k, cap))
    owner, reps = _micro_areas(metric, idx, weight, m, rng)
    area_weight = np.bincount(owner, weights=weight, minlength=len(reps))
    dist = metric.between(reps[:, None], reps[None, :])
    near = np.argsort(dist, axis=1)[:, :min(neighbours, len(reps))]
    pairs = sorted({(i, int(j)) for i in range(len(reps)) for j in near[i]} | {(j, j) for j in range(len(reps))},
                   key=lambda p: (p[1], p[0]))
    cost = np.array([area_weight[i] * dist[i, j] for i, j in pairs])
    data = PartitionData(weight=area_weight, pairs=pairs, cost=cost, edges=[], min_consortia=k, max_consortia=k,
                         min_population=float(min_population), max_population=max_population,
                         contiguity="none", scale=float(area_weight.sum()))
    run = PartitionSolver(build_model(data), data, seed=seed).run(time_limit=time_limit, gap=1e-2)
    if run.hub_of is None:
        return None
    area_hub = reps[np.asarray(run.hub_of)]
    return [int(h) for h in np.unique(area_hub)], [int(area_hub[a]) for a in owner]


def _micro_areas(metric, idx, weight, m: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Each practice's micro-area (nearest of m sampled centres) and each area's 1-median practice."""
    if m >= len(idx):
        return np.arange(len(idx)), idx.copy()
    centres = [int(np.argmax(weight))]
    nearest = metric.between(idx, idx[centres[0]])
    for _ in range(m - 1):
        score = weight * nearest
        total = score.sum()
        if total <= 0:
            break
        pick = int(rng.choice(len(idx), p=score / total))
        centres.append(pick)
        nearest = np.minimum(nearest, metric.between(idx, idx[pick]))
    owner = nearest_hub(metric, idx, idx[np.asarray(centres)])
    reps = []
    for a in range(len(centres)):
        group = idx[owner == a]
        costs = weight[owner == a] @ metric.between(group[:, None], group[None, :])
        reps.append(int(group[int(np.argmin(costs))]))
    return owner, np.asarray(reps, dtype=np.int64)


def nearest_hub(metric, idx: np.ndarray, hubs: np.ndarray, block: int = 1000) -> np.ndarray:
    """Position in hubs of each practice's nearest hub."""
    return np.concatenate([np.argmin(metric.between(idx[b:b + block, None], hubs[None, :]), axis=1)
                           for b in range(0, len(idx), block)])
