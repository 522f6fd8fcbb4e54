"""The verifier names each broken rule on deliberately broken plans, from the raw inputs alone."""

from __future__ import annotations

from planner.instance import load_instance
from planner.plan import Plan
from planner.verify import verify_plan

GOOD = {"P1": "A", "P2": "A", "P3": "A", "P4": "B", "P5": "B", "P6": "B", "P7": "B", "P8": "B"}


def failures(instance, assignment, rules=None, hubs=None):
    """Names of the rules a plan breaks."""
    verdict = verify_plan(instance, Plan(dict(assignment), hubs=hubs or {}), rules or instance.rules)
    return [c.rule for c in verdict.failures()], verdict


def test_good_plan_passes(tiny_path):
    instance = load_instance(tiny_path)
    names, verdict = failures(instance, GOOD)
    assert names == [] and verdict.passed


def test_missing_practice(tiny_path):
    instance = load_instance(tiny_path)
    plan = dict(GOOD)
    del plan["P8"]
    names, verdict = failures(instance, plan)
    assert names == ["one_consortium_per_practice"]
    assert verdict.failures()[0].violations == ["missing P8"]


def test_population_bounds_and_count(tiny_path):
    instance = load_instance(tiny_path)
    names, verdict = failures(instance, {**GOOD, "P1": "C", "P2": "C"})
    assert names == ["consortia_count", "population_bounds", "contiguity"] or \
        set(names) >= {"consortia_count", "population_bounds"}
    bounds = next(c for c in verdict.checks if c.rule == "population_bounds")
    assert "C: 10,000" in bounds.violations


def test_contiguity_names_the_pieces(tiny_path):
    instance = load_instance(tiny_path)
    names, verdict = failures(instance, {**GOOD, "P1": "B", "P4": "A"})
    assert "contiguity" in names
    check = next(c for c in verdict.checks if c.rule == "contiguity")
    assert check.violations == ["A: 2 pieces", "B: 2 pieces"]


def test_interest_cap_names_the_holder(tiny_path):
    instance = load_instance(tiny_path)
    rules = instance.rules.replace(max_interest_share=0.5, min_population=0)
    plan = {"P1": "A", "P2": "B", "P3": "B", "P4": "A", "P5": "A", "P6": "A", "P7": "A", "P8": "A"}
    names, verdict = failures(instance, plan, rules)
    check = next(c for c in verdict.checks if c.rule == "max_interest_share")
    assert not check.passed
    assert check.violations == ["B: site:HC1 holds 100.0%"]


def test_links_and_coterminosity(tiny_path):
    instance = load_instance(tiny_path)
    rules = instance.rules.replace(cannot_link=(("P1", "P2"),), must_link=(("P3", "P6"),), coterminosity="hard")
    names, verdict = failures(instance, {**GOOD, "P4": "A"}, rules)
    assert {"cannot_link", "must_link", "coterminosity"} <= set(names)
    assert next(c for c in verdict.checks if c.rule == "coterminosity").violations == ["A spans 2"]
    assert next(c for c in verdict.checks if c.rule == "cannot_link").violations == ["P1+P2"]
    assert next(c for c in verdict.checks if c.rule == "must_link").violations == ["P3+P6"]


def test_hub_outside_its_consortium(tiny_path):
    instance = load_instance(tiny_path)
    names, _ = failures(instance, GOOD, hubs={"A": "P4", "B": "P5"})
    assert names == ["hub_membership"]
