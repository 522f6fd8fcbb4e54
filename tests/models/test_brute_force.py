"""The model's optimum equals the best partition found by enumerating every partition, rule by rule.

The enumeration here is independent of planner/ and models/: its own distances, its own rule checks.
"""

from __future__ import annotations

import math
from itertools import combinations

import pytest

from planner.instance import instance_from_arrays
from planner.options import SolveOptions
from planner.rules import Rules
from planner.solve import solve_instance

# Eight practices on a 3 x 3 grid of points 0.04 degrees apart with the south-centre point missing.
CODES = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]
LAT = [54.70, 54.70, 54.70, 54.66, 54.66, 54.66, 54.62, 54.62]
LON = [-1.60, -1.56, -1.52, -1.60, -1.56, -1.52, -1.60, -1.52]
SIZES = [6000, 4000, 5000, 3000, 7000, 2000, 4500, 3500]
LADS = ["LA1", "LA1", "LA2", "LA1", "LA2", "LA2", "LA2", "LA2"]
# A river runs west of P5: it touches only P6, so distance and adjacency disagree.
EDGES = [("P1", "P2"), ("P2", "P3"), ("P1", "P4"), ("P3", "P6"), ("P5", "P6"), ("P4", "P7"), ("P6", "P8"),
         ("P7", "P8")]
INTERESTS = {"site:HC1": ["P2", "P3"]}


def km(i: int, j: int) -> float:
    """Great-circle km, written out again here so the check does not share code with the engine."""
    r = 6371.0088
    p1, p2 = math.radians(LAT[i]), math.radians(LAT[j])
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(LON[j] - LON[i]) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def partitions(items: list[int]):
    """Every set partition of items."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in partitions(rest):
        for k in range(len(smaller)):
            yield smaller[:k] + [[first] + smaller[k]] + smaller[k + 1:]
        yield [[first]] + smaller


def connected(block: list[int], n_edges) -> bool:
    """Breadth-first search inside the block."""
    inside, seen, todo = set(block), {block[0]}, [block[0]]
    while todo:
        u = todo.pop()
        for a, b in n_edges:
            for x, y in ((a, b), (b, a)):
                if x == u and y in inside and y not in seen:
                    seen.add(y)
                    todo.append(y)
    return len(seen) == len(block)


def brute_force(n: int, rules: Rules) -> float | None:
    """Best objective over all partitions of the first n practices that satisfy the rules; None if none do."""
    return best_partition(n, rules)[0]


def best_partition(n: int, rules: Rules, interests=INTERESTS) -> tuple[float | None, list | None]:
    """Best objective and the partition achieving it, by enumeration."""
    idx = {c: i for i, c in enumerate(CODES[:n])}
    edges = [(idx[a], idx[b]) for a, b in EDGES if a in idx and b in idx]
    total = sum(SIZES[:n])
    low, high = rules.consortia_range
    best, best_parts = None, None
    for parts in partitions(list(range(n))):
        if len(parts) < low or (high is not None and len(parts) > high):
            continue
        value, ok = 0.0, True
        for block in parts:
            pop = sum(SIZES[i] for i in block)
            if pop < rules.min_population or (rules.max_population and pop > rules.max_population):
                ok = False
                break
            if rules.contiguity and not connected(block, edges):
                ok = False
                break
            holders = [SIZES[i] for i in block] + [sum(SIZES[idx[c]] for c in cs if c in idx and idx[c] in block)
                                                   for cs in interests.values()]
            if rules.max_interest_share is not None and max(holders) > rules.max_interest_share * pop + 1e-9:
                ok = False
                break
            if any((idx[a] in block) != (idx[b] in block) for g in rules.must_link for a, b in combinations(g, 2)):
                ok = False
                break
            if any(idx[a] in block and idx[b] in block for a, b in rules.cannot_link):
                ok = False
                break
            lads = {LADS[i] for i in block}
            if rules.coterminosity == "hard" and len(lads) > 1:
                ok = False
                break
            value += min(sum(SIZES[i] * km(i, h) for i in block) for h in block) / total
            if rules.coterminosity == "penalty":
                value += rules.la_split_weight * (len(lads) - 1)
            if rules.deviation_weight:
                value += rules.deviation_weight * abs(pop - rules.target_population) / rules.target_population
            if rules.exposure_weight:
                value += rules.exposure_weight * sum(max(0.0, h - rules.soft_interest_share * pop)
                                                     for h in holders) / 1000.0
        if ok and (best is None or value < best - 1e-12):
            best, best_parts = value, parts
    return best, best_parts


def engine_optimum(n: int, rules: Rules, method: str) -> float:
    """The engine's verified optimum on the first n practices."""
    labels = {c: "|".join(sorted(k for k, cs in INTERESTS.items() if c in cs)) for c in CODES[:n]}
    instance = instance_from_arrays("brute", CODES[:n], SIZES[:n],
                                    [e for e in EDGES if e[0] in labels and e[1] in labels], rules,
                                    latitude=LAT[:n], longitude=LON[:n], lad_codes=LADS[:n])
    instance.practices["interests"] = [labels[c] for c in CODES[:n]]
    result = solve_instance(instance, rules, SolveOptions(time_limit=60, gap=0.0, contiguity_method=method))
    assert result.status == "optimal"
    assert result.verdict.passed
    assert result.metrics.objective == pytest.approx(result.objective, rel=1e-9)
    return result.objective


BASE = dict(contiguity=False)
CASES = {
    # name: (n, rules with the rule, rules without it)
    "population_bounds": (8, Rules(consortia=2, min_population=17000, max_population=18000, **BASE),
                          Rules(consortia=2, **BASE)),
    "consortia_range": (7, Rules(min_consortia=2, max_consortia=3, max_population=16000, **BASE),
                        Rules(min_consortia=2, max_consortia=4, max_population=16000, **BASE)),
    "contiguity": (8, Rules(consortia=2, max_population=18000, contiguity=True),
                   Rules(consortia=2, max_population=18000, contiguity=False)),
    "interest_cap": (8, Rules(consortia=2, max_interest_share=0.35, **BASE), Rules(consortia=2, **BASE)),
    "cannot_link": (8, Rules(consortia=2, min_population=12000, cannot_link=(("P5", "P8"),), contiguity=True),
                    Rules(consortia=2, min_population=12000, contiguity=True)),
    "must_link": (8, Rules(consortia=3, must_link=(("P1", "P2", "P3"),), contiguity=True),
                  Rules(consortia=3, contiguity=True)),
    "coterminosity_hard": (8, Rules(consortia=2, coterminosity="hard", contiguity=True),
                           Rules(consortia=2, contiguity=True)),
    "coterminosity_penalty": (8, Rules(consortia=2, min_population=14000, coterminosity="penalty",
                                       la_split_weight=2.0, contiguity=True),
                              Rules(consortia=2, min_population=14000, contiguity=True)),
    "population_deviation": (7, Rules(consortia=3, target_population=10000, deviation_weight=5.0, **BASE),
                             Rules(consortia=3, **BASE)),
    "exposure_penalty": (8, Rules(consortia=2, soft_interest_share=0.3, exposure_weight=1.0, **BASE),
                         Rules(consortia=2, **BASE)),
}


@pytest.mark.parametrize("method", ["cuts", "flow"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_model_optimum_equals_enumeration(case, method):
    n, with_rule, without_rule = CASES[case]
    expected = brute_force(n, with_rule)
    assert expected is not None
    assert expected != pytest.approx(brute_force(n, without_rule), rel=1e-9), "the rule must change the optimum"
    assert engine_optimum(n, with_rule, method) == pytest.approx(expected, rel=1e-7)


def test_enumeration_counts_bell_numbers():
    assert sum(1 for _ in partitions(list(range(6)))) == 203
    assert sum(1 for _ in partitions(list(range(8)))) == 4140
