"""Practice adjacency graph built from practice coordinates.

Contiguity constraints need to know which practices are neighbours, but no
practice catchment or CCG boundary polygons are available. This module
derives a neighbour graph from the practice locations alone:

1. Project WGS84 latitude/longitude to a plane in km (azimuthal equidistant
   about the points' centroid; distortion is well under 1 % across England).
2. Collapse practices with identical coordinates (shared health-centre
   sites) into one site each, because Delaunay triangulation cannot hold
   duplicate points.
3. Triangulate the sites (Delaunay). With fewer than three sites, or when
   all sites are collinear, use the minimum spanning tree instead, which
   chains each site to its nearest neighbours.
4. Prune long edges: an edge is dropped when it is longer than
   ``prune_factor`` times the median length of the Delaunay edges at *both*
   of its endpoints, or longer than ``max_edge_km``. The relative test
   removes edges that span empty areas (bays, estuaries, the edge of the
   convex hull) while keeping every edge that is ordinary for at least one
   of its ends. The absolute cap catches the very long edges of the national
   hull (across the Irish and North Seas, and across Wales and Scotland,
   which are not in the data), whose endpoints have only long edges.
   Neighbouring practices in England are rarely more than 30 km apart, and
   a site further than that from all others (the Isles of Scilly) is still
   joined by step 5.
5. Reconnect: the pruned edges are offered back shortest first, and one is
   kept only when it joins two different connected components (Kruskal).
   Each added link is therefore the shortest link between two components,
   and the result is connected. (The closest pair of points between two
   components is always a Delaunay edge, so nothing is missed.)
6. Expand sites back to practices: practices on one site are all linked to
   each other, and each gets the neighbours of its site.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError
from scipy.spatial.distance import pdist, squareform

EARTH_RADIUS_KM = 6371.0088
DEFAULT_PRUNE_FACTOR = 3.0
DEFAULT_MAX_EDGE_KM = 30.0


@dataclass(frozen=True)
class Adjacency:
    """Practice edges plus the diagnostics of how they were built."""

    edges: list[tuple[str, str]]
    n_sites: int
    n_candidate_edges: int
    n_pruned: int
    n_components_before: int
    n_reconnecting_links: int
    triangulated: bool


def project_km(latitude, longitude) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 degrees to azimuthal equidistant (x, y) km about the centroid."""
    lat = np.radians(np.asarray(latitude, dtype=float))
    lon = np.radians(np.asarray(longitude, dtype=float))
    if lat.size == 0:
        return np.zeros(0), np.zeros(0)
    lat0, lon0 = lat.mean(), lon.mean()
    dlon = lon - lon0
    cos_c = np.sin(lat0) * np.sin(lat) + np.cos(lat0) * np.cos(lat) * np.cos(dlon)
    c = np.arccos(np.clip(cos_c, -1.0, 1.0))
    sin_c = np.sin(c)
    k = np.ones_like(c)
    nonzero = sin_c > 1e-15
    k[nonzero] = c[nonzero] / sin_c[nonzero]
    x = EARTH_RADIUS_KM * k * np.cos(lat) * np.sin(dlon)
    y = EARTH_RADIUS_KM * k * (
        np.cos(lat0) * np.sin(lat) - np.sin(lat0) * np.cos(lat) * np.cos(dlon)
    )
    return x, y


def _candidate_edges(points: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return Delaunay edges (i < j) of the sites, or MST edges if triangulation fails."""
    if len(points) >= 3:
        try:
            tri = Delaunay(points)
        except QhullError:
            tri = None
        if tri is not None:
            s = tri.simplices
            # Points Qhull left out as numerically coincident join their nearest vertex.
            pairs = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]], tri.coplanar[:, [0, 2]]])
            return np.unique(np.sort(pairs, axis=1), axis=0), True
    if len(points) < 2:
        return np.zeros((0, 2), dtype=int), False
    mst = minimum_spanning_tree(squareform(pdist(points))).tocoo()
    pairs = np.column_stack([mst.row, mst.col])
    return np.unique(np.sort(pairs, axis=1), axis=0), False


def _median_incident_length(n: int, pairs: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Return, for each site, the median length of its candidate edges."""
    ends = np.concatenate([pairs[:, 0], pairs[:, 1]])
    lengths = np.concatenate([length, length])
    order = np.lexsort((lengths, ends))
    ends, lengths = ends[order], lengths[order]
    median = np.zeros(n)
    starts = np.searchsorted(ends, np.arange(n + 1))
    for site in range(n):
        own = lengths[starts[site] : starts[site + 1]]
        if own.size:
            median[site] = np.median(own)
    return median


def _reconnect(n: int, kept: np.ndarray, pruned: np.ndarray, pruned_length: np.ndarray):
    """Add pruned edges shortest first when they join two components (Kruskal)."""
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in kept:
        parent[find(a)] = find(b)
    added = []
    for idx in np.lexsort((pruned[:, 1], pruned[:, 0], pruned_length)):
        ra, rb = find(pruned[idx, 0]), find(pruned[idx, 1])
        if ra != rb:
            parent[ra] = rb
            added.append(pruned[idx])
    return np.array(added, dtype=int).reshape(-1, 2)


def _components(n: int, pairs: np.ndarray) -> int:
    """Return the number of connected components of a site graph."""
    if n == 0:
        return 0
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return int(connected_components(graph, directed=False)[0])


def adjacency_details(
    codes: list[str],
    latitude: np.ndarray,
    longitude: np.ndarray,
    *,
    prune_factor: float = DEFAULT_PRUNE_FACTOR,
    max_edge_km: float = DEFAULT_MAX_EDGE_KM,
) -> Adjacency:
    """Build the practice adjacency graph and report how it was built."""
    codes = [str(c) for c in codes]
    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    if not (len(codes) == lat.size == lon.size):
        raise ValueError("codes, latitude and longitude must have the same length")
    if len(set(codes)) != len(codes):
        raise ValueError("practice codes must be unique")
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        raise ValueError("coordinates must be finite")
    if prune_factor <= 0 or max_edge_km <= 0:
        raise ValueError("prune_factor and max_edge_km must be positive")

    x, y = project_km(lat, lon)
    sites, site_of = np.unique(np.column_stack([lat, lon]), axis=0, return_inverse=True)
    site_of = site_of.reshape(-1)
    n_sites = len(sites)
    points = np.zeros((n_sites, 2))
    points[site_of] = np.column_stack([x, y])

    pairs, triangulated = _candidate_edges(points)
    length = np.hypot(*(points[pairs[:, 0]] - points[pairs[:, 1]]).T)
    median = _median_incident_length(n_sites, pairs, length)
    too_long = (
        (length > prune_factor * median[pairs[:, 0]]) & (length > prune_factor * median[pairs[:, 1]])
    ) | (length > max_edge_km)
    kept = pairs[~too_long]
    n_before = _components(n_sites, kept)
    added = _reconnect(n_sites, kept, pairs[too_long], length[too_long])
    site_edges = np.vstack([kept, added])

    members: list[list[str]] = [[] for _ in range(n_sites)]
    for code, site in zip(codes, site_of):
        members[site].append(code)
    edges: set[tuple[str, str]] = set()
    for group in members:
        edges.update((a, b) for a in group for b in group if a < b)
    for s, t in site_edges:
        edges.update((min(a, b), max(a, b)) for a in members[s] for b in members[t])

    return Adjacency(
        edges=sorted(edges),
        n_sites=n_sites,
        n_candidate_edges=len(pairs),
        n_pruned=int(too_long.sum()),
        n_components_before=n_before,
        n_reconnecting_links=len(added),
        triangulated=triangulated,
    )


def build_adjacency(
    codes: list[str],
    latitude: np.ndarray,
    longitude: np.ndarray,
    *,
    prune_factor: float = DEFAULT_PRUNE_FACTOR,
    max_edge_km: float = DEFAULT_MAX_EDGE_KM,
) -> list[tuple[str, str]]:
    """Return the sorted undirected practice edges (a, b), a < b, forming a connected graph."""
    return adjacency_details(
        codes, latitude, longitude, prune_factor=prune_factor, max_edge_km=max_edge_km
    ).edges
