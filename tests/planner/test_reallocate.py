"""Global reallocation: never worse, keeps every capacity, and makes the chain of moves border moves miss."""

from __future__ import annotations

import time

import numpy as np

from planner.instance import instance_from_arrays
from planner.partition_state import PartitionState
from planner.reallocate import reallocate
from planner.rules import Rules
from planner.verify import verify_plan


def _chain():
    """Three hubs on a line 0.1 degrees apart, each with three practices of 10 patients, capacity 40.
    Practice X (10) sits by hub A but starts in C's consortium, and A is full with B1, which belongs by
    B, which holds C1, which belongs by C: A holds A, A1, A2 and B1; B holds B, B2, C1; C holds C, C2, X."""
    lon = [0.0, 0.001, 0.002, 0.1, 0.101, 0.102, 0.2, 0.201, 0.202, 0.003]
    codes = ["A", "A1", "A2", "B", "B1", "B2", "C", "C1", "C2", "X"]
    rules = Rules(consortia=3, max_population=40, contiguity=False)
    instance = instance_from_arrays("chain", codes, [10] * 10, [], rules, latitude=[54.0] * 10, longitude=lon)
    return instance, rules, PartitionState(instance, rules, [0, 0, 0, 1, 0, 1, 2, 1, 2, 2])


def test_reallocation_makes_a_chain_of_moves_under_tight_capacities():
    # The optimum takes three moves (B1, X and C1 home); one reallocation makes them all, whatever their order.
    instance, rules, state = _chain()
    before = state.objective
    assert verify_plan(instance, state.to_plan(), rules).passed
    rounds = reallocate(state, time.perf_counter() + 30)
    assert rounds >= 1
    assert state.objective < before
    plan = state.to_plan()
    assert verify_plan(instance, plan, rules).passed
    groups = {}
    for code, label in plan.assignment.items():
        groups.setdefault(label, set()).add(code)
    assert sorted(map(sorted, groups.values())) == [["A", "A1", "A2", "X"], ["B", "B1", "B2"], ["C", "C1", "C2"]]


def test_reallocation_leaves_contiguous_plans_alone():
    rules = Rules(consortia=2, contiguity=True)
    instance = instance_from_arrays("pair", ["P1", "P2", "P3"], [1, 1, 1], [("P1", "P2"), ("P2", "P3")], rules,
                                    latitude=[54.0] * 3, longitude=[0.0, 0.1, 0.2])
    state = PartitionState(instance, rules, np.array([0, 1, 1]))
    assert reallocate(state, time.perf_counter() + 5) == 0


def test_each_reallocation_round_is_capped_so_the_hubs_can_re_centre(monkeypatch):
    import planner.reallocate as module

    limits = []
    real = module.PartitionSolver.run

    def recorded(self, *, time_limit, gap, start=None):
        limits.append(time_limit)
        return real(self, time_limit=time_limit, gap=gap, start=start)

    monkeypatch.setattr(module.PartitionSolver, "run", recorded)
    monkeypatch.setattr(module, "ROUND_SECONDS", 2.5)
    _, _, state = _chain()
    reallocate(state, time.perf_counter() + 600)
    assert limits and max(limits) == 2.5, "a round never takes the whole time left"


def test_a_round_that_gains_less_than_the_small_share_is_the_last(monkeypatch):
    import planner.reallocate as module

    runs = []
    real = module.PartitionSolver.run

    def counted(self, **kwargs):
        runs.append(1)
        return real(self, **kwargs)

    monkeypatch.setattr(module.PartitionSolver, "run", counted)
    for share, solves in ((0.0, 2), (1.0, 1)):
        runs.clear()
        _, _, state = _chain()
        monkeypatch.setattr(module, "SMALL_GAIN", share)
        assert reallocate(state, time.perf_counter() + 30) == 1
        assert len(runs) == solves, "without the share a second round proves the first one's plan; with it none"
