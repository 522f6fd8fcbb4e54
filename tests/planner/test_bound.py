"""The relaxation's sorting helpers match the lexsorts they replace, the ascent ends its last
certification within its time limit, certifies a quick certification more often, and a step against the last
one is deflected along it."""

from __future__ import annotations

import time

import numpy as np
import pytest

from planner import bound
from planner.bound import _first_least, deflected, grouped_order


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


def test_the_ascent_keeps_time_for_its_last_certification():
    """An ascent whose certification takes 1 s stops early enough that its final certification still ends
    within the deadline (it used to start at the deadline and end a second after it)."""
    def relaxation(lam):
        time.sleep(0.01)
        return float(lam.sum()), np.zeros(len(lam))

    def slow_certify(lam):
        time.sleep(1.0)
        return float(lam.sum())

    progress = bound._Reporter(None, 1.0)
    progress.certify = slow_certify
    began = time.perf_counter()
    bound._ascend(relaxation, np.zeros(4), np.full(4, np.inf), None, began + 4.0, 10**6, progress=progress)
    assert time.perf_counter() - began < 4.0
    assert progress.valid > 0


def test_a_subgradient_against_the_last_direction_is_deflected_along_it():
    previous = np.array([1.0, 0.0, 2.0])
    along = np.array([0.5, 1.0, 0.0])
    assert deflected(along, None) is along
    assert np.array_equal(deflected(along, previous), along)
    against = np.array([-2.0, 1.0, -1.0])
    step = deflected(against, previous)
    assert float(against @ previous) < 0 <= float(step @ previous)
    assert np.isclose(step @ previous, (1 - bound.DEFLECT) * (against @ previous))
    assert np.allclose(step - against, (step - against)[0] / previous[0] * previous), "moved along the last step"


def test_a_quick_certification_is_repeated_sooner_than_a_slow_one(monkeypatch):
    """A certification taking 0.5 s lets the next come 5 s later (a tenth of the time), not 30 s later, so a
    climbing ascent's values count as they come; one taking 10 s still waits the full 30 s."""
    for took, expected in ((0.5, 3.0), (10.0, 1.0)):
        clock = [0.0]
        monkeypatch.setattr(bound.time, "perf_counter", lambda: clock[0])

        def certify(lam):
            clock[0] += took
            return float(lam[0])

        progress = bound._Reporter(None, 1.0)
        progress.certify = certify
        for at, value in ((0.0, 1.0), (took + 3.0, 2.0), (took + 6.0, 3.0)):
            clock[0] = max(clock[0], at)
            progress(value, np.array([value]))
        assert progress.valid == expected


@pytest.mark.parametrize("rise, calls", [(5e-5, 1), (1e-3, 0)])
def test_a_climb_slower_than_the_settled_rise_is_reported_once_and_goes_on(monkeypatch, rise, calls):
    """With every iteration a window: a climb of 5e-5 per window (between FLAT_RISE and SETTLED_RISE) calls
    `settled` once and runs on to its iteration limit; a climb of 1e-3 never calls it."""
    monkeypatch.setattr(bound, "FLAT_SECONDS", 0.0)
    monkeypatch.setattr(bound, "FLAT_STEPS", 1)
    assert bound.FLAT_RISE < 5e-5 < bound.SETTLED_RISE < 1e-3
    count = [0]

    def relaxation(lam):
        count[0] += 1
        return 1.0 + rise * count[0], np.zeros(len(lam))

    settled = []
    _, _, iterations = bound._ascend(relaxation, np.zeros(3), np.full(3, np.inf), None,
                                     time.perf_counter() + 60.0, 50, settled=lambda: settled.append(1))
    assert len(settled) == calls
    assert iterations == 50


@pytest.mark.parametrize("steps, stops", [(1, True), (12, False)])
def test_a_window_is_flat_only_over_its_least_steps(monkeypatch, steps, stops):
    """A climb with 10 flat steps in it (fewer than STALL, so the step never halves): windows of one step
    find it flat and stop the ascent; windows of at least 12 steps always hold a rise and run on to the
    iteration limit. A shared core gives fewer steps a minute, so a wall-clock window alone can be one
    stall."""
    monkeypatch.setattr(bound, "FLAT_SECONDS", 0.0)
    monkeypatch.setattr(bound, "FLAT_STEPS", steps)
    assert 10 < bound.STALL
    count = [0]

    def relaxation(lam):
        count[0] += 1
        return 1.0 + 1e-3 * (count[0] - min(10, max(0, count[0] - 5))), np.zeros(len(lam))

    _, _, iterations = bound._ascend(relaxation, np.zeros(3), np.full(3, np.inf), None,
                                     time.perf_counter() + 60.0, 50)
    assert (iterations < 50) == stops
