"""Large-neighbourhood search: free a few neighbouring consortia and re-solve them exactly with the full
model (warm-started from the current plan, so never worse); disjoint neighbourhoods run in parallel.

The objective is a sum over consortia, so improving the freed consortia improves the whole plan, and
consortia outside a neighbourhood are untouched, so every rule that held still holds."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from planner.geo import restrict
from planner.instance import instance_from_arrays
from planner.options import SolveOptions
from planner.partition_state import PartitionState, lowers
from planner.plan import Plan


@dataclass(frozen=True)
class Neighbourhood:
    """A set of consortia freed together, with everything needed to solve them in another process."""

    consortia: tuple[int, ...]
    practices: tuple[int, ...]
    instance: object
    rules: object
    start: Plan
    options: SolveOptions
    current: float
    change: int = 0
    """Consortia to add (positive) or remove (negative) in the re-solve; with a change the result is
    returned whether or not it is cheaper, for the caller to weigh against another neighbourhood's."""
    deadline: float | None = None
    """Wall-clock time (time.time(), comparable across machines) after which the solve is not started and
    by which it must end: the whole search's deadline, so a batch in flight cannot overrun it."""


def choose_neighbourhoods(state: PartitionState, rng, *, size: int, max_practices: int) -> list[tuple[int, ...]]:
    """Disjoint groups of adjacent consortia, each grown from a random consortium by nearest hubs."""
    touching: dict[int, set[int]] = {k: set() for k in state.members}
    for i in range(state.n):
        for j in state.neighbours[i]:
            a, b = int(state.labels[i]), int(state.labels[j])
            if a != b:
                touching[a].add(b)
    used: set[int] = set()
    groups = []
    for k in rng.permutation(sorted(state.members)):
        k = int(k)
        if k in used:
            continue
        group, count = [k], len(state.members[k])
        frontier = sorted(touching[k] - used, key=lambda b: _hub_distance(state, k, b))
        while frontier and len(group) < size:
            b = frontier.pop(0)
            if b in used or b in group or count + len(state.members[b]) > max_practices:
                continue
            group.append(b)
            count += len(state.members[b])
            frontier = sorted((set(frontier) | touching[b]) - used - set(group),
                              key=lambda c: _hub_distance(state, k, c))
        if len(group) > 1:
            groups.append(tuple(sorted(group)))
            used.update(group)
    return groups


def _hub_distance(state: PartitionState, a: int, b: int) -> float:
    """Distance between two consortia's hubs."""
    return float(state.instance.distance.between(np.array(state.hub[a]), np.array(state.hub[b])))


def neighbourhood(state: PartitionState, consortia: tuple[int, ...], options: SolveOptions,
                  hubs: int = 0, deadline: float | None = None, change: int = 0,
                  start: Plan | None = None) -> Neighbourhood:
    """The sub-instance of the freed consortia, its rules (with `hubs` candidate hubs per consortium; 0 =
    every practice, and `change` consortia more or fewer), its start plan (the current one; when the count
    changes, `start` or none) and the wall-clock deadline of its solve."""
    instance, rules = state.instance, state.rules
    idx = np.array(sorted(i for k in consortia for i in state.members[k]), dtype=np.int64)
    inside = set(int(i) for i in idx)
    codes = [instance.codes[i] for i in idx]
    code_set = set(codes)
    edges = [(a, b) for a, b in instance.edges if a in code_set and b in code_set]
    sub_rules = rules.replace(consortia=len(consortia) + change)
    sub_rules = _replace_links(sub_rules, code_set, _near_hubs(state, consortia, idx, hubs))
    sub = instance_from_arrays(
        f"{instance.name}-lns", codes, instance.list_size[idx], edges, sub_rules,
        metric=restrict(instance.distance, idx), lad_codes=instance.practices["lad_code"].to_numpy()[idx],
        interests=instance.practices["interests"].to_numpy()[idx], cost_divisor=state.scale)
    if not change:
        start = Plan({instance.codes[i]: str(int(state.labels[i])) for i in inside})
    current = float(sum(state.value[k] for k in consortia))
    return Neighbourhood(tuple(consortia), tuple(int(i) for i in idx), sub, sub_rules, start, options, current,
                         change, deadline)


def _near_hubs(state: PartitionState, consortia: tuple[int, ...], idx: np.ndarray, per: int) -> set[str] | None:
    """The `per` practices nearest each freed consortium's current hub (the hub included); None for all."""
    if per <= 0 or per * len(consortia) >= len(idx):
        return None
    near = set()
    for k in consortia:
        d = state.instance.distance.between(idx, np.full(len(idx), state.hub[k]))
        near.update(int(i) for i in idx[np.argsort(d, kind="stable")[:per]])
        near.add(int(state.hub[k]))
    return {state.instance.codes[i] for i in near}


def _replace_links(rules, codes: set[str], near: set[str] | None = None):
    """Keep only the link rules and candidate hubs that concern the sub-instance's practices (and, when
    given, only the hubs near the current ones)."""
    cannot = tuple(p for p in rules.cannot_link if p[0] in codes and p[1] in codes)
    must = tuple(g for g in rules.must_link if g[0] in codes)
    allowed = codes if near is None else codes & near
    hubs = tuple(sorted(allowed)) if rules.candidate_hubs is None else \
        tuple(c for c in rules.candidate_hubs if c in allowed)
    return dataclasses.replace(rules, cannot_link=cannot, must_link=must,
                               candidate_hubs=None if near is None and rules.candidate_hubs is None else hubs)


LAST_START = 2.0
"""Seconds before the search's deadline after which no re-solve is started: a re-solve's own deadline is a
second early (for gathering) and it is skipped with less than a second to run."""


def sub_limits(options: SolveOptions, deadline: float, seconds: float, gap: float) -> tuple[SolveOptions, float]:
    """Options of one re-solve (at most `seconds`, and never past the search's `deadline`, a perf_counter
    reading) and that deadline as wall-clock time, a second early so results can be gathered. A re-solve
    is always the exact model, also when a grown neighbourhood holds more practices than `exact_up_to`."""
    resolve = SolveOptions(time_limit=max(1.0, min(seconds, deadline - time.perf_counter())), gap=gap,
                           threads=options.threads, seed=options.seed, method="exact", nearest_hubs=RESOLVE_NEAREST)
    return resolve, time.time() + deadline - 1.0 - time.perf_counter()


RESOLVE_NEAREST = 10
"""Hubs each practice may join in a re-solve without contiguity, neighbourhoods and transfer evaluations
alike (its nearest, and its hub in the plan; see `SolveOptions.nearest_hubs`). On p3038 (p = 600), 48
re-solves of a 129,233 plan gained 71.0 in 18.8 s against 75.9 in 25.4 s with every hub; in 10-minute
runs p = 600 ended at 123,762.89 against 124,282.09, and p = 1,000 at 86,199.10 against 86,439.63."""


class Resolved(NamedTuple):
    """One neighbourhood re-solve: its consortia, value, new assignment (None when not better) and whether it
    stopped at its time limit (or was not started, or failed) rather than proving its answer."""

    consortia: tuple[int, ...]
    value: float
    assignment: dict[str, str] | None
    limited: bool


def solve_neighbourhood(task: Neighbourhood) -> Resolved:
    """Solve one freed neighbourhood exactly; the assignment is returned if better (or, when the count
    changes, if any plan was found)."""
    from planner.errors import PlannerError
    from planner.solve import solve_instance

    options = task.options
    if task.deadline is not None:
        left = task.deadline - time.time()
        if left < 1.0:
            return Resolved(task.consortia, task.current, None, True)
        options = dataclasses.replace(options, time_limit=min(options.time_limit, left))
    try:
        result = solve_instance(task.instance, task.rules, options, start=task.start)
    except PlannerError:
        return Resolved(task.consortia, task.current, None, True)
    limited = result.status != "optimal"
    if result.plan is None or (not task.change and not lowers(result.objective, task.current)):
        return Resolved(task.consortia, task.current, None, limited)
    return Resolved(task.consortia, float(result.objective), dict(result.plan.assignment), limited)


def apply_solution(state: PartitionState, consortia: tuple[int, ...], assignment: dict[str, str]) -> set[int]:
    """Write a neighbourhood's new assignment into the working plan, reusing the freed consortium ids (and
    new ids when it has more consortia; a freed consortium left over is dropped); returns the ids now used."""
    labels = sorted(set(assignment.values()))
    fresh = range(max(state.members) + 1, max(state.members) + 1 + len(labels))
    ids = dict(zip(labels, list(consortia) + list(fresh)))
    index = state.instance.index
    state.reassign(consortia, {index[code]: ids[label] for code, label in assignment.items()})
    return set(ids.values())
