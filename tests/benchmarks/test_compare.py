"""Regressions between two results documents: status, verification, objective and time, with tolerances."""

from __future__ import annotations

from benchmarks.compare import Tolerances, regressions
from benchmarks.record import peer_note


def _doc(**changes) -> dict:
    row = {"family": "f", "instance": "a", "status": "optimal", "value": 100.0, "seconds": 10.0, "verified": True}
    return {"results": [{**row, **changes}]}


def test_identical_runs_have_no_regression():
    assert regressions(_doc(), _doc()) == []


def test_lost_proof_worse_value_and_slower_solve_are_each_named():
    found = regressions(_doc(), _doc(status="time_limit", value=101.0, seconds=30.0))
    assert [r.kind for r in found] == ["status", "objective", "seconds"]
    assert str(found[1]) == "f/a: objective 100.0 -> 101.0"


def test_time_within_ratio_and_slack_is_not_a_regression():
    assert regressions(_doc(), _doc(seconds=19.9), Tolerances(time_ratio=1.5, time_slack=5.0)) == []


def test_instances_only_in_one_document_are_ignored():
    assert regressions(_doc(), _doc(instance="b", status="no_plan")) == []


def test_peer_note_names_the_peer_that_beats_us_and_our_gap():
    row = {"value": 100.0, "status": "time_limit", "gap": 0.05,
           "peers": {"spopt-pmedian": {"status": "feasible", "value": 90.0},
                     "spopt-azp": {"status": "infeasible", "value": 50.0}}}
    assert peer_note(row) == "beaten by spopt-pmedian 90.00: time limit, 5.00% gap left"
