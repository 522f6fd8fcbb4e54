"""Groups of whole local authorities for first plans under the split penalty: each consortium is then cut
from one group, so it spans extra authorities only where an authority is too small to stand alone.

An authority with at least min_population patients forms its own group. A smaller one must share a
consortium with a neighbour, and joins the nearest neighbouring group, small or large (smallest group
first). Preferring small neighbours (two small authorities share one extra authority) gave worse first
plans: after border moves, 8.246 against 8.108 on the national policy scenario, and 7.865 against 7.402
on Durham and Tees."""

from __future__ import annotations

import networkx as nx
import numpy as np

from planner.rules import Rules


def authority_groups(instance, rules: Rules) -> list[list[int]] | None:
    """Practice positions of each group of whole authority pieces (connected parts of an authority), each
    reaching min_population and connected in the practice graph; None when some group cannot."""
    pieces = _pieces(instance)
    weight = instance.list_size.astype(float)
    population = [float(weight[p].sum()) for p in pieces]
    centre = [_centre(instance, p, weight) for p in pieces]
    piece_of = np.empty(len(instance.codes), dtype=np.int64)
    for k, members in enumerate(pieces):
        piece_of[members] = k
    touching = nx.Graph()
    touching.add_nodes_from(range(len(pieces)))
    for a, b in instance.edges:
        pa, pb = int(piece_of[instance.index[a]]), int(piece_of[instance.index[b]])
        if pa != pb:
            touching.add_edge(pa, pb)
    group = {k: {k} for k in range(len(pieces))}
    owner = list(range(len(pieces)))
    floor = float(rules.min_population)
    while True:
        short = [g for g in group if sum(population[k] for k in group[g]) < floor]
        if not short:
            break
        g = min(short, key=lambda h: (sum(population[k] for k in group[h]), h))
        neighbours = {owner[n] for k in group[g] for n in touching[k]} - {g}
        if not neighbours:
            return None
        nearest = {h: min(float(instance.distance.between(np.array(centre[a]), np.array(centre[b])))
                          for a in group[g] for b in group[h]) for h in neighbours}
        h = min(neighbours, key=lambda h: (nearest[h], h))
        for k in group[g]:
            owner[k] = h
        group[h] |= group.pop(g)
    return sorted((sorted(int(i) for k in ks for i in pieces[k]) for ks in group.values()), key=lambda m: m[0])


def _pieces(instance) -> list[np.ndarray]:
    """Connected parts of each local authority in the practice graph (edges inside the authority only)."""
    lad = instance.practices["lad_code"].to_numpy()
    inside = nx.Graph()
    inside.add_nodes_from(range(len(instance.codes)))
    inside.add_edges_from((instance.index[a], instance.index[b]) for a, b in instance.edges
                          if lad[instance.index[a]] == lad[instance.index[b]])
    return sorted((np.array(sorted(c), dtype=np.int64) for c in nx.connected_components(inside)),
                  key=lambda m: int(m[0]))


def _centre(instance, members: np.ndarray, weight: np.ndarray) -> int:
    """The piece's practice with the least patient-weighted distance to the others (its 1-median)."""
    if len(members) > 400:
        members = members[np.argsort(-weight[members], kind="stable")[:400]]
    d = instance.distance.between(members[:, None], members[None, :])
    return int(members[int(np.argmin(weight[members] @ d))])
