"""Transfers: a consortium moves from a region that has one too many to one that has one too few, the
count is kept and the plan still passes the verifier; neighbourhood re-solves alone never change a
region's count."""

from __future__ import annotations

import time

import numpy as np
import pytest

import planner.transfer as transfer
from planner.instance import instance_from_arrays
from planner.large import _serial
from planner.lns import apply_solution
from planner.options import SolveOptions
from planner.partition_state import PartitionState
from planner.rules import Rules
from planner.verify import verify_plan

# Four practices close together in the west (0.01 degrees apart) and four spread out in the east (0.2
# degrees apart), ten patients each, four consortia. The start gives the west three consortia and the east
# one: dropping one in the west costs little, adding one in the east saves far more.
LON = [0.0, 0.01, 0.02, 0.03, 1.0, 1.2, 1.4, 1.6]
CODES = ["W1", "W2", "W3", "W4", "E1", "E2", "E3", "E4"]
START = [0, 0, 1, 2, 3, 3, 3, 3]


def _state(rules=None, start=START):
    """The eight practices without edges, under `rules` (four consortia, no contiguity) from `start`."""
    rules = rules or Rules(consortia=4, contiguity=False)
    instance = instance_from_arrays("regions", CODES, [10] * 8, [], rules, latitude=[54.0] * 8, longitude=LON)
    return instance, rules, PartitionState(instance, rules, np.array(start))


def _path(rules):
    """The same eight practices joined in a line (west to east), for plans with contiguity."""
    return instance_from_arrays("regions", CODES, [10] * 8, list(zip(CODES, CODES[1:])), rules,
                                latitude=[54.0] * 8, longitude=LON)


def test_a_transfer_moves_a_consortium_east_and_keeps_the_count(monkeypatch):
    monkeypatch.setattr(transfer, "DROP", 3)
    monkeypatch.setattr(transfer, "ADD", 1)
    instance, rules, state = _state()
    before = state.objective
    assert transfer.transfers_apply(state)
    pool = transfer.Transfers(state)
    made = pool.round(SolveOptions(time_limit=30, threads=1), time.perf_counter() + 60, _serial, samples=4)
    assert made == 1
    assert state.objective < before
    plan = state.to_plan()
    assert verify_plan(instance, plan, rules).passed
    east = {plan.assignment[c] for c in CODES[4:]}
    west = {plan.assignment[c] for c in CODES[:4]}
    assert len(east) == 2 and len(west) == 2


def test_apply_solution_adds_and_drops_consortia():
    instance, rules, state = _state()
    apply_solution(state, (3,), {"E1": "a", "E2": "a", "E3": "b", "E4": "b"})
    assert len(state.members) == 5 and max(state.members) == 4
    assert state.members[3] | state.members[4] == {4, 5, 6, 7}
    apply_solution(state, (0, 1, 2), {"W1": "x", "W2": "x", "W3": "y", "W4": "y"})
    assert len(state.members) == 4 and 2 not in state.members
    assert sorted(map(len, state.members.values())) == [2, 2, 2, 2]
    assert state.objective == sum(state.value.values())


def test_with_contiguity_a_transfer_merges_in_the_west_and_splits_in_the_east(monkeypatch):
    monkeypatch.setattr(transfer, "CONTIGUOUS_FEWEST", 4)
    rules = Rules(consortia=4, contiguity=True)
    instance = _path(rules)
    state = PartitionState(instance, rules, np.array(START))
    before = state.objective
    assert transfer.transfers_apply(state)
    batches = []
    made = transfer.Transfers(state).round(SolveOptions(time_limit=30, threads=1), time.perf_counter() + 60,
                                           _serial, samples=4, evaluated=lambda: batches.append(1))
    assert made == 1
    assert batches == [1], "one batch of evaluations (a drop and an add), reported once"
    assert state.objective < before
    plan = state.to_plan()
    assert verify_plan(instance, plan, rules).passed
    assert len({plan.assignment[c] for c in CODES[4:]}) == 2
    assert len({plan.assignment[c] for c in CODES[:4]}) == 2


def test_with_contiguity_a_small_plan_has_no_transfers():
    rules = Rules(consortia=4, contiguity=True)
    assert not transfer.transfers_apply(PartitionState(_path(rules), rules, np.array(START)))


def test_with_contiguity_a_group_without_room_is_not_evaluated():
    rules = Rules(consortia=4, contiguity=True, min_population=15)
    state = PartitionState(_path(rules), rules, np.array([0, 0, 1, 1, 2, 2, 3, 3]))
    candidates = transfer.Transfers(state)._candidates(samples=4)
    assert candidates and all(change == -1 for change, *_ in candidates)
    assert all(len(group) == 3 for _, group, _ in candidates)


def test_without_contiguity_a_drop_that_cannot_fit_under_the_cap_is_not_evaluated(monkeypatch):
    monkeypatch.setattr(transfer, "DROP", 3)
    monkeypatch.setattr(transfer, "ADD", 1)
    _, _, state = _state(Rules(consortia=4, contiguity=False, max_population=25), [0, 0, 1, 1, 2, 2, 3, 3])
    candidates = transfer.Transfers(state)._candidates(samples=4)
    assert candidates and all(change == +1 for change, *_ in candidates), "60 patients never fit 2 x 25"


def test_evaluations_of_consortia_changed_since_are_not_applied(monkeypatch):
    monkeypatch.setattr(transfer, "DROP", 3)
    monkeypatch.setattr(transfer, "ADD", 1)
    instance, rules, state = _state()
    pool = transfer.Transfers(state)
    monkeypatch.setattr(transfer.Transfers, "_apply", lambda self: 0)
    pool.round(SolveOptions(time_limit=30, threads=1), time.perf_counter() + 60, _serial, samples=4)
    monkeypatch.undo()
    assert pool.drops and pool.adds
    state.move({1}, 1)  # a sweep moves W2 in the west after the evaluations
    assert pool._apply() == 0
    assert not pool.drops and pool.adds
    assert len(state.members) == 4 and verify_plan(instance, state.to_plan(), rules).passed


@pytest.mark.parametrize("contiguity", [True, False])
def test_transfers_rest_longer_after_each_fruitless_round(contiguity):
    rules = Rules(consortia=4, contiguity=contiguity)
    pool = transfer.Transfers(PartitionState(_path(rules), rules, np.array(START)))
    seen = []
    for made in (0, 0, 2, 0):
        assert pool.due()
        pool.rested(made)
        seen.append(sum(1 for _ in iter(pool.due, True)))
    assert seen == [1, 2, 0, 1], "sweeps skipped after each round: 1, then 2, none after a paying round"


def _west(max_population=None):
    """The four western practices with 12, 10, 10 and 20 patients in three consortia ({W1, W2} with hub W1,
    {W3}, {W4}) and no contiguity."""
    rules = Rules(consortia=3, contiguity=False, max_population=max_population)
    instance = instance_from_arrays("west", CODES[:4], [12, 10, 10, 20], [], rules, latitude=[54.0] * 4,
                                    longitude=LON[:4])
    return instance, rules, PartitionState(instance, rules, np.array([0, 0, 1, 2]))


def test_the_greedy_drop_empties_the_consortium_cheapest_to_send_to_its_nearest_hub():
    # Emptying {W3} into W4 (0.01 degrees) adds 10 x 0.654 km; {W4} into W3 adds 20 x that, and {W1, W2}
    # into W3 adds 12 x 0.02 degrees less W2's present 10 x 0.01.
    instance, rules, state = _west()
    greedy = transfer._greedy_drop(state, (0, 1, 2))
    assert greedy.sent == {2: 2}
    km = 111.195 * np.cos(np.radians(54.0)) * 0.01
    assert greedy.cost == pytest.approx(10 * km, rel=1e-3)


def test_the_greedy_drop_respects_the_cap_and_gives_a_start_that_passes_the_verifier():
    # With a cap of 25 no consortium's members fit the others' room (3, 15 and 5 patients to spare).
    instance, rules, state = _west(max_population=25)
    assert transfer._greedy_drop(state, (0, 1, 2)) is None
    assert transfer._drop_start(state, (0, 1, 2), None) is None
    # With a cap of 30, W3 fits W4's room of 10: two consortia of 22 and 30 patients.
    instance, rules, state = _west(max_population=30)
    start = transfer._drop_start(state, (0, 1, 2), transfer._greedy_drop(state, (0, 1, 2)))
    assert start.assignment == {"W1": "0", "W2": "0", "W3": "2", "W4": "2"}
    assert verify_plan(instance, start, rules.replace(consortia=2)).passed
