"""Practice adjacency graph built from practice coordinates.

Contiguity constraints need to know which practices are neighbours, but no
practice catchment or CCG boundary polygons are available. This module
derives a neighbour graph from the practice locations alone, approximating
"the practices' catchment areas touch":

1. Project WGS84 latitude/longitude to a plane in km (azimuthal equidistant
   about the points' centroid; distortion is well under 1 % across England).
2. Collapse practices with identical coordinates (shared health-centre
   sites) into one site each, because Delaunay triangulation cannot hold
   duplicate points.
3. Triangulate the sites (Delaunay). With fewer than three sites, or when
   all sites are collinear, use the minimum spanning tree instead, which
   chains each site to its nearest neighbours.
4. Remove edges that do not reflect real neighbours:

   - hull slivers: an edge on the outside of the triangulation whose
     triangle has an angle over 150 degrees opposite it passes just outside
     a third site (typically along a coast or the edge of the region) and
     skips it. Such edges are peeled off, and the edges this exposes are
     tested in turn;
   - long edges: an edge longer than ``prune_factor`` times the median
     length of the Delaunay edges at *both* of its endpoints spans an empty
     area (bay, estuary, moor) while being unusual for both ends;
   - very long edges: an edge longer than ``max_edge_km``. This catches the
     national hull (across the Irish and North Seas, and across Wales and
     Scotland, which are not in the data), whose endpoints have only long
     edges, so the relative test cannot see them. Neighbouring practices in
     England are rarely more than 30 km apart.

5. Reconnect: the removed edges are offered back shortest first, and one is
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
SLIVER_ANGLE_DEG = 150.0


@dataclass(frozen=True)
class Adjacency:
    """Practice edges plus the diagnostics of how they were built."""

    edges: list[tuple[str, str]]
    n_sites: int
    n_delaunay_edges: int
    n_slivers: int
    n_long: int
    n_components_before: int
    n_reconnecting_links: int
    triangulated: bool


def project_km(latitude, longitude) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 degrees to azimuthal equidistant (x east, y north) km about the centroid."""
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


def _triangulate(points: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the sites' candidate edges (i < j) and triangles; MST edges and None if untriangulable."""
    if len(points) >= 3:
        try:
            tri = Delaunay(points)
        except QhullError:
            tri = None
        if tri is not None:
            s = tri.simplices
            # Points Qhull left out as numerically coincident join their nearest vertex.
            pairs = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]], tri.coplanar[:, [0, 2]]])
            return np.unique(np.sort(pairs, axis=1), axis=0), s
    if len(points) < 2:
        return np.zeros((0, 2), dtype=int), None
    mst = minimum_spanning_tree(squareform(pdist(points))).tocoo()
    pairs = np.column_stack([mst.row, mst.col])
    return np.unique(np.sort(pairs, axis=1), axis=0), None


def _hull_slivers(points: np.ndarray, triangles: np.ndarray) -> set[tuple[int, int]]:
    """Return outer edges facing an angle over SLIVER_ANGLE_DEG, peeled from the hull inwards."""
    owners: dict[tuple[int, int], list[int]] = {}
    for t, tri in enumerate(triangles.tolist()):
        for k in range(3):
            a, b = sorted((tri[k], tri[(k + 1) % 3]))
            owners.setdefault((a, b), []).append(t)
    alive = np.ones(len(triangles), dtype=bool)
    cos_limit = np.cos(np.radians(SLIVER_ANGLE_DEG))
    queue = sorted(edge for edge, tris in owners.items() if len(tris) == 1)
    peeled: set[tuple[int, int]] = set()
    while queue:
        edge = queue.pop()
        live = [t for t in owners[edge] if alive[t]]
        if edge in peeled or len(live) != 1:
            continue
        tri = triangles[live[0]].tolist()
        apex = next(v for v in tri if v not in edge)
        u, v = points[edge[0]] - points[apex], points[edge[1]] - points[apex]
        if u @ v < cos_limit * np.linalg.norm(u) * np.linalg.norm(v):
            peeled.add(edge)
            alive[live[0]] = False
            queue.extend(tuple(sorted((apex, end))) for end in edge)
    return peeled


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


def _reconnect(n: int, kept: np.ndarray, removed: np.ndarray, removed_length: np.ndarray) -> np.ndarray:
    """Add removed edges shortest first when they join two components (Kruskal)."""
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in kept:
        parent[find(a)] = find(b)
    added = []
    for idx in np.lexsort((removed[:, 1], removed[:, 0], removed_length)):
        ra, rb = find(removed[idx, 0]), find(removed[idx, 1])
        if ra != rb:
            parent[ra] = rb
            added.append(removed[idx])
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

    pairs, triangles = _triangulate(points)
    length = np.hypot(*(points[pairs[:, 0]] - points[pairs[:, 1]]).T)
    slivers = _hull_slivers(points, triangles) if triangles is not None else set()
    is_sliver = np.array([(a, b) in slivers for a, b in pairs.tolist()], dtype=bool)
    median = _median_incident_length(n_sites, pairs, length)
    is_long = (
        (length > prune_factor * median[pairs[:, 0]]) & (length > prune_factor * median[pairs[:, 1]])
    ) | (length > max_edge_km)
    removed = is_sliver | is_long
    kept = pairs[~removed]
    n_before = _components(n_sites, kept)
    added = _reconnect(n_sites, kept, pairs[removed], length[removed])
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
        n_delaunay_edges=len(pairs),
        n_slivers=int(is_sliver.sum()),
        n_long=int((is_long & ~is_sliver).sum()),
        n_components_before=n_before,
        n_reconnecting_links=len(added),
        triangulated=triangles is not None,
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
