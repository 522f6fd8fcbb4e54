"""Cheap improvement: move single practices (or must-link groups) across consortium borders, swap two
practices on either side of a border, or (under the split penalty) move a consortium's whole piece of one
local authority, while every hard rule keeps holding and the exact objective falls.

Swaps matter where capacities are tight (p3038): a full consortium can take a practice only by giving one
back, which no single move does. Piece moves matter under the split penalty: a consortium sheds an extra
authority only when its last practice there leaves, which single moves that each add distance never reach."""

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
    pieces = state.rules.coterminosity == "penalty" and bool(state.rules.la_split_weight)
    made = 0
    for _ in range(max_passes):
        improved = 0
        for i in rng.permutation(practices):
            if deadline is not None and time.perf_counter() > deadline:
                return made + improved
            improved += _try_practice(state, int(i), units[int(i)], hard_la) or \
                _try_swap(state, int(i), units, hard_la)
        if pieces:
            improved += _piece_moves(state, units, consortia, deadline)
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


def _piece_moves(state: PartitionState, units: dict[int, set[int]], consortia, deadline) -> int:
    """Apply improving moves of whole authority pieces (a consortium's connected practices in one local
    authority, with their must-link groups) to a neighbouring consortium, over the consortia given (all
    when None) that span more than one authority; returns the moves made."""
    made = 0
    scope = sorted(state.members) if consortia is None else sorted(k for k in consortia if k in state.members)
    for k in scope:
        if deadline is not None and time.perf_counter() > deadline:
            break
        for piece in _authority_pieces(state, k, units):
            if k not in state.members or not piece <= state.members[k]:
                continue
            made += _try_practice(state, next(iter(piece)), piece, hard_la=False)
    return made


def _authority_pieces(state: PartitionState, k: int, units: dict[int, set[int]]) -> list[set[int]]:
    """Consortium k's connected pieces of each local authority, when it spans more than one, grown to
    whole must-link groups; smallest first."""
    members = state.members[k]
    if len({int(state.lad[i]) for i in members}) < 2:
        return []
    pieces, seen = [], set()
    for start in sorted(members):
        if start in seen:
            continue
        piece, todo = {start}, [start]
        while todo:
            u = todo.pop()
            for v in state.neighbours[u]:
                if v in members and v not in piece and state.lad[v] == state.lad[start]:
                    piece.add(v)
                    todo.append(v)
        seen |= piece
        whole = set().union(*(units[i] for i in piece))
        if whole == piece or state.connected(whole):
            pieces.append(whole)
    return sorted(pieces, key=lambda p: (float(state.weight[list(p)].sum()), min(p)))


def _around(state: PartitionState, consortia) -> np.ndarray:
    """The practices of the given consortia and of every consortium touching them, in index order."""
    near = {int(k) for k in consortia if k in state.members}
    for k in list(near):
        near.update(state.touching(state.members[k]))
    return np.array(sorted(i for k in near for i in state.members[k]), dtype=np.int64)
