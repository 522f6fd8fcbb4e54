"""Border moves: every move lowers the objective and keeps the rules, and a pass around given consortia
tries only their practices and those of the consortia touching them."""

from __future__ import annotations

import numpy as np
import pytest

from planner.improve import border_moves
from planner.instance import instance_from_arrays
from planner.partition_state import PartitionState
from planner.rules import Rules
from planner.verify import verify_plan

# Twelve practices on a path, four consortia of three. Practice 2 sits beside consortium B, and practice 9
# beside consortium C: each is worth moving across its border.
LON = [0.0, 0.01, 0.5, 0.52, 0.53, 0.54, 1.0, 1.01, 1.02, 1.03, 1.5, 1.51]
START = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def _state():
    rules = Rules(consortia=4, contiguity=True)
    codes = [f"P{i:02d}" for i in range(12)]
    edges = [(codes[i], codes[i + 1]) for i in range(11)]
    instance = instance_from_arrays("path", codes, [10] * 12, edges, rules, latitude=[54.0] * 12, longitude=LON)
    return instance, rules, PartitionState(instance, rules, np.array(START))


def test_moves_around_a_consortium_reach_its_neighbours_only():
    instance, rules, state = _state()
    before = state.objective
    made = border_moves(state, consortia={0})
    assert made >= 1
    assert state.objective < before
    assert int(state.labels[2]) == 1, "practice 2 joins B, beside it"
    assert [int(k) for k in state.labels[6:]] == START[6:], "C and D do not touch A and are left alone"
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_a_full_pass_also_takes_the_move_far_away():
    instance, rules, state = _state()
    border_moves(state)
    assert int(state.labels[2]) == 1 and int(state.labels[9]) == 2
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_full_consortia_swap_practices_when_no_single_move_fits():
    from planner.geo import Planar

    # Two consortia of two practices, each at its cap of 20 patients, drawn across each other: A holds the
    # practices at 0 and 10 km, B those at 1 and 11 km. No practice can move alone; swapping 10 and 1
    # gives {0, 1} and {10, 11}, each with its second practice 1 km from the hub instead of 10.
    rules = Rules(consortia=2, max_population=20, contiguity=False)
    x = np.array([0.0, 1.0, 10.0, 11.0])
    codes = [f"P{i}" for i in range(4)]
    instance = instance_from_arrays("swap", codes, [10] * 4, [], rules, metric=Planar(x, np.zeros(4)))
    state = PartitionState(instance, rules, np.array([0, 1, 0, 1]))
    before = state.objective
    assert border_moves(state) >= 1
    assert state.labels[0] == state.labels[1] != state.labels[2] == state.labels[3]
    assert state.objective == pytest.approx(before / 10)
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_a_swap_that_would_split_a_consortium_is_refused():
    from planner.geo import Planar

    # A path P0-P1-P2-P3 at 0, 10, 1 and 11 km, two full consortia {P0, P1} and {P2, P3}. Swapping P1 and
    # P2 would cut each consortium's cost from 10 to 1 km but leave both in two pieces of the path.
    rules = Rules(consortia=2, max_population=20, contiguity=True)
    codes = [f"P{i}" for i in range(4)]
    edges = [("P0", "P1"), ("P1", "P2"), ("P2", "P3")]
    instance = instance_from_arrays("split", codes, [10] * 4, edges, rules,
                                    metric=Planar(np.array([0.0, 10.0, 1.0, 11.0]), np.zeros(4)))
    state = PartitionState(instance, rules, np.array([0, 0, 1, 1]))
    assert border_moves(state) == 0
    assert [int(k) for k in state.labels] == [0, 0, 1, 1]
    assert verify_plan(instance, state.to_plan(), rules).passed


def _authority_path(weight: float):
    from planner.geo import Planar

    # A path P0..P5 at 0, 1, 2, 3, 20 and 21 km; P0-P1 lie in authority X, P2-P5 in Y. A = {P0..P3} spans
    # both (one extra authority), B = {P4, P5}. Moving P3 alone to B adds 150 patient-km and saves nothing;
    # P2 cannot leave alone (A would split). Moving the piece {P2, P3} adds 320 patient-km (5.33 per patient
    # over 60 patients) and removes A's extra authority.
    rules = Rules(consortia=2, contiguity=True, coterminosity="penalty", la_split_weight=weight)
    codes = [f"P{i}" for i in range(6)]
    edges = [(codes[i], codes[i + 1]) for i in range(5)]
    instance = instance_from_arrays("pieces", codes, [10] * 6, edges, rules, lad_codes=list("XXYYYY"),
                                    metric=Planar(np.array([0.0, 1.0, 2.0, 3.0, 20.0, 21.0]), np.zeros(6)))
    return instance, rules, PartitionState(instance, rules, np.array([0, 0, 0, 0, 1, 1]))


def test_a_whole_authority_piece_moves_when_its_split_costs_more_than_the_distance():
    instance, rules, state = _authority_path(10.0)
    assert state.objective == pytest.approx(50 / 60 + 10.0)
    assert border_moves(state) >= 1
    assert [int(k) for k in state.labels] == [0, 0, 1, 1, 1, 1]
    assert state.objective == pytest.approx(370 / 60)
    assert verify_plan(instance, state.to_plan(), rules).passed


def test_a_piece_stays_when_its_split_costs_less_than_the_distance():
    _, _, state = _authority_path(5.0)
    assert border_moves(state) == 0
    assert [int(k) for k in state.labels] == [0, 0, 0, 0, 1, 1]
