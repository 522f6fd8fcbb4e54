"""Regions rebuilt without authority groups: under the split penalty the first plan is cut from groups of
whole authorities, which fixes which authorities share a consortium. Here a few adjacent consortia at a
time are cut again from scratch, ignoring the groups (exact p-median seeds, graph-Voronoi cells, repair,
border moves), and the new cut replaces the old one where it is better.

Which start is better differs by place: on durham-tees (one region of five consortia) the cut without
groups is 6.947 and the grouped one 7.402; nationally the cut without groups is 8.63 against 8.108. Doing
it region by region keeps the better one in each place."""

from __future__ import annotations

import time

from planner.construct import construct_plan
from planner.errors import SolveError
from planner.improve import border_moves
from planner.lns import apply_solution, choose_neighbourhoods, neighbourhood
from planner.options import SolveOptions
from planner.partition_state import PartitionState, lowers
from planner.verify import verify_plan

CONSORTIA = 6
"""Consortia cut again together (an area team's worth)."""
PRACTICES = 400
"""Most practices in one region."""
SEEDING_SECONDS = 5.0
"""Most seconds for one region's p-median seeds."""


def rebuild_regions(state: PartitionState, options: SolveOptions, rng, deadline: float) -> int:
    """Cut disjoint regions of adjacent consortia again without authority groups, keeping each new cut that
    lowers the objective and passes the verifier, until the regions or the time run out; returns the
    regions replaced."""
    replaced = 0
    for consortia in choose_neighbourhoods(state, rng, size=CONSORTIA, max_practices=PRACTICES):
        if time.perf_counter() > deadline:
            break
        task = neighbourhood(state, consortia, options)
        try:
            cut = construct_plan(task.instance, task.rules, seed=options.seed, seeding="pmedian",
                                 seeding_seconds=SEEDING_SECONDS, by_authority=False, deadline=deadline)
        except SolveError:
            continue
        border_moves(cut, seed=options.seed, deadline=deadline)
        if lowers(cut.objective, task.current) and verify_plan(task.instance, cut.to_plan(), task.rules).passed:
            codes = task.instance.codes
            apply_solution(state, consortia, {codes[i]: str(int(k)) for i, k in enumerate(cut.labels)})
            replaced += 1
    return replaced
