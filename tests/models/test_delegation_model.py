"""Delegation LP on hand-computed cases: two consortia, two lines, one rule at a time.

The common case: lines acute (£100m) and prescribing (£50m); consortium A has 60% of the acute weighted population
and 50% of prescribing, B the rest. Fair shares: A £60m + £25m = £85m, B £40m + £25m = £65m.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.delegation import DelegationData, build_model, solve
from models.delegation.data import pace_ceiling, savings_shares

M = 1e6


def case(**changes) -> DelegationData:
    """The two-consortium, two-line case; A has 100,000 patients and B 25,000, so B's cv is twice A's."""
    base = dict(consortia=("A", "B"), lines=("acute", "prescribing"), amount=np.array([100 * M, 50 * M]),
                delegable=np.array([True, True]), weighted_population=np.array([[60.0, 50.0], [40.0, 50.0]]),
                population=np.array([100_000.0, 25_000.0]), readiness_cap=np.array([1.0, 0.5]),
                risk_cv=np.array([0.01, 0.01]), reference_population=100_000.0, confidence_z=1.0)
    base.update(changes)
    return DelegationData(**base)


def totals(solution) -> tuple[float, float]:
    """Delegated pounds of A and of B."""
    return tuple(solution.delegated.sum(axis=1))


def test_fair_shares_follow_weighted_population():
    assert np.allclose(case().fair_share, [[60 * M, 25 * M], [40 * M, 25 * M]])


def test_readiness_cap_limits_each_line_to_cap_times_fair_share():
    solution = solve(case())
    assert np.allclose(solution.delegated, [[60 * M, 25 * M], [20 * M, 12.5 * M]])
    assert {b.rule for b in solution.bindings} == {"readiness_cap"}


def test_emerging_consortium_gets_nothing_and_non_delegable_line_stays_with_cluster():
    solution = solve(case(readiness_cap=np.array([1.0, 0.0]), delegable=np.array([True, False])))
    assert np.allclose(solution.delegated, [[60 * M, 0], [0, 0]])


def test_risk_reserve_fills_the_cheapest_reserve_first():
    # Reserve per pound: A 1 x 0.01, B 1 x 0.01 x sqrt(100,000 / 25,000) = 0.02. £1.0m of reserve covers all of A's
    # £85m (£0.85m) and then £0.15m / 0.02 = £7.5m of B; each extra pound of reserve buys 1 / 0.02 = £50.
    solution = solve(case(readiness_cap=np.array([1.0, 1.0]), reserve_available=1.0 * M))
    assert totals(solution) == pytest.approx((85 * M, 7.5 * M))
    assert solution.reserve_required.sum() == pytest.approx(1.0 * M)
    reserve = [b for b in solution.bindings if b.rule == "risk_reserve"]
    assert reserve and reserve[0].shadow_price == pytest.approx(50.0)


def test_fairness_bound_holds_the_spread():
    # B is capped at 50% of fair share (£32.5m); a spread of at most 20 points holds A to 70% of £85m = £59.5m.
    solution = solve(case(max_spread=0.2))
    assert totals(solution) == pytest.approx((59.5 * M, 32.5 * M))
    bound = [b for b in solution.bindings if b.rule == "fairness"]
    assert bound and bound[0].shadow_price == pytest.approx(85 * M)


@pytest.mark.parametrize("weight, a_total", [(0.6, 42.5 * M), (0.5, 85 * M)])
def test_fairness_weight_trades_delegation_for_a_smaller_spread(weight, a_total):
    # Raising A's share by s adds £85m x s and costs weight x £150m x s: worth it only when weight < 85/150 = 0.567.
    solution = solve(case(fairness_weight=weight))
    assert totals(solution) == pytest.approx((a_total, 32.5 * M))


def test_target_floor_forces_delegation_against_the_fairness_penalty():
    # Without the target, weight 0.6 holds A at 50% (£42.5m); a floor of 60% of £150m = £90m makes A take £57.5m.
    solution = solve(case(fairness_weight=0.6, target_share=0.6))
    assert totals(solution) == pytest.approx((57.5 * M, 32.5 * M))
    target = [b for b in solution.bindings if b.rule == "delegation_target"]
    assert target and target[0].shadow_price == pytest.approx(1 - 0.6 * 150 / 85)


def test_target_goal_delegates_up_to_the_target_only():
    solution = solve(case(target_share=0.5, target_mode="goal"))
    assert solution.delegated.sum() == pytest.approx(75 * M)


def test_pace_of_change_ceiling_from_baseline():
    # pace 10%: A acute 50 -> 55 (fair 60); A prescribing 25 -> 25; B acute 45 -> 40.5 but fair share 40 caps it;
    # B prescribing 20 -> 22 (fair 25).
    baseline = np.array([[50 * M, 25 * M], [45 * M, 20 * M]])
    data = case(readiness_cap=np.array([1.0, 1.0]), baseline=baseline, pace=0.1)
    assert np.allclose(pace_ceiling(baseline, data.fair_share, 0.1), [[55 * M, 25 * M], [40.5 * M, 22 * M]])
    solution = solve(data)
    assert np.allclose(solution.delegated, [[55 * M, 25 * M], [40 * M, 22 * M]])
    pace = {s.parameter: s.value for s in solution.sensitivities}["pace"]
    assert pace == pytest.approx(70 * M)  # the binding ceilings grow with baselines 50m + 20m


def test_savings_split_in_proportion_to_opportunity():
    # A is £5m over fair share on prescribing, B £5m over on acute: £2m of savings splits £1m each.
    baseline = np.array([[50 * M, 30 * M], [45 * M, 20 * M]])
    shares = savings_shares(2 * M, baseline, case().fair_share, np.array([True, True]))
    assert shares == pytest.approx([1 * M, 1 * M])


def test_savings_cap_forces_a_floor_of_delegated_budget():
    # £1m of savings at most 2% of B's delegated budget -> B holds at least £50m. Reserve £1.5m: B's £50m uses
    # £1.0m, leaving £0.5m / 0.01 = £50m for A (without savings A would take £85m and B £32.5m).
    baseline = np.array([[50 * M, 30 * M], [45 * M, 20 * M]])
    data = case(readiness_cap=np.array([1.0, 1.0]), reserve_available=1.5 * M, baseline=baseline,
                savings_delegated=2 * M, savings_cap=0.02)
    solution = solve(data)
    assert totals(solution) == pytest.approx((50 * M, 50 * M))
    floor = {b.consortium: b for b in solution.bindings if b.rule == "savings_cap"}
    assert floor["B"].shadow_price == pytest.approx(-1.0)


def test_infeasible_target_names_readiness_cap_and_target():
    # Caps allow £85m + £32.5m = £117.5m (78.3%); a floor of 90% asks £135m.
    solution = solve(case(target_share=0.9))
    assert solution.status == "infeasible"
    assert solution.conflict == ("readiness_cap", "delegation_target")
    assert solution.conflict_most == pytest.approx(117.5 * M)


def test_infeasible_savings_names_savings_cap_and_readiness_cap():
    baseline = np.array([[50 * M, 30 * M], [45 * M, 20 * M]])
    solution = solve(case(baseline=baseline, savings_delegated=2 * M, savings_cap=0.02))
    assert solution.status == "infeasible"
    assert set(solution.conflict) == {"readiness_cap", "savings_cap"}


def test_rules_without_data_build_no_block():
    model = build_model(case())
    assert hasattr(model, "readiness_cap")
    for name in ("risk_reserve", "fairness", "delegation_target", "pace_of_change", "savings_cap"):
        assert not hasattr(model, name)


def _objective(data) -> float:
    return solve(data).objective


@pytest.mark.parametrize("changes, parameter, step", [
    (dict(readiness_cap=np.array([1.0, 1.0]), reserve_available=1.0 * M), "reserve_available", 1_000.0),
    (dict(reserve_available=2.5 * M, confidence_z=2.0), "reserve_available", 1_000.0),
    (dict(max_spread=0.2), "max_spread", 1e-4),
    (dict(fairness_weight=0.6, target_share=0.6), "target_share", 1e-4),
    (dict(readiness_cap=np.array([1.0, 1.0]), baseline=np.array([[50 * M, 25 * M], [45 * M, 20 * M]]), pace=0.1),
     "pace", 1e-4),
    (dict(readiness_cap=np.array([1.0, 1.0]), reserve_available=1.5 * M,
          baseline=np.array([[50 * M, 30 * M], [45 * M, 20 * M]]), savings_delegated=2 * M, savings_cap=0.02),
     "savings_cap", 1e-5),
])
def test_shadow_prices_match_finite_differences(changes, parameter, step):
    data = case(**changes)
    solution = solve(data)
    reported = {s.parameter: s.value for s in solution.sensitivities if s.consortium is None}[parameter]
    field = {"reserve_available": "reserve_available", "max_spread": "max_spread", "target_share": "target_share",
             "pace": "pace", "savings_cap": "savings_cap"}[parameter]
    moved = data.with_changes(**{field: getattr(data, field) + step})
    finite = (_objective(moved) - solution.objective) / step
    assert finite == pytest.approx(reported, rel=1e-3)


def test_readiness_cap_shadow_price_matches_finite_difference():
    data = case(reserve_available=2.5 * M, confidence_z=2.0)
    solution = solve(data)
    reported = {s.consortium: s.value for s in solution.sensitivities if s.rule == "readiness_cap"}
    for c, name in enumerate(data.consortia):
        caps = data.readiness_cap.copy()
        caps[c] += 1e-4
        finite = (_objective(data.with_changes(readiness_cap=caps)) - solution.objective) / 1e-4
        assert finite == pytest.approx(reported.get(name, 0.0), rel=1e-3, abs=1.0)
