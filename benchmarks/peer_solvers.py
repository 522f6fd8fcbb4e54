"""The peer tools' own calls: spopt's exact p-median and regionalisation heuristics, GerryChain ReCom bursts.

Each solver takes plain arrays (see PeerInput) and returns one label per node, or raises. They run inside a
child process with a hard deadline (benchmarks/peers.py), so none needs to police its own time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import numpy as np


@dataclass(frozen=True)
class PeerInput:
    """What a peer sees of a case: weights, distances, graph, coordinates, k and the population bounds."""

    weight: np.ndarray
    distance: np.ndarray
    edges: list[tuple[int, int]]
    x: np.ndarray | None
    y: np.ndarray | None
    k: int
    min_population: int
    max_population: int | None
    power: int
    unweighted: bool
    time_limit: float
    seed: int


def spopt_pmedian(data: PeerInput) -> list[int]:
    """spopt's exact PMedian (capacitated when the case has a cap) solved by HiGHS through PuLP.

    Labels come from the largest assignment value of each client: spopt's fac2cli lists a client under every
    facility with a positive value, and HiGHS leaves values like 1e-10 on closed ones.
    """
    import pulp
    from spopt.locate import PMedian

    began = time.perf_counter()
    cost = data.distance ** data.power
    weight = data.weight.astype(float)
    if data.unweighted:
        cost = np.divide(cost, weight[:, None], out=np.zeros_like(cost), where=weight[:, None] > 0)
    capacities = None if data.max_population is None else np.full(len(weight), float(data.max_population))
    model = PMedian.from_cost_matrix(cost, weight, p_facilities=data.k, facility_capacities=capacities)
    left = max(1.0, data.time_limit - (time.perf_counter() - began))
    model.solve(pulp.HiGHS(msg=False, timeLimit=left, threads=1, random_seed=data.seed))
    values = np.array([[var.value() or 0.0 for var in row] for row in model.cli_assgn_vars])
    return [int(j) for j in values.argmax(axis=1)]


def _frame(data: PeerInput):
    """A DataFrame with coordinates and population, and libpysal weights from the case's graph."""
    import pandas as pd
    from libpysal.weights import W

    neighbours: dict[int, list[int]] = {i: [] for i in range(len(data.weight))}
    for a, b in data.edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    frame = pd.DataFrame({"x": data.x, "y": data.y, "pop": data.weight.astype(float)})
    return frame, W(neighbours, silence_warnings=True)


def spopt_maxp(data: PeerInput) -> list[int]:
    """Max-p regions on coordinates with the population floor as threshold (it chooses the number of regions)."""
    from spopt.region import MaxPHeuristic

    frame, w = _frame(data)
    model = MaxPHeuristic(frame, w, ["x", "y"], "pop", float(data.min_population), top_n=2)
    model.solve()
    return [int(v) for v in model.labels_]


def spopt_azp(data: PeerInput) -> list[int]:
    """AZP with k regions on coordinates (no population bounds in the method)."""
    from spopt.region import AZP

    frame, w = _frame(data)
    model = AZP(frame, w, ["x", "y"], n_clusters=data.k, random_state=data.seed)
    model.solve()
    return [int(v) for v in model.labels_]


def spopt_skater(data: PeerInput) -> list[int]:
    """SKATER with k regions on coordinates (its floor counts areas, not population, so none is set)."""
    from spopt.region import Skater

    frame, w = _frame(data)
    model = Skater(frame, w, ["x", "y"], n_clusters=data.k)
    model.solve()
    return [int(v) for v in model.labels_]


def spopt_region_kmeans(data: PeerInput) -> list[int]:
    """Region k-means with k contiguous regions on coordinates."""
    from spopt.region import RegionKMeansHeuristic

    frame, w = _frame(data)
    model = RegionKMeansHeuristic(frame[["x", "y"]].to_numpy(), data.k, w, seed=data.seed)
    model.solve()
    return [int(v) for v in model.labels_]


def hess_cost(data: PeerInput, members: list[int]) -> float:
    """The case's objective for one district: the best member as centre (the engine's own scoring rule)."""
    idx = np.asarray(members)
    price = np.ones(len(idx)) if data.unweighted else data.weight[idx].astype(float)
    return float((price @ data.distance[np.ix_(idx, idx)] ** data.power).min())


def gerrychain_recom(data: PeerInput) -> list[int]:
    """GerryChain ReCom as an optimiser: short bursts minimising the case's objective within the bounds."""
    import networkx as nx
    from gerrychain import Graph, Partition
    from gerrychain.constraints import within_percent_of_ideal_population
    from gerrychain.optimization import SingleMetricOptimizer
    from gerrychain.partition import recursive_tree_part
    from gerrychain.proposals import recom
    from gerrychain.updaters import Tally

    began = time.perf_counter()
    base = nx.Graph()
    base.add_nodes_from((i, {"population": int(w)}) for i, w in enumerate(data.weight))
    base.add_edges_from(data.edges)
    graph = Graph.from_networkx(base)
    ideal = float(data.weight.sum()) / data.k
    high = data.max_population if data.max_population is not None else 2 * ideal
    epsilon = max(1e-6, min((high - ideal) / ideal, (ideal - data.min_population) / ideal))
    seed_plan = recursive_tree_part(graph, range(data.k), ideal, "population", epsilon, rng=data.seed)
    start = Partition(graph, seed_plan, {"population": Tally("population", alias="population")})

    def objective(partition) -> float:
        return sum(hess_cost(data, list(nodes)) for nodes in partition.parts.values())

    proposal = partial(recom, pop_col="population", pop_target=ideal, epsilon=epsilon, node_repeats=2,
                       rng=data.seed)
    optimiser = SingleMetricOptimizer(proposal, [within_percent_of_ideal_population(start, epsilon)], start,
                                      objective, maximize=False, rng=data.seed)
    for _ in optimiser.short_bursts(burst_length=10, num_bursts=10**9):
        if time.perf_counter() - began > data.time_limit * 0.9:
            break
    best = optimiser.best_part or start
    return [int(best.assignment[i]) for i in range(len(data.weight))]
