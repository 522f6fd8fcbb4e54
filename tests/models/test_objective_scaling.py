"""Whatever a family's units, HiGHS sees cost coefficients of about 1 and results come back in the model's units.

Regression: on the Hess districting families (population x (km/1000)^2 over total population, coefficients
about 1e-9) HiGHS's absolute tolerances stopped the search early and called a worse plan optimal."""

from __future__ import annotations

import numpy as np
import pytest

from models.partition.builder import build_model
from models.partition.data import PartitionData
from models.partition.solver import PartitionSolver

# Four points on a line at 0, 1, 2, 10 (units of 1e-6), unit weights, two consortia of at most 3.
POSITIONS = np.array([0.0, 1.0, 2.0, 10.0])


def line_data(unit: float) -> PartitionData:
    """Squared distances in the given unit; every pair allowed."""
    pairs = [(i, j) for j in range(4) for i in range(4)]
    cost = np.array([((POSITIONS[i] - POSITIONS[j]) * unit) ** 2 for i, j in pairs])
    return PartitionData(weight=np.ones(4), pairs=pairs, cost=cost, edges=[], min_consortia=2, max_consortia=2,
                         max_population=3.0, contiguity="none", scale=4.0)


@pytest.mark.parametrize("unit", [1e-6, 1.0, 1e4])
def test_factor_makes_the_median_coefficient_about_one(unit):
    data = line_data(unit)
    median = float(np.median(data.cost[data.cost > 0] / data.scale))
    assert 0.3 < median * data.objective_factor < 3.2


@pytest.mark.parametrize("unit", [1e-6, 1.0, 1e4])
def test_optimum_is_reported_in_model_units(unit):
    # By hand: {0, 1, 2} around hub 1 costs 1 + 1 = 2, {10} alone costs 0; every other split costs more.
    data = line_data(unit)
    run = PartitionSolver(build_model(data), data).run(time_limit=30, gap=0.0)
    assert run.status == "optimal"
    assert run.objective == pytest.approx(2 * unit ** 2 / 4.0, rel=1e-9)
    assert run.bound == pytest.approx(run.objective, rel=1e-6)
    assert sorted(set(run.hub_of)) == [1, 3]


def test_a_later_solve_may_ask_for_another_thread_count():
    # HiGHS fixes its thread scheduler per process; without a restart the second solve ends 'unknown'.
    data = line_data(1.0)
    for threads in (1, 2, None, 1):
        run = PartitionSolver(build_model(data), data, threads=threads).run(time_limit=30, gap=0.0)
        assert run.status == "optimal", threads
