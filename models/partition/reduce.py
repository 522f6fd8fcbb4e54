"""Variable fixing for the partition model that provably keeps every feasible plan (so the optimum).

A practice i can join hub j only if some path from i to j carries at most max_population patients when
contiguity holds (all practices on it share the consortium), and only if both lie in one local authority
when coterminosity is hard.
"""

from __future__ import annotations

import heapq

import numpy as np


def allowed_pairs(weight: np.ndarray, edges: list[tuple[int, int]], hubs: list[int], *,
                  max_population: float | None, contiguity: bool,
                  lad: list[int] | None = None) -> list[tuple[int, int]]:
    """All (practice, hub) pairs that some feasible plan could use, sorted by hub then practice."""
    n = len(weight)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        if lad is None or lad[a] == lad[b]:
            neighbours[a].append(b)
            neighbours[b].append(a)
    pairs = []
    for j in hubs:
        if contiguity:
            reach = _node_weighted_ball(weight, neighbours, j, max_population)
        else:
            reach = [i for i in range(n) if lad is None or lad[i] == lad[j]]
        pairs += [(i, j) for i in sorted(reach)]
    return pairs


def _node_weighted_ball(weight, neighbours, source: int, limit: float | None) -> list[int]:
    """Practices whose lightest path from source (summing patients of every practice on it) is within limit."""
    limit = float("inf") if limit is None else float(limit)
    best = {source: float(weight[source])}
    heap = [(best[source], source)]
    while heap:
        dist, u = heapq.heappop(heap)
        if dist > best.get(u, float("inf")):
            continue
        for v in neighbours[u]:
            nd = dist + float(weight[v])
            if nd <= limit and nd < best.get(v, float("inf")):
                best[v] = nd
                heapq.heappush(heap, (nd, v))
    return list(best)
