"""The relaxation's sorting helpers give exactly the order and picks of the lexsorts they replace."""

from __future__ import annotations

import numpy as np
import pytest

from planner.bound import _first_least, grouped_order


@pytest.mark.parametrize("groups", [3, 70_000, 3_000_000])
def test_grouped_order_is_lexsort_by_group_then_key_with_ties_by_position(groups):
    rng = np.random.default_rng(groups)
    for _ in range(100):
        n = int(rng.integers(0, 80))
        group, key = rng.integers(0, groups, n), rng.integers(0, 4, n).astype(float)
        assert np.array_equal(grouped_order(group, key), np.lexsort((key, group)))


def test_first_least_is_each_groups_first_smallest_value():
    rng = np.random.default_rng(1)
    for _ in range(100):
        sizes = rng.integers(1, 6, int(rng.integers(1, 20)))
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        group = np.repeat(np.arange(len(sizes)), sizes)
        values = rng.integers(0, 3, int(sizes.sum())).astype(float)
        by_value = np.lexsort((values, group))
        expected = by_value[np.r_[0, np.nonzero(np.diff(group[by_value]))[0] + 1]]
        assert np.array_equal(_first_least(values, starts, group), expected)
