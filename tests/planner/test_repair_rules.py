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
