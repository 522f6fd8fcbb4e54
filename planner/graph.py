"""The practice graph: adjacency between practices as a networkx graph."""

from __future__ import annotations

import networkx as nx


def practice_graph(codes: list[str], edges: list[tuple[str, str]]) -> nx.Graph:
    """Undirected graph whose nodes are practice codes and whose edges are the adjacencies."""
    graph = nx.Graph()
    graph.add_nodes_from(codes)
    graph.add_edges_from(edges)
    return graph
