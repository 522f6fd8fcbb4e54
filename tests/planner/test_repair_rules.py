"""Repair to the rules: by default the move that removes most violation, priced the one that raises the
objective least per patient of violation removed; both end with every rule kept."""

from __future__ import annotations

import numpy as np
import pytest

from planner.construct import repair_rules
from planner.geo import Planar
from planner.instance import instance_from_arrays
from planner.metrics import plan_metrics
from planner.partition_state import PartitionState
from planner.rules import Rules
from planner.verify import verify_plan

# A path L1 L2 | A1 A2 | R1 R2 R3 at -12, -10, 0, 1, 2, 3 and 4 km with 30, 10, 10, 10, 6, 6 and 30
# patients (102 in all). A holds 20 patients, 7 short of the 27 minimum.
X = [-12.0, -10.0, 0.0, 1.0, 2.0, 3.0, 4.0]
WEIGHTS = [30, 10, 10, 10, 6, 6, 30]
START = [0, 0, 1, 1, 2, 2, 2]


def _state():
    rules = Rules(consortia=3, contiguity=True, min_population=27)
    codes = ["L1", "L2", "A1", "A2", "R1", "R2", "R3"]
    edges = [(codes[i], codes[i + 1]) for i in range(6)]
    instance = instance_from_arrays("path", codes, WEIGHTS, edges, rules, metric=Planar(np.array(X), np.zeros(7)))
    return instance, rules, PartitionState(instance, rules, np.array(START))


def test_the_plain_repair_takes_the_move_that_removes_most_violation():
    instance, rules, state = _state()
    assert state.objective == pytest.approx((20 + 10 + 18) / 102)
    repair_rules(state, 10)
    # L2 (10 patients) covers all 7 missing; R1 (6) only 6. A = {L2, A1, A2} costs 110 patient-km at A1,
    # R = {R1, R2, R3} 18 at R3.
    assert [int(k) for k in state.labels] == [0, 1, 1, 1, 2, 2, 2]
    assert state.objective == pytest.approx((0 + 110 + 18) / 102)
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_the_priced_repair_takes_the_moves_that_cost_least_per_patient():
    instance, rules, state = _state()
    repair_rules(state, 10, priced=True)
    # R1 first (-6 patient-km for 6 patients, against +80 for L2's 7), then R2 for the last patient (+6,
    # against +86 for L2): L = {L1, L2} costs 20, A = {A1, A2, R1, R2} 28 at A2, R = {R3} nothing.
    assert [int(k) for k in state.labels] == [0, 0, 1, 1, 1, 1, 2]
    assert state.objective == pytest.approx((20 + 28 + 0) / 102)
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_first_plans_under_the_split_penalty_are_repaired_priced_and_cross_fewer_authorities(monkeypatch):
    import planner.construct as construct
    from planner.instance import load_instance

    instance = load_instance("instances/durham-tees")
    rules = instance.scenario_rules("policy")
    priced = construct.construct_plan(instance, rules, seeding="sample")
    plain_repair = construct.repair_rules
    monkeypatch.setattr(construct, "repair_rules", lambda state, moves, priced: plain_repair(state, moves))
    plain = construct.construct_plan(instance, rules, seeding="sample")
    assert verify_plan(instance, priced.to_plan(), rules).passed
    assert priced.objective < plain.objective
    extra = [plan_metrics(instance, state.to_plan(), rules).la_extra_spans for state in (priced, plain)]
    assert extra[0] <= extra[1]


def _too_many(min_consortia: int):
    """A path P1-P2-P3-P4 of 10 patients each cut into {P1} {P2 P3} {P4} under a 25-patient floor: 40
    patients make at most one consortium of 25, and no border move can empty a consortium."""
    rules = Rules(min_consortia=min_consortia, max_consortia=3, contiguity=True, min_population=25)
    codes = ["P1", "P2", "P3", "P4"]
    edges = [(codes[i], codes[i + 1]) for i in range(3)]
    instance = instance_from_arrays("four", codes, [10] * 4, edges, rules,
                                    metric=Planar(np.arange(4.0), np.zeros(4)))
    return instance, rules, PartitionState(instance, rules, np.array([0, 1, 1, 2]))


def test_a_repair_stuck_below_the_floor_merges_consortia_down_to_the_fewest_allowed():
    instance, rules, state = _too_many(min_consortia=1)
    repair_rules(state, 20)
    assert len(set(state.labels.tolist())) == 1
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_a_repair_never_merges_below_the_fewest_consortia_allowed():
    from planner.errors import SolveError

    _, _, state = _too_many(min_consortia=2)
    with pytest.raises(SolveError, match="could not meet the rules"):
        repair_rules(state, 20)
    assert len(set(state.labels.tolist())) >= 2


def test_no_new_attempt_at_a_first_plan_starts_after_the_deadline(monkeypatch):
    import time

    import planner.construct as construct
    from planner.errors import SolveError

    calls = []

    def failing(*args, **kwargs):
        calls.append(args[2])
        raise SolveError("stuck")

    monkeypatch.setattr(construct, "_construct", failing)
    instance, rules, _ = _too_many(min_consortia=1)
    with pytest.raises(SolveError, match="after 1 attempt from different seeds, when the time ran out"):
        construct.construct_plan(instance, rules, deadline=time.perf_counter())
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(SolveError, match="after 8 attempts"):
        construct.construct_plan(instance, rules)
    assert len(calls) == 8
