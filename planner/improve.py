"""Cheap improvement: move single practices (or must-link groups) across consortium borders, or swap two
practices on either side of a border, while every hard rule keeps holding and the exact objective falls.

Swaps matter where capacities are tight (p3038): a full consortium can take a practice only by giving one
back, which no single move does."""

from __future__ import annotations

import time

import numpy as np

from planner.construct import moving_units, violation
from planner.partition_state import PartitionState


def border_moves(state: PartitionState, *, seed: int = 0, deadline: float | None = None,
                 max_passes: int = 50, consortia=None) -> int:
    """Improving feasible border moves until none is left or the deadline passes; returns moves made. With
    `consortia`, only the practices of those consortia and of the consortia touching them are tried (the
    borders a re-solve has just redrawn)."""
    rng = np.random.default_rng(seed)
    units = moving_units(state)
    hard_la = state.rules.coterminosity == "hard"
    practices = np.arange(state.n) if consortia is None else _around(state, consortia)
    made = 0
    for _ in range(max_passes):
        improved = 0
        for i in rng.permutation(practices):
            if deadline is not None and time.perf_counter() > deadline:
                return made + improved
            improved += _try_practice(state, int(i), units[int(i)], hard_la) or \
                _try_swap(state, int(i), units, hard_la)
        made += improved
        if not improved:
            break
    return made


def _try_practice(state: PartitionState, i: int, unit: set[int], hard_la: bool) -> int:
    """Apply the best improving move of practice i's unit to a neighbouring consortium, if any."""
    source = int(state.labels[i])
    targets = {int(state.labels[j]) for u in unit for j in state.neighbours[u]} - {source}
    if not targets or len(state.members[source]) == len(unit):
        return 0
    rest = state.members[source] - unit
    if violation(state, rest) > 1e-9 or not state.stays_connected(source, unit):
        return 0
    rest_value, _ = state.consortium_value(rest)
    best = None
    for target in sorted(targets):
        if hard_la and state.lad[i] != state.lad[state.hub[target]]:
            continue
        grown = state.members[target] | unit
        if violation(state, grown) > 1e-9 or not state.links_ok(unit, target):
            continue
        grown_value, _ = state.consortium_value(grown)
        delta = rest_value + grown_value - state.value[source] - state.value[target]
        if delta < -1e-12 and (best is None or delta < best[0]):
            best = (delta, target)
    if best is None:
        return 0
    state.move(set(unit), best[1])
    return 1


def _try_swap(state: PartitionState, i: int, units: dict[int, set[int]], hard_la: bool) -> int:
    """Apply the best improving swap of practice i with a practice of a neighbouring consortium, if any
    (single practices only: must-link groups move whole)."""
    if len(units[i]) > 1:
        return 0
    a = int(state.labels[i])
    best = None
    for j in state.neighbours[i]:
        b = int(state.labels[j])
        if b == a or len(units[j]) > 1:
            continue
        if hard_la and (state.lad[i] != state.lad[state.hub[b]] or state.lad[j] != state.lad[state.hub[a]]):
            continue
        into_a = (state.members[a] - {i}) | {j}
        into_b = (state.members[b] - {j}) | {i}
        if violation(state, into_a) > 1e-9 or violation(state, into_b) > 1e-9:
            continue
        value_a, _ = state.consortium_value(into_a)
        value_b, _ = state.consortium_value(into_b)
        delta = value_a + value_b - state.value[a] - state.value[b]
        if delta < -1e-12 and (best is None or delta < best[0]) and \
                state.connected(into_a) and state.connected(into_b):
            best = (delta, j, b)
    if best is None:
        return 0
    _, j, b = best
    state.move({i}, b)
    state.move({j}, a)
    return 1


def _around(state: PartitionState, consortia) -> np.ndarray:
    """The practices of the given consortia and of every consortium touching them, in index order."""
    near = {int(k) for k in consortia if k in state.members}
    for k in list(near):
        near.update(int(state.labels[j]) for i in state.members[k] for j in state.neighbours[i])
    return np.array(sorted(i for k in near for i in state.members[k]), dtype=np.int64)
