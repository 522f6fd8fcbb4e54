"""Repairs a plan that breaks contiguity: each detached piece joins the neighbouring consortium nearest its hub."""

from __future__ import annotations

import networkx as nx


def repair_contiguity(graph: nx.Graph, hub_of: list[int], cost) -> list[int]:
    """A copy of hub_of where every piece cut off from its hub is moved, whole, to an adjacent consortium.

    `graph` has practice positions as nodes; `cost(i, j)` prices practice i at hub j (None when not allowed).
    Pieces are moved smallest first; a piece with no allowed neighbouring consortium stays where it is.
    """
    hub_of = list(hub_of)
    for _ in range(len(hub_of)):
        pieces = _detached_pieces(graph, hub_of)
        if not pieces:
            break
        moved = False
        for piece in sorted(pieces, key=lambda p: (len(p), min(p))):
            options = {hub_of[v] for u in piece for v in graph[u] if v not in piece} - {hub_of[next(iter(piece))]}
            priced = []
            for j in sorted(options):
                prices = [cost(i, j) for i in piece]
                if all(p is not None for p in prices):
                    priced.append((sum(prices), j))
            if priced:
                target = min(priced)[1]
                for i in piece:
                    hub_of[i] = target
                moved = True
                break
        if not moved:
            break
    return hub_of


def _detached_pieces(graph: nx.Graph, hub_of: list[int]) -> list[set[int]]:
    """Connected pieces of each consortium that do not contain its hub."""
    members: dict[int, list[int]] = {}
    for i, j in enumerate(hub_of):
        members.setdefault(j, []).append(i)
    return [piece for j, group in sorted(members.items())
            for piece in nx.connected_components(graph.subgraph(group)) if j not in piece]
