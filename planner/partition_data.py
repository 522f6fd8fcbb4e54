"""Turns an instance and its rules into the partition model's plain data (positions, costs, allowed pairs)."""

from __future__ import annotations

import numpy as np

from models.partition.data import PartitionData
from models.partition.reduce import allowed_pairs
from planner.metrics import cost_scale
from planner.rules import Rules


def partition_data(instance, rules: Rules, contiguity_method: str = "cuts", nearest: int | None = None,
                   keep: dict[int, int] | None = None) -> PartitionData:
    """PartitionData for the instance under the rules, with provably safe variable fixing applied; with
    `nearest`, each practice also keeps only its `nearest` closest candidate hubs (and its `keep` hub), a
    heuristic restriction for re-solving a plan's assignment, not a safe one."""
    weight = instance.list_size.astype(float)
    edges = [(instance.index[a], instance.index[b]) for a, b in instance.edges]
    hubs = list(range(len(weight))) if rules.candidate_hubs is None else \
        sorted(instance.index[c] for c in rules.candidate_hubs)
    lad_codes = instance.practices["lad_code"].tolist()
    lad_ids = {code: k for k, code in enumerate(sorted(set(lad_codes)))}
    lad = [lad_ids[c] for c in lad_codes]
    if nearest is not None and not rules.contiguity and rules.coterminosity != "hard":
        pairs = _nearest_pairs(instance, hubs, nearest, keep or {})
    else:
        pairs = allowed_pairs(weight, edges, hubs, max_population=rules.max_population,
                              contiguity=rules.contiguity, lad=lad if rules.coterminosity == "hard" else None)
        if nearest is not None:
            chosen = set(_nearest_pairs(instance, hubs, nearest, keep or {}))
            pairs = [p for p in pairs if p in chosen]
    ii = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    jj = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    price = np.ones_like(weight) if rules.unweighted_cost else weight
    cost = price[ii] * instance.distance.between(ii, jj) ** rules.distance_power
    low, high = rules.consortia_range
    groups = [sorted(members) for _, members in sorted(instance.interest_holders.items()) if len(members) > 1]
    return PartitionData(
        weight=weight, pairs=pairs, cost=cost, edges=edges,
        min_consortia=low, max_consortia=high,
        min_population=float(rules.min_population),
        max_population=None if rules.max_population is None else float(rules.max_population),
        contiguity=contiguity_method if rules.contiguity else "none",
        interest_groups=groups, max_interest_share=rules.max_interest_share,
        soft_interest_share=rules.soft_interest_share, exposure_weight=rules.exposure_weight,
        cannot_link=[(instance.index[a], instance.index[b]) for a, b in rules.cannot_link],
        must_link=[[instance.index[c] for c in group] for group in rules.must_link],
        lad=lad, la_split_weight=rules.la_split_weight if rules.coterminosity == "penalty" else 0.0,
        target_population=rules.target_population, deviation_weight=rules.deviation_weight,
        scale=cost_scale(instance))


def _nearest_pairs(instance, hubs: list[int], nearest: int, keep: dict[int, int]) -> list[tuple[int, int]]:
    """Pairs joining each practice to one of its `nearest` closest hubs or to its kept hub, sorted by hub."""
    hub_array = np.asarray(hubs, dtype=np.int64)
    n = len(instance.codes)
    chosen = set((j, j) for j in hubs) | {(i, j) for i, j in keep.items()}
    m = min(nearest, len(hub_array))
    for start in range(0, n, 1000):
        idx = np.arange(start, min(n, start + 1000))
        d = instance.distance.between(idx[:, None], hub_array[None, :])
        near = np.argpartition(d, m - 1, axis=1)[:, :m] if m < len(hub_array) else \
            np.broadcast_to(np.arange(len(hub_array)), d.shape)
        chosen.update((int(i), int(hub_array[j])) for i, row in zip(idx, near) for j in row)
    return sorted(chosen, key=lambda p: (p[1], p[0]))
