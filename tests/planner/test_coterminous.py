"""Groups of whole local authorities for first plans under the split penalty."""

from __future__ import annotations

import networkx as nx

from planner.coterminous import authority_groups
from planner.instance import instance_from_arrays, load_instance
from planner.rules import Rules

# A row of six practices, one per authority: A B C D E F with patients 100 60 50 200 70 40.
CODES = ["P1", "P2", "P3", "P4", "P5", "P6"]
SIZES = [100, 60, 50, 200, 70, 40]
LADS = ["A", "B", "C", "D", "E", "F"]
EDGES = [("P1", "P2"), ("P2", "P3"), ("P3", "P4"), ("P4", "P5"), ("P5", "P6")]


def test_small_authorities_join_the_nearest_neighbouring_group_small_or_large():
    rules = Rules(min_consortia=1, max_consortia=6, min_population=100, contiguity=True,
                  coterminosity="penalty", la_split_weight=1.0)
    # C (50) sits 0.01 degrees from D (200) and 0.04 from B (60): it joins D, not its small neighbour.
    # Then B (60) is 0.04 from C's group and 0.05 from A: it joins them too. F (40) joins E (70).
    instance = instance_from_arrays("row", CODES, SIZES, EDGES, rules, latitude=[54.0] * 6,
                                    longitude=[-1.0, -0.95, -0.91, -0.90, -0.85, -0.80], lad_codes=LADS)
    assert authority_groups(instance, rules) == [[0], [1, 2, 3], [4, 5]]


def test_groups_are_whole_authorities_connected_and_big_enough_on_real_data():
    instance = load_instance("instances/durham-tees")
    rules = instance.scenario_rules("policy")
    groups = authority_groups(instance, rules)
    lad = instance.practices["lad_code"].to_numpy()
    sizes = instance.list_size
    assert sorted(i for g in groups for i in g) == list(range(len(instance.codes)))
    for group in groups:
        assert sizes[group].sum() >= rules.min_population
        assert nx.is_connected(instance.graph.subgraph([instance.codes[i] for i in group]))
    owner = {i: k for k, g in enumerate(groups) for i in g}
    for authority in set(lad):
        members = [i for i in range(len(lad)) if lad[i] == authority]
        part = instance.graph.subgraph([instance.codes[i] for i in members])
        for piece in nx.connected_components(part):
            assert len({owner[instance.index[c]] for c in piece}) == 1, "an authority piece was cut"


def test_no_group_when_an_isolated_authority_is_too_small():
    rules = Rules(min_consortia=1, max_consortia=6, min_population=100, contiguity=True,
                  coterminosity="penalty", la_split_weight=1.0)
    instance = instance_from_arrays("cut", CODES, SIZES, EDGES[:4], rules, latitude=[54.0] * 6,
                                    longitude=[-1.0 + 0.05 * k for k in range(6)], lad_codes=LADS)
    assert authority_groups(instance, rules) is None
