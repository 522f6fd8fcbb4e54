"""Global reallocation for plans without contiguity: the hubs held, every practice re-assigned exactly by
the partition model over its few nearest hubs (a generalised assignment under the capacities), then each
consortium's hub moved to its best member; repeated while the plan improves by more than SMALL_GAIN.

Neighbourhood re-solves only move practices among a few adjacent consortia, so on tight capacitated
instances (p3038) they stall where a chain of moves across many consortia would pay; this step makes
every such chain at once."""

from __future__ import annotations

import time

from models.partition.builder import build_model
from models.partition.solver import PartitionSolver
from planner.partition_data import partition_data
from planner.partition_state import PartitionState, lowers

NEAREST = 6
"""Hubs each practice may choose from in a reallocation: its current one and its nearest ones. With 6
instead of 4 the assignment can make longer chains of moves, and `consortia bench p3038` went from
+0.52 / +0.58 / +0.42 / +0.54 / +0.26 % above the best known (mean +0.46 %) to +0.42 / +0.59 / +0.44 /
+0.26 / +0.28 % (mean +0.40 %)."""
ROUND_SECONDS = 20.0
"""Most seconds for one round's assignment: re-centring after a good assignment gains more than proving it
best. On p3038 (p = 1,000) the first round from the border-moved plan had 649.1 at 18 s and 639.3 when cut
at 44 s; re-centred, the next round started at 609.3 and was proven optimal in 9 s."""

SMALL_GAIN = 2e-4
"""A round gaining less than this share of the objective is the last: the next round rarely gains and,
proving that, is the slowest (on p3038, p = 600, from the border-moved plan the rounds gained 0.0287,
0.0034, 0.0011 and 0.00009 in 4.7-7.6 s each, and the fifth found nothing in 9.6 s)."""


def reallocate(state: PartitionState, deadline: float, *, threads: int | None = None, seed: int = 0,
               nearest: int = NEAREST) -> int:
    """Reallocate and re-centre until no gain or the deadline; returns the number of improving rounds.
    Only for plans without contiguity, whose consortia any assignment keeps valid."""
    if state.rules.contiguity:
        return 0
    rounds = 0
    while time.perf_counter() < deadline - 1.0:
        hubs = sorted(set(state.hub.values()))
        keep = {i: state.hub[int(state.labels[i])] for i in range(state.n)}
        rules = state.rules.replace(consortia=len(hubs),
                                    candidate_hubs=tuple(state.instance.codes[j] for j in hubs))
        data = partition_data(state.instance, rules, nearest=nearest, keep=keep)
        solver = PartitionSolver(build_model(data), data, threads=threads, seed=seed)
        limit = max(1.0, min(ROUND_SECONDS, deadline - time.perf_counter() - 1.0))
        run = solver.run(time_limit=limit, gap=1e-6, start=[keep[i] for i in range(state.n)])
        if run.hub_of is None or run.objective is None:
            return rounds
        before, consortia = state.objective, list(state.members)
        earlier = dict(enumerate(int(k) for k in state.labels))
        consortium_of = {state.hub[k]: k for k in consortia}
        state.reassign(consortia, {i: consortium_of[j] for i, j in enumerate(run.hub_of)})
        if not lowers(state.objective, before):
            if state.objective > before:
                state.reassign(consortia, earlier)
            return rounds
        rounds += 1
        if before - state.objective < SMALL_GAIN * abs(before):
            return rounds
    return rounds

