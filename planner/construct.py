"""A fast first plan that meets every hard rule: seeds placed by weighted locate-allocate, practices given
to the nearest seed along the practice graph (a graph Voronoi partition is contiguous), then border moves
until population bounds, exposure caps and links hold."""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from planner.errors import SolveError
from planner.feasibility import separate_regions
from planner.partition_state import PartitionState
from planner.rules import Rules


def construct_plan(instance, rules: Rules, seed: int = 0, max_moves: int | None = None,
                   seeding: str = "sample", seeding_seconds: float = 60.0, attempts: int = 8,
                   by_authority: bool = True, every_area: bool = False,
                   deadline: float | None = None) -> PartitionState:
    """A working plan satisfying every hard rule, or SolveError naming the rule it could not meet.

    seeding: 'sample' (weighted sampling and locate-allocate, seconds) or 'pmedian' (exact p-median on
    aggregated practices, better placed, within seeding_seconds shared by all regions; a region reached
    after the budget is spent samples its seeds). When the border-move repair gets stuck, it starts again
    from other sampled seeds, up to `attempts` times in all. by_authority: under the split penalty, cut the
    consortia from groups of whole authorities. every_area: the p-median seeding takes every practice as its
    own area, instead of at most AREAS_PER_CONSORTIUM per consortium. deadline (a perf_counter time): no
    attempt starts after it, so a first plan that keeps failing ends in a SolveError, not a late plan."""
    failure = None
    for attempt in range(attempts):
        if attempt and deadline is not None and time.perf_counter() >= deadline:
            raise SolveError(f"{failure} (after {attempt} attempt{'s' if attempt > 1 else ''} from different "
                             "seeds, when the time ran out)")
        try:
            return _construct(instance, rules, seed + 7919 * attempt, max_moves,
                              seeding if attempt == 0 else "sample", seeding_seconds, by_authority,
                              every_area)
        except SolveError as error:
            failure = error
    raise SolveError(f"{failure} (after {attempts} attempts from different seeds)")


def _construct(instance, rules: Rules, seed: int, max_moves: int | None, seeding: str,
               seeding_seconds: float, by_authority: bool = True, every_area: bool = False) -> PartitionState:
    """One attempt: seeds, graph Voronoi cells, must-links gathered, rules repaired.

    Under the split penalty the repair is priced, since the plain one cuts across authorities: national
    policy 8.196664 (165 extra authorities) against 8.685142 (197), north-2014 6.460843 against 7.109508,
    durham-tees 7.234452 against 7.965601. Without the penalty the plain one is kept: the national real
    envelope starts at 6.826878 with it against 8.353748 priced."""
    rng = np.random.default_rng(seed)
    ends = time.perf_counter() + seeding_seconds
    regions = _regions(instance, rules, by_authority)
    counts = allocate_consortia(instance, rules, regions)
    labels = np.full(len(instance.codes), -1, dtype=np.int64)
    next_label = 0
    for members, k in zip(regions, counts):
        found, left = None, ends - time.perf_counter()
        if seeding == "pmedian" and 1 < k < len(members) and left >= LEAST_SEEDING:
            from planner.seeding import pmedian_seeds

            found = pmedian_seeds(instance, members, k, rng, time_limit=left, seed=seed,
                                  min_population=rules.min_population, max_population=rules.max_population,
                                  every_area=every_area)
        seeds = found[0] if found is not None and len(found[0]) == k else \
            place_seeds(instance, rules, members, k, rng)
        crossing = BORDER_FACTOR if rules.coterminosity == "penalty" and rules.la_split_weight else 1.0
        owner = graph_voronoi(instance, members, seeds, crossing) if rules.contiguity else \
            nearest_seed(instance, members, seeds, rules.max_population)
        for i, s in zip(members, owner):
            labels[i] = next_label + s
        next_label += k
    state = PartitionState(instance, rules, labels)
    _gather_must_links(state)
    repair_rules(state, max_moves or 20 * len(instance.codes), priced=by_authority_applies(rules))
    return state


LEAST_SEEDING = 0.5
"""Fewest seconds of the seeding budget left for a region's p-median to be tried (else it samples seeds)."""


def by_authority_applies(rules: Rules) -> bool:
    """Whether first plans may be cut from groups of whole authorities: contiguous plans under the penalty."""
    return bool(rules.contiguity and rules.coterminosity == "penalty" and rules.la_split_weight)


def _regions(instance, rules: Rules, by_authority: bool = True) -> list[list[int]]:
    """Practices cut into consortia separately: groups of whole local authorities under the split penalty
    (contiguous plans, when asked), else the parts no consortium can cross."""
    if by_authority and by_authority_applies(rules):
        from planner.coterminous import authority_groups

        groups = authority_groups(instance, rules)
        if groups is not None and _allocatable(instance, rules, groups):
            return groups
    return [members for _, members, _ in separate_regions(instance, rules)]


def _allocatable(instance, rules: Rules, regions: list[list[int]]) -> bool:
    """Whether the regions can share out a number of consortia the rules allow."""
    low, high = rules.consortia_range
    counts = allocate_consortia(instance, rules, regions)
    return low <= sum(counts) <= (high if high is not None else sum(counts))


def allocate_consortia(instance, rules: Rules, regions: list[list[int]]) -> list[int]:
    """Consortia per region: within what each region's population allows, summing to the most allowed."""
    sizes = instance.list_size.astype(float)
    low, high = rules.consortia_range
    pops = [float(sizes[m].sum()) for m in regions]
    least = [max(1, math.ceil(p / rules.max_population)) if rules.max_population else 1 for p in pops]
    most = [max(1, int(p // rules.min_population)) if rules.min_population else len(m) for p, m in zip(pops, regions)]
    most = [min(m, len(r)) for m, r in zip(most, regions)]
    total = min(high if high is not None else sum(most), sum(most))
    total = max(total, low, sum(least))
    counts = list(least)
    while sum(counts) < total:
        room = [(pops[r] / counts[r], r) for r in range(len(regions)) if counts[r] < most[r]]
        if not room:
            break
        counts[max(room)[1]] += 1
    return counts


def place_seeds(instance, rules: Rules, members: list[int], k: int, rng) -> list[int]:
    """k seed practices: weighted D^2 sampling, then a few locate-allocate (1-median) rounds."""
    idx = np.asarray(members, dtype=np.int64)
    if k >= len(idx):
        return list(idx)
    weight = instance.list_size[idx].astype(float) + 1e-9
    metric = instance.distance
    seeds = [int(idx[int(np.argmax(weight))])]
    nearest = metric.between(idx, seeds[0]) ** 2
    for _ in range(1, k):
        score = weight * nearest
        pick = int(idx[int(rng.choice(len(idx), p=score / score.sum()))]) if score.sum() > 0 else \
            int(idx[int(rng.integers(len(idx)))])
        if pick in seeds:
            pick = int(idx[int(np.argmax(score))])
        seeds.append(pick)
        nearest = np.minimum(nearest, metric.between(idx, pick) ** 2)
    for _ in range(3):
        d = metric.between(idx[:, None], np.asarray(seeds)[None, :])
        owner = np.argmin(d, axis=1)
        moved = []
        for s in range(k):
            group = idx[owner == s]
            if len(group) == 0:
                moved.append(seeds[s])
                continue
            costs = weight[owner == s] @ metric.between(group[:, None], group[None, :])
            moved.append(int(group[int(np.argmin(costs))]))
        if moved == seeds or len(set(moved)) < k:
            break
        seeds = moved
    return seeds


BORDER_FACTOR = 10.0
"""How much longer a practice-graph edge counts in the Voronoi cells when it crosses a local-authority
border and extra authorities are penalised: cells then tend to stop at borders."""


def graph_voronoi(instance, members: list[int], seeds: list[int], crossing: float = 1.0) -> list[int]:
    """Index of the nearest seed along the graph for each member: contiguous cells by construction.
    Edges between local authorities count `crossing` times their length."""
    local = {p: n for n, p in enumerate(members)}
    rows, cols = [], []
    for a, b in instance.edges:
        i, j = instance.index[a], instance.index[b]
        if i in local and j in local:
            rows.append(local[i])
            cols.append(local[j])
    rows_a, cols_a = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    idx = np.asarray(members, dtype=np.int64)
    length = instance.distance.between(idx[rows_a], idx[cols_a]) + 1e-6 if len(rows) else np.zeros(0)
    if crossing != 1.0 and len(rows):
        lad = instance.practices["lad_code"].to_numpy()
        length = np.where(lad[idx[rows_a]] != lad[idx[cols_a]], crossing * length, length)
    graph = coo_matrix((length, (rows_a, cols_a)), shape=(len(members), len(members))).tocsr()
    _, _, sources = dijkstra(graph, directed=False, indices=[local[s] for s in seeds], min_only=True,
                             return_predecessors=True)
    seed_slot = {local[s]: n for n, s in enumerate(seeds)}
    return [seed_slot.get(int(s), 0) for s in sources]


def nearest_seed(instance, members: list[int], seeds: list[int], capacity: float | None = None) -> list[int]:
    """Index of the straight-line nearest seed for each member (no contiguity to keep); with a capacity,
    the largest practices choose first and take the nearest seed with room (first-fit decreasing, which
    border moves alone cannot reach when capacities are tight), else the nearest."""
    from planner.seeding import nearest_hub

    idx = np.asarray(members, dtype=np.int64)
    hubs = np.asarray(seeds, dtype=np.int64)
    if capacity is None:
        return [int(s) for s in nearest_hub(instance.distance, idx, hubs)]
    weight = instance.list_size[idx].astype(float)
    room = np.full(len(hubs), float(capacity))
    owner = np.full(len(idx), -1, dtype=np.int64)
    position = {int(p): n for n, p in enumerate(idx)}
    for s, hub in enumerate(hubs):
        owner[position[int(hub)]] = s
        room[s] -= weight[position[int(hub)]]
    dist = np.concatenate([instance.distance.between(idx[b:b + 1000, None], hubs[None, :])
                           for b in range(0, len(idx), 1000)])
    near = np.sort(dist, axis=1)
    regret = near[:, 1] - near[:, 0] if len(hubs) > 1 else np.zeros(len(idx))
    rest = np.array([p for p in np.argsort(-weight * (1.0 + regret / max(float(regret.mean()), 1e-12)),
                                           kind="stable") if owner[p] < 0], dtype=np.int64)
    for p in rest:
        order = np.argsort(dist[p], kind="stable")
        fits = order[room[order] >= weight[p]]
        owner[p] = fits[0] if len(fits) else order[0]
        room[owner[p]] -= weight[p]
    return [int(s) for s in owner]


def _gather_must_links(state: PartitionState) -> None:
    """Put each must-link group in the consortium of its largest practice."""
    index = state.instance.index
    for group in state.rules.must_link:
        members = [index[c] for c in group]
        anchor = max(members, key=lambda i: (state.weight[i], -i))
        target = int(state.labels[anchor])
        stray = {i for i in members if state.labels[i] != target}
        for i in stray:
            state.move({i}, target)


def violation(state: PartitionState, members: set[int]) -> float:
    """How far a consortium is from its hard rules, in patients (0 when it meets them)."""
    rules = state.rules
    if not members:
        return 0.0
    pop = float(state.weight[list(members)].sum())
    value = max(0.0, rules.min_population - pop)
    if rules.max_population is not None:
        value += max(0.0, pop - rules.max_population)
    if rules.max_interest_share is not None:
        value += state.excess(members, rules.max_interest_share)
    value += sum(state.weight[i] for i in members for j in state.conflicts[i] if j in members and i < j)
    return value


def moving_units(state: PartitionState) -> dict[int, set[int]]:
    """The practices that move together: must-link groups, else single practices."""
    unit = {i: {i} for i in range(state.n)}
    for group in state.rules.must_link:
        members = {state.instance.index[c] for c in group}
        for i in members:
            unit[i] = members
    return unit


def repair_rules(state: PartitionState, max_moves: int, priced: bool = False) -> None:
    """Border moves that reduce the total violation, worst consortium first, until every rule holds.

    Each step takes the move that removes most violation or, when `priced`, the one that raises the
    objective least per patient of violation removed (see `_construct` for when a first plan uses which).
    When no move reduces it, the best non-improving move at the worst consortium is taken (a unit moved
    this way may not move back), so a deficit can ripple on to a consortium with room to spare. When no
    move is left and more consortia remain than the fewest allowed, a broken consortium joins a neighbour
    (`_best_merge`): a first plan starts from the most consortia allowed, which can leave too few patients
    for the population floor."""
    units = moving_units(state)
    hard_la = state.rules.coterminosity == "hard"
    broken = {k: violation(state, m) for k, m in state.members.items()}
    tabu: set[int] = set()
    for _ in range(max_moves):
        bad = sorted(((v, k) for k, v in broken.items() if v > 1e-9), reverse=True)
        if not bad:
            return
        move = None
        for _, k in bad:
            move = _best_repair_move(state, k, units, hard_la, tabu, improving=True, priced=priced)
            if move is not None:
                break
        if move is None:
            move = _best_repair_move(state, bad[0][1], units, hard_la, tabu, improving=False)
            if move is None and len(state.members) > state.rules.consortia_range[0]:
                merged = _best_merge(state, [k for _, k in bad], hard_la)
                if merged is not None:
                    k, into = merged
                    state.move(set(state.members[k]), into)
                    broken.pop(k, None)
                    broken[into] = violation(state, state.members[into])
                    tabu.clear()
                    continue
            if move is None:
                worst_v, worst = bad[0]
                raise SolveError(f"the first-plan heuristic could not meet the rules: consortium with hub "
                                 f"{state.instance.codes[state.hub[worst]]} stays {worst_v:,.0f} patients from its "
                                 f"population or exposure limits ({len(bad)} consortia affected)")
            tabu.update(move[0])
        source = int(state.labels[next(iter(move[0]))])
        state.move(*move)
        for changed in (source, move[1]):
            broken[changed] = violation(state, state.members.get(changed, set()))
    raise SolveError(f"the first-plan heuristic did not meet the rules within {max_moves:,} moves")


def _best_merge(state: PartitionState, broken: list[int], hard_la: bool) -> tuple[int, int] | None:
    """The first of the broken consortia (worst first) that can join a neighbouring consortium with less
    violation between them, and the neighbour that removes most (then raises the objective least)."""
    for k in broken:
        members = state.members[k]
        before = violation(state, members)
        best = None
        for b in sorted(state.touching(members) - {k}):
            if hard_la and not _same_authority(state, members, b):
                continue
            if not state.links_ok(members, b):
                continue
            joined = members | state.members[b]
            gain = before + violation(state, state.members[b]) - violation(state, joined)
            if gain <= 1e-9:
                continue
            rise = state.consortium_value(joined)[0] - state.value[k] - state.value[b]
            if best is None or (-gain, rise) < best[0]:
                best = ((-gain, rise), b)
        if best is not None:
            return k, best[1]
    return None


def _same_authority(state: PartitionState, unit: set[int], target: int) -> bool:
    """Whether the unit's practices share the target consortium's local authority (each lies in one when
    coterminosity is hard)."""
    return state.lad[next(iter(unit))] == state.lad[next(iter(state.members[target]))]


def _best_repair_move(state: PartitionState, k: int, units, hard_la: bool, tabu: set[int], improving: bool,
                      priced: bool = False):
    """The border move into or out of consortium k that most reduces the violation of the two consortia,
    or with `priced` the one with least objective increase per patient of violation removed (with
    improving=False, the one that increases the violation least while reducing k's own)."""
    best = None
    candidates = []
    for i in state.members[k]:
        for j in state.neighbours[i]:
            b = int(state.labels[j])
            if b != k:
                candidates.append((units[i], k, b))
                candidates.append((units[j], b, k))
    seen, current = set(), {}

    def now(c: int) -> float:
        if c not in current:
            current[c] = violation(state, state.members[c])
        return current[c]

    for unit, source, target in candidates:
        key = (min(unit), source, target)
        if key in seen or source == target or (not improving and unit & tabu):
            continue
        seen.add(key)
        if hard_la and not _same_authority(state, unit, target):
            continue
        after_source = violation(state, state.members[source] - unit)
        after_target = violation(state, state.members[target] | unit)
        gain = now(source) + now(target) - after_source - after_target
        own_after = after_source if source == k else after_target
        acceptable = gain > 1e-9 if improving else own_after < now(k) - 1e-9
        beaten = not (priced and improving) and best is not None and -gain >= best[0]
        if not acceptable or beaten:
            continue
        if not state.links_ok(unit, target) or not state.stays_connected(source, unit):
            continue
        score = _cost_per_patient(state, unit, source, target, gain) if priced and improving else -gain
        if best is None or score < best[0]:
            best = (score, unit, target)
    return None if best is None else (best[1], best[2])


def _cost_per_patient(state: PartitionState, unit: set[int], source: int, target: int, gain: float) -> float:
    """The objective's change when `unit` moves from source to target, per patient of violation removed."""
    after = (state.consortium_value(state.members[source] - unit)[0] +
             state.consortium_value(state.members[target] | unit)[0])
    return (after - state.value[source] - state.value[target]) / gain
