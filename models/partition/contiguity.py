"""Exact contiguity for the partition model, by separator inequalities or by a compact flow.

Separator inequality: if practice i joins hub j, every vertex set S separating i from j holds a member of
j's consortium: x[i, j] <= sum of x[v, j] over v in S. The neighbourhood of i (or of j) is always such a set,
so the practice-side ones are added up front (the hub-side ones cost more to build and translate than they
save); further minimal separators are found from solutions that break contiguity.
"""

from __future__ import annotations

import networkx as nx
import pyomo.environ as pyo

from models.partition.data import PartitionData


def _adjacency(data: PartitionData) -> list[set[int]]:
    """Neighbour sets by practice position."""
    neighbours: list[set[int]] = [set() for _ in range(data.n)]
    for a, b in data.edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


def add_neighbourhood_cuts(model, data: PartitionData) -> None:
    """x[i, j] <= sum over the neighbours v of i of x[v, j], for i not adjacent to j."""
    neighbours = _adjacency(data)
    block = model.contiguity = pyo.Block()
    rows = [(i, j) for i, j in data.pairs if i != j and j not in neighbours[i]]

    def around(b, i, j):
        near = [v for v in neighbours[i] if (v, j) in data.pair_set]
        if not near:
            return model.x[i, j] == 0
        return model.x[i, j] <= pyo.quicksum(model.x[v, j] for v in near)

    block.near_practice = pyo.Constraint(rows, rule=around)
    block.separators = pyo.ConstraintList()


def add_flow_contiguity(model, data: PartitionData) -> None:
    """Shirabe's flow: each member sends one unit to its hub through members of the same consortium."""
    neighbours = _adjacency(data)
    block = model.contiguity = pyo.Block()
    arcs = [(j, u, v) for j in data.hubs for u in data.by_hub[j] for v in neighbours[u]
            if u != j and (v, j) in data.pair_set]
    block.flow = pyo.Var(arcs, domain=pyo.NonNegativeReals)
    out_arcs: dict[tuple[int, int], list] = {}
    in_arcs: dict[tuple[int, int], list] = {}
    for j, u, v in arcs:
        out_arcs.setdefault((j, u), []).append(block.flow[j, u, v])
        in_arcs.setdefault((j, v), []).append(block.flow[j, u, v])
    members = [(i, j) for i, j in data.pairs if i != j]
    block.balance = pyo.Constraint(members, rule=lambda b, i, j: pyo.quicksum(out_arcs.get((j, i), []))
                                   - pyo.quicksum(in_arcs.get((j, i), [])) == model.x[i, j])
    block.through_members = pyo.Constraint(
        [(i, j) for i, j in members if (j, i) in in_arcs],
        rule=lambda b, i, j: pyo.quicksum(in_arcs[(j, i)]) <= (len(data.by_hub[j]) - 1) * model.x[i, j])
    block.separators = pyo.ConstraintList()


def find_separators(data: PartitionData, hub_of: list[int]) -> list[tuple[int, int, list[int]]]:
    """Violated separator inequalities (i, j, S) of a plan given as each practice's hub."""
    graph = nx.Graph()
    graph.add_nodes_from(range(data.n))
    graph.add_edges_from(data.edges)
    members: dict[int, list[int]] = {}
    for i, j in enumerate(hub_of):
        members.setdefault(j, []).append(i)
    cuts = []
    for j, group in sorted(members.items()):
        for piece in nx.connected_components(graph.subgraph(group)):
            if j in piece:
                continue
            boundary = set(nx.node_boundary(graph, piece))
            rest = graph.subgraph(set(graph) - piece - boundary)
            side = nx.node_connected_component(rest, j) if j in rest else {j}
            separator = sorted(v for v in boundary if any(w in side for w in graph[v])) or sorted(boundary)
            separator = [v for v in separator if (v, j) in data.pair_set]
            cuts += [(i, j, separator) for i in sorted(piece) if (i, j) in data.pair_set]
    return cuts


def add_separators(model, cuts: list[tuple[int, int, list[int]]]) -> int:
    """Add separator inequalities to the model; returns how many were added."""
    block = model.contiguity
    for i, j, separator in cuts:
        block.separators.add(model.x[i, j] <= sum(model.x[v, j] for v in separator))
    return len(cuts)
