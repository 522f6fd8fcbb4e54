"""Searching two halves of a plan at once: the split covers every consortium once, an epoch writes back
both halves (one searched in another process) and keeps every rule, and halves are used only when the
solve may use two cores."""

from __future__ import annotations

import time

import numpy as np
import pytest

from planner.geo import Planar
from planner.halves import FEWEST_CONSORTIA, Halves, halves_apply, split
from planner.instance import instance_from_arrays
from planner.metrics import plan_metrics
from planner.options import SolveOptions
from planner.partition_state import PartitionState
from planner.rules import Rules
from planner.verify import verify_plan

N, CONSORTIA = 400, 40


@pytest.fixture(scope="module")
def strips():
    """400 random points with capacities (a small CPMP), planned as 40 vertical strips of 10 points: every
    rule holds, but the strips are far from local."""
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 100, N), rng.uniform(0, 100, N)
    rules = Rules(consortia=CONSORTIA, max_population=140, contiguity=False, unweighted_cost=True)
    instance = instance_from_arrays("strips", [f"n{i:03d}" for i in range(N)], rng.integers(5, 12, N), [],
                                    rules, metric=Planar(x, y))
    labels = np.empty(N, dtype=np.int64)
    labels[np.argsort(x, kind="stable")] = np.arange(N) // (N // CONSORTIA)
    return instance, rules, labels


def test_split_puts_every_consortium_in_one_half_each_holding_about_half_the_practices(strips):
    instance, rules, labels = strips
    state = PartitionState(instance, rules, labels)
    for seed in range(5):
        near, far = split(state, np.random.default_rng(seed))
        assert not set(near) & set(far)
        assert set(near) | set(far) == set(state.members)
        held = sum(len(state.members[k]) for k in near)
        assert abs(held - N / 2) <= max(len(m) for m in state.members.values())


def test_an_epoch_improves_both_halves_and_keeps_every_rule(strips):
    instance, rules, labels = strips
    state = PartitionState(instance, rules, labels)
    before, options = state.objective, SolveOptions(time_limit=60, method="lns", threads=2, seed=0)
    near, far = split(state, np.random.default_rng([options.seed, 0]))
    halves = Halves()
    try:
        halves.epoch(state, options, 0, time.perf_counter() + 15.0, lambda stage, plan: None)
    finally:
        halves.close()
    plan = state.to_plan()
    verdict = verify_plan(instance, plan, rules)
    assert verdict.passed, [c.detail for c in verdict.failures()]
    assert state.objective < before - 1e-6
    assert plan_metrics(instance, plan, rules).objective == pytest.approx(state.objective, rel=1e-9)
    for half in (near, far):
        practices = [i for k in half for i in np.flatnonzero(labels == k)]
        assert any(int(state.labels[i]) != int(labels[i]) for i in practices), "both halves are searched"
        assert {int(state.labels[i]) for i in practices} <= set(half) | {k for k in state.members if k >= CONSORTIA}


def test_halves_only_when_the_solve_may_use_two_cores_on_a_large_enough_plan(strips):
    instance, rules, labels = strips
    state = PartitionState(instance, rules, labels)
    assert halves_apply(state, SolveOptions(threads=2)) is True
    assert halves_apply(state, SolveOptions(threads=1)) is False
    assert halves_apply(state, SolveOptions(threads=None)) is False
    assert halves_apply(state, SolveOptions(threads=2, workers=2)) is False
    few = PartitionState(instance, rules, labels // (CONSORTIA // (FEWEST_CONSORTIA // 2)))
    assert len(few.members) < FEWEST_CONSORTIA
    assert halves_apply(few, SolveOptions(threads=2)) is False


def test_a_solve_that_may_use_two_cores_searches_in_halves_once_the_bound_has_finished(strips, monkeypatch):
    import planner.large as large
    from planner.solve import solve_instance

    monkeypatch.setattr(large, "SHORTEST_EPOCH", 5.0)  # a 30 s run leaves less than the usual 20 s epoch
    instance, rules, _ = strips
    options = SolveOptions(time_limit=30, method="lns", threads=2, seed=0, bound_seconds=5)
    result = solve_instance(instance, rules, options)
    assert result.verdict.passed
    assert any(note.startswith("searched in two halves") for note in result.notes), result.notes
    halves = [t for t in result.trajectory if t["stage"].startswith("halves")]
    assert halves and all(t["seconds"] >= 5 for t in halves)
    assert result.objective <= min(t["incumbent"] for t in halves) + 1e-9


@pytest.mark.parametrize("threads, in_halves, search_threads", [(2, True, 1), (1, False, 1), (None, False, None)])
def test_a_solve_in_halves_runs_highs_on_one_thread_beside_the_bound(strips, monkeypatch, threads, in_halves,
                                                                    search_threads):
    import planner.large as large
    from planner.solve import solve_instance

    seen = {}
    monkeypatch.setattr(large, "reallocate", lambda state, deadline, threads=None, seed=0: seen.update(
        reallocation=threads) or 0)
    monkeypatch.setattr(large, "_search", lambda state, options, *args: seen.update(
        search=options.threads, in_halves=args[-1]) or (0, False))
    options = SolveOptions(time_limit=10, method="lns", threads=threads, seed=0, bound_seconds=2)
    result = solve_instance(strips[0], strips[1], options)
    assert result.verdict.passed and result.options.threads == threads
    assert seen == {"reallocation": search_threads, "search": search_threads, "in_halves": in_halves}
