"""Metrics checked against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from planner.geo import EARTH_RADIUS_KM
from planner.instance import instance_from_arrays, load_instance
from planner.metrics import plan_metrics
from planner.plan import Plan
from planner.rules import Rules


def test_locality_of_three_practices_on_a_meridian():
    # Three practices 0.1 degrees of latitude apart on one meridian: 11.119... km between neighbours.
    step = EARTH_RADIUS_KM * math.radians(0.1)
    instance = instance_from_arrays("line", ["A", "B", "C"], [100, 300, 100], [("A", "B"), ("B", "C")],
                                    Rules(), latitude=[50.0, 50.1, 50.2], longitude=[0.0, 0.0, 0.0])
    metrics = plan_metrics(instance, Plan({"A": "X", "B": "X", "C": "X"}))
    # Hub B (the heaviest, in the middle): 100 * step + 100 * step over 500 patients.
    assert metrics.consortia[0].hub == "B"
    assert metrics.locality_km == pytest.approx(200 * step / 500, rel=1e-12)
    assert metrics.cost == pytest.approx(200 * step, rel=1e-12)


def test_exposure_counts_interest_labels(tiny_path):
    instance = load_instance(tiny_path)
    plan = Plan({"P1": "A", "P2": "A", "P3": "A", "P4": "B", "P5": "B", "P6": "B", "P7": "B", "P8": "B"})
    metrics = plan_metrics(instance, plan)
    a = metrics.consortia[0]
    # P2 and P3 share site HC1: 9,000 of 15,000 patients.
    assert (a.exposure, a.exposure_holder) == (pytest.approx(0.6), "site:HC1")
    assert a.coi_distance == pytest.approx(0.4)
    b = metrics.consortia[1]
    assert (b.exposure, b.exposure_holder) == (pytest.approx(7000 / 20000), "P5")
    assert metrics.la_extra_spans == 0


def test_objective_adds_weighted_terms(tiny_path):
    instance = load_instance(tiny_path)
    plan = Plan({"P1": "A", "P2": "A", "P3": "A", "P4": "B", "P5": "B", "P6": "B", "P7": "B", "P8": "B"})
    base = plan_metrics(instance, plan, instance.rules)
    rules = instance.rules.replace(target_population=10000, deviation_weight=2.0)
    # |15,000 - 10,000| / 10,000 + |20,000 - 10,000| / 10,000 = 1.5, times 2.
    assert plan_metrics(instance, plan, rules).objective == pytest.approx(base.objective + 3.0)
    crossing = Plan({**plan.assignment, "P4": "A"})
    rules = instance.rules.replace(coterminosity="penalty", la_split_weight=0.5)
    assert plan_metrics(instance, crossing, rules).la_extra_spans == 1
    assert plan_metrics(instance, crossing, rules).objective == pytest.approx(
        plan_metrics(instance, crossing).objective + 0.5)
