"""Seeds from the p-median over micro-areas: area counts scale with the consortia (every practice is an area
in a region-sized first plan), and shared sites work."""

from __future__ import annotations

import numpy as np
import pytest

import planner.construct as construct
import planner.large as large
import planner.seeding as seeding
from planner.geo import Planar
from planner.instance import instance_from_arrays
from planner.options import SolveOptions
from planner.rules import Rules


def _grid(n: int, sites: int | None = None):
    """n practices of 1,000 patients on a line, stacked on `sites` distinct points when given."""
    x = np.arange(n, dtype=float) if sites is None else np.repeat(np.arange(sites, dtype=float), n // sites)
    rules = Rules(consortia=2, contiguity=False)
    codes = [f"P{i}" for i in range(n)]
    return instance_from_arrays("line", codes, [1000] * n, [], rules, metric=Planar(x, np.zeros(n)))


@pytest.fixture
def area_counts(monkeypatch):
    """The number of micro-areas each seeding asks for."""
    seen = []
    original = seeding._micro_areas

    def spy(metric, idx, weight, m, rng):
        seen.append(m)
        return original(metric, idx, weight, m, rng)

    monkeypatch.setattr(seeding, "_micro_areas", spy)
    return seen


def test_a_small_region_is_seeded_over_a_few_areas_per_consortium(area_counts):
    instance = _grid(120)
    hubs, hub_of = seeding.pmedian_seeds(instance, list(range(120)), 2, np.random.default_rng(0),
                                         min_population=50_000, max_population=70_000)
    assert area_counts == [2 * seeding.AREAS_PER_CONSORTIUM]
    assert len(hubs) == 2 and set(hub_of) == set(hubs)
    sizes = sorted(1000 * hub_of.count(h) for h in hubs)
    assert sizes[0] >= 50_000 and sizes[1] <= 70_000
    left = max(i for i in range(120) if hub_of[i] == hub_of[0])
    assert all(hub_of[i] == hub_of[0] for i in range(left + 1)), "each seed's practices lie on one side"


def test_every_area_seeds_from_each_practice_and_only_small_instances_ask_for_it(area_counts, monkeypatch):
    instance = _grid(120)
    seeding.pmedian_seeds(instance, list(range(120)), 2, np.random.default_rng(0), min_population=50_000,
                          max_population=70_000, every_area=True)
    assert area_counts == [120]
    assert seeding.every_area_for(instance)
    monkeypatch.setattr(seeding, "UNCAPPED_PRACTICES", 119)
    assert not seeding.every_area_for(instance)


@pytest.mark.parametrize("uncapped, expected", [(2500, True), (100, False)])
def test_the_large_method_asks_for_every_area_only_up_to_the_uncapped_size(monkeypatch, uncapped, expected):
    asked = []

    def stop(instance, rules, **kwargs):
        asked.append(kwargs.get("every_area"))
        raise RuntimeError("stop after the first plan's arguments")

    monkeypatch.setattr(large, "construct_plan", stop)
    monkeypatch.setattr(seeding, "UNCAPPED_PRACTICES", uncapped)
    instance = _grid(120)
    with pytest.raises(RuntimeError):
        large.solve_large(instance, instance.rules, SolveOptions(time_limit=5, method="lns"))
    assert asked == [expected]


def test_micro_areas_stop_when_fewer_sites_than_areas_are_left():
    instance = _grid(12, sites=3)
    idx = np.arange(12)
    owner, reps = seeding._micro_areas(instance.distance, idx, np.full(12, 1000.0), 6, np.random.default_rng(0))
    assert len(reps) == 3
    assert np.allclose(instance.distance.between(idx, reps[owner]), 0.0)


def test_the_first_plans_seeding_budget_is_shared_by_its_regions(monkeypatch):
    """Each region's p-median gets what the earlier ones left; once too little is left, regions sample."""
    class Clock:
        now = 0.0

        def perf_counter(self):
            return self.now

    clock, asked = Clock(), []

    def slow_pmedian(instance, members, k, rng, *, time_limit, **kwargs):
        asked.append(time_limit)
        clock.now += 30.0
        return None

    monkeypatch.setattr(construct, "time", clock)
    monkeypatch.setattr(seeding, "pmedian_seeds", slow_pmedian)
    n = 120
    rules = Rules(consortia=6, contiguity=False, coterminosity="hard")
    instance = instance_from_arrays("three", [f"P{i}" for i in range(n)], [1000] * n, [], rules,
                                    metric=Planar(np.arange(n, dtype=float), np.zeros(n)),
                                    lad_codes=np.repeat(["A", "B", "C"], n // 3))
    state = construct.construct_plan(instance, rules, seeding="pmedian", seeding_seconds=40.0)
    assert asked == [40.0, 10.0]
    assert len(state.members) == 6
