"""Cheap improvement: move single practices (or must-link groups) across consortium borders while every
hard rule keeps holding and the exact objective falls."""

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
            improved += _try_practice(state, int(i), units[int(i)], hard_la)
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


def _around(state: PartitionState, consortia) -> np.ndarray:
    """The practices of the given consortia and of every consortium touching them, in index order."""
    near = {int(k) for k in consortia if k in state.members}
    for k in list(near):
        near.update(int(state.labels[j]) for i in state.members[k] for j in state.neighbours[i])
    return np.array(sorted(i for k in near for i in state.members[k]), dtype=np.int64)
