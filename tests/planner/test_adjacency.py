"""Tests for planner.adjacency: projection, triangulation, pruning, reconnection, duplicates."""

import itertools

import networkx as nx
import numpy as np
import pytest

from planner.adjacency import adjacency_details, build_adjacency, project_km

LAT0, LON0 = 53.0, -1.5
KM_PER_DEG = 6371.0088 * np.pi / 180


def to_latlon(x_km, y_km):
    """Place plane points (km east, km north) around (LAT0, LON0)."""
    x_km, y_km = np.asarray(x_km, float), np.asarray(y_km, float)
    lat = LAT0 + y_km / KM_PER_DEG
    lon = LON0 + x_km / (KM_PER_DEG * np.cos(np.radians(LAT0)))
    return lat, lon


def grid(n=4, spacing=1.0, x0=0.0):
    """Codes "r{row}c{col}" and lat/lon of an n x n 1 km grid, boundary bowed out 50 m (strictly convex hull)."""
    codes, xs, ys = [], [], []
    centre = (n - 1) / 2
    for r, c in itertools.product(range(n), range(n)):
        x, y = c * spacing, r * spacing
        if r in (0, n - 1) or c in (0, n - 1):
            dx, dy = c - centre, r - centre
            norm = np.hypot(dx, dy)
            x, y = x + 0.05 * dx / norm, y + 0.05 * dy / norm
        codes.append(f"r{r}c{c}")
        xs.append(x + x0)
        ys.append(y)
    lat, lon = to_latlon(xs, ys)
    return codes, lat, lon


def as_graph(codes, edges):
    """Graph on all codes with the given edges."""
    g = nx.Graph(edges)
    g.add_nodes_from(codes)
    return g


def test_project_km_centre_scale_and_orientation():
    lat = np.array([52.0, 53.0, 52.5, 52.5])
    lon = np.array([-1.0, -1.0, -1.5, -0.5])
    x, y = project_km(lat, lon)
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(111.19, abs=0.05)
    assert y[1] > y[0] and x[3] > x[2]
    x, y = project_km([52.5], [-1.0])
    assert (x[0], y[0]) == pytest.approx((0.0, 0.0))


def test_grid_gives_four_neighbours_and_one_diagonal_per_cell():
    codes, lat, lon = grid(4)
    g = as_graph(codes, build_adjacency(codes, lat, lon))
    for r, c in itertools.product(range(4), range(4)):
        if c < 3:
            assert g.has_edge(f"r{r}c{c}", f"r{r}c{c + 1}")
        if r < 3:
            assert g.has_edge(f"r{r}c{c}", f"r{r + 1}c{c}")
    for r, c in itertools.product(range(3), range(3)):
        diagonals = g.has_edge(f"r{r}c{c}", f"r{r + 1}c{c + 1}") + g.has_edge(f"r{r}c{c + 1}", f"r{r + 1}c{c}")
        assert diagonals == 1
    for a, b in g.edges:
        (ra, ca), (rb, cb) = (tuple(int(s) for s in x[1:].split("c")) for x in (a, b))
        assert abs(ra - rb) <= 1 and abs(ca - cb) <= 1
    assert g.number_of_edges() == 24 + 9
    assert not g.has_edge("r0c0", "r0c2")
    assert not g.has_edge("r0c0", "r3c3")


def test_edges_are_sorted_unique_and_ordered():
    codes, lat, lon = grid(4)
    edges = build_adjacency(codes, lat, lon)
    assert edges == sorted(set(edges))
    assert all(a < b for a, b in edges)


def test_far_outlier_joins_by_one_shortest_link():
    codes, lat, lon = grid(4)
    o_lat, o_lon = to_latlon([3.0 + 60.0], [1.0])
    codes = codes + ["zz"]
    lat, lon = np.append(lat, o_lat), np.append(lon, o_lon)
    x, y = project_km(lat, lon)
    nearest = codes[int(np.argmin(np.hypot(x[:-1] - x[-1], y[:-1] - y[-1])))]
    details = adjacency_details(codes, lat, lon)
    g = as_graph(codes, details.edges)
    assert list(g.neighbors("zz")) == [nearest]
    assert nx.is_connected(g)
    assert details.n_components_before == 2 and details.n_reconnecting_links == 1
    unpruned = as_graph(codes, build_adjacency(codes, lat, lon, prune_factor=1e9, max_edge_km=1e9))
    assert unpruned.degree("zz") > 1


def two_towns():
    """Two 4 x 4 grids (1 km spacing) with a 9 km gap; the second's codes start with "b"."""
    codes_a, lat_a, lon_a = grid(4)
    codes_b, lat_b, lon_b = grid(4, x0=12.0)
    codes = codes_a + ["b" + c for c in codes_b]
    return codes, np.concatenate([lat_a, lat_b]), np.concatenate([lon_a, lon_b])


def bridges(edges):
    """Edges joining the two towns."""
    return {(a, b) for a, b in edges if a.startswith("b") != b.startswith("b")}


def test_relative_rule_drops_edges_long_for_both_ends():
    codes, lat, lon = two_towns()
    unpruned = bridges(build_adjacency(codes, lat, lon, prune_factor=1e9, max_edge_km=1e9))
    pruned = bridges(build_adjacency(codes, lat, lon, max_edge_km=1e9))
    assert pruned and pruned < unpruned
    corners = {"r0c3", "r3c3", "br0c0", "br3c0"}
    # The middle of each facing side has mostly 1 km edges, so its 9 km edges go;
    # a corner has as many long edges as short ones, so its median is long and they stay.
    assert all(corners & {a, b} for a, b in pruned)
    assert any(not corners & {a, b} for a, b in unpruned)


def test_components_are_rejoined_by_their_shortest_link():
    codes, lat, lon = two_towns()
    details = adjacency_details(codes, lat, lon, max_edge_km=5.0)
    assert details.n_components_before == 2
    (link,) = bridges(details.edges)
    a, b = sorted(link, key=lambda s: s.startswith("b"))
    assert a.endswith("c3") and b.endswith("c0")
    assert a[1] == b[2] and a[1] in "12"


def test_hull_sliver_is_removed():
    lat, lon = to_latlon([0.0, 1.0, 2.0, 1.0], [0.0, 0.02, 0.0, 1.0])
    edges = build_adjacency(["a", "b", "c", "d"], lat, lon)
    assert ("a", "c") not in edges
    assert {("a", "b"), ("b", "c"), ("a", "d"), ("b", "d"), ("c", "d")} == set(edges)


def test_colocated_practices_are_linked_and_share_neighbours():
    codes, lat, lon = grid(4)
    i = codes.index("r1c1")
    codes = codes + ["s1", "s2"]
    lat, lon = np.append(lat, [lat[i], lat[i]]), np.append(lon, [lon[i], lon[i]])
    g = as_graph(codes, build_adjacency(codes, lat, lon))
    site = {"r1c1", "s1", "s2"}
    for a, b in itertools.combinations(site, 2):
        assert g.has_edge(a, b)
    outside = [set(g.neighbors(c)) - site for c in sorted(site)]
    assert outside[0] == outside[1] == outside[2]
    assert {"r0c1", "r1c0", "r1c2", "r2c1"} <= outside[0]


def test_all_practices_on_one_site_form_a_clique():
    edges = build_adjacency(["c", "a", "b"], [52.0] * 3, [-1.0] * 3)
    assert edges == [("a", "b"), ("a", "c"), ("b", "c")]


def test_random_points_connected_and_deterministic():
    rng = np.random.default_rng(7)
    n = 300
    x = np.concatenate([rng.normal(0, 3, n - 20), rng.uniform(-80, 80, 20)])
    y = np.concatenate([rng.normal(0, 3, n - 20), rng.uniform(-80, 80, 20)])
    lat, lon = to_latlon(x, y)
    lat[5] = lat[6]
    lon[5] = lon[6]
    codes = [f"P{i:04d}" for i in range(n)]
    edges = build_adjacency(codes, lat, lon)
    assert nx.is_connected(as_graph(codes, edges))
    assert build_adjacency(codes, lat, lon) == edges
    perm = rng.permutation(n)
    assert build_adjacency([codes[i] for i in perm], lat[perm], lon[perm]) == edges


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ([], [], []),
        ([52.0], [-1.0], []),
        ([52.0, 52.1], [-1.0, -1.0], [("a", "b")]),
        ([52.0, 52.1, 52.05], [-1.0, -1.0, -0.9], [("a", "b"), ("a", "c"), ("b", "c")]),
        ([52.2, 52.0, 52.1], [-1.0, -1.0, -1.0], [("a", "c"), ("b", "c")]),
        ([52.0, 52.1, 52.2, 52.3, 52.4], [-1.0] * 5, [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]),
        ([52.0, 52.1, 52.2, 52.3], [-1.0, -0.9, -0.8, -0.7], [("a", "b"), ("b", "c"), ("c", "d")]),
    ],
    ids=["n0", "n1", "n2", "n3-triangle", "n3-collinear", "n5-meridian", "n4-diagonal"],
)
def test_small_and_collinear_inputs(lat, lon, expected):
    codes = list("abcde")[: len(lat)]
    assert build_adjacency(codes, np.array(lat), np.array(lon)) == expected


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError):
        build_adjacency(["a", "b"], [52.0], [-1.0])
    with pytest.raises(ValueError):
        build_adjacency(["a", "a"], [52.0, 52.1], [-1.0, -1.0])
    with pytest.raises(ValueError):
        build_adjacency(["a", "b"], [52.0, np.nan], [-1.0, -1.0])
