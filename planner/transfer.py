"""Moving a consortium from where it is worth least to where it is worth most.

Neighbourhood re-solves keep each neighbourhood's number of consortia, so no sequence of them changes how
many consortia a region has: that is fixed by the first plan. A transfer re-solves one neighbourhood with
one consortium fewer and another, disjoint one with one more; the total count is kept, every other
consortium is untouched, and the plan improves when the drop costs less than the add saves. On p3038
(p = 600) after the first reallocation, sampled drops cost from 66 and adds saved up to 304, so
transfers were worth more than any neighbourhood re-solve.

With contiguity the neighbourhoods are adjacent consortia: a drop re-solves a consortium and two of its
neighbours as two connected consortia, an add splits one consortium in two. On a national policy plan the
largest consortia split for savings of up to 0.025, and drops around the smallest cost from 0.0024
(most 0.01-0.03).

Re-solves are spent where they are likely to pay: drops around consortia whose members have a near hub
(without contiguity, the groups a greedy drop within the cap empties at least cost, started from that
greedy plan), adds around the costliest consortia, and none on a group whose patients cannot fit its new
count. An evaluated drop or add stays valid until one of its consortia changes, so the pool
carries over from round to round.
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np

from planner.backoff import Backoff
from planner.lns import LAST_START, apply_solution, neighbourhood, sub_limits
from planner.options import SolveOptions
from planner.partition_state import PartitionState
from planner.plan import Plan

DROP = 6
"""Consortia in a drop neighbourhood (a consortium and its nearest), re-solved with one fewer."""
ADD = 4
"""Consortia in an add neighbourhood, re-solved with one more."""
EVALUATION_SECONDS = 1.5
"""Time limit of one drop or add re-solve: a worse-than-optimal answer only understates a transfer. On
p3038 evaluations take most of a run; at 1.5 s rather than 3 s the 10-minute bench ended +0.72 % above
the best-known values on average, against +0.84 %."""
CONTIGUOUS_DROP = 3
"""With contiguity, consortia in a drop neighbourhood: a consortium and the 2 adjacent ones with the
nearest hubs, re-solved as 2 connected consortia."""
CONTIGUOUS_ADD = 1
"""With contiguity an add splits one consortium in two connected ones, every member a candidate hub (the
new hub is far from the old one). On a 10-minute national policy plan, splits of its largest consortia
saved up to 0.025 each, proven in 1-3 s."""
CONTIGUOUS_EVALUATION = 6.0
"""Time limit of one drop or add re-solve with contiguity (connected re-solves take 1-6 s nationally)."""
CONTIGUOUS_FEWEST = 10
"""Fewest consortia for transfers with contiguity: in a smaller plan one neighbourhood spans most of it.
On durham-tees (5 consortia, policy scenario) transfer evaluations took 26 s, made none, and the search
no longer reached the optimum within 2 minutes (6.714950; 6.714851 at 77 s without them)."""


class _Shape(NamedTuple):
    """How transfers are formed on a plan, with or without contiguity: consortia in a drop and in an add
    group, how a group grows around a consortium, each evaluation's time limit and the fewest consortia."""

    contiguous: bool
    drop: int
    add: int
    group_of: Callable[[PartitionState, int, int], tuple[int, ...]]
    seconds: float
    fewest: int


def _shape(state: PartitionState) -> _Shape:
    """The transfers' shape for this plan (read from the module's constants when asked)."""
    if state.rules.contiguity:
        return _Shape(True, CONTIGUOUS_DROP, CONTIGUOUS_ADD, _adjacent_consortia, CONTIGUOUS_EVALUATION,
                      CONTIGUOUS_FEWEST)
    return _Shape(False, DROP, ADD, _nearest_consortia, EVALUATION_SECONDS, DROP + ADD)


def transfers_apply(state: PartitionState) -> bool:
    """Whether the plan has consortia enough for transfers: for a drop and a disjoint add, and with
    contiguity at least CONTIGUOUS_FEWEST."""
    return len(state.members) >= _shape(state).fewest


class Transfers:
    """Evaluated drops and adds, kept while their consortia are unchanged, and the rounds that use them."""

    def __init__(self, state: PartitionState):
        self.state = state
        self.drops: dict[tuple, tuple[float, tuple[int, ...], dict]] = {}
        self.adds: dict[tuple, tuple[float, tuple[int, ...], dict]] = {}
        self.tried: set[tuple] = set()
        self.redrawn: set[int] = set()
        self.backoff = Backoff()
        self.made = 0  # transfers made so far

    def due(self) -> bool:
        """Whether transfers are tried now (before a sweep, or between its batches). After a round that made
        none the next 1, then 2, 4, ... chances go without. With contiguity evaluations take 1-6 s each, and
        on north-2014 (real-envelope), where no transfer ever paid, rounds before every sweep took 40 % of
        the search and put off the 1 % gap from 61 s to 105 s. Without contiguity, on p3038 (p = 600) the
        rounds after the first 300 s took 42-50 % of the time for 0.01 % of the gain."""
        return self.backoff.due()

    def rested(self, made: int) -> None:
        """Note how many transfers the first round of a chance made (see `due`)."""
        self.backoff.tried(bool(made))

    def round(self, options: SolveOptions, deadline: float, executor, samples: int, evaluated=None) -> int:
        """Evaluate up to `samples` new drops and adds (the likeliest first), then apply the best disjoint
        pairs that lower the objective; returns the number of transfers made and leaves the consortia they
        redrew in `redrawn`. `evaluated`, when given, is called after each batch of evaluations (a national
        batch takes about 30 s, so the live display and the trajectory keep up with the bound). With
        contiguity a split offers every member as a hub (0), since the new hub is far from the old one."""
        state = self.state
        shape = _shape(state)
        limited, ends = sub_limits(options, deadline, shape.seconds, gap=1e-4)
        hubs = {-1: options.neighbourhood_hubs, +1: 0 if shape.contiguous else options.neighbourhood_hubs}
        tasks = [neighbourhood(state, group, limited, hubs[change], ends, change=change,
                               start=_drop_start(state, group, greedy))
                 for change, group, greedy in self._candidates(samples)]
        for start in range(0, len(tasks), options.batch_size):
            if time.perf_counter() > deadline - LAST_START:
                break
            for consortia, value, assignment, _ in executor(tasks[start:start + options.batch_size], deadline):
                if assignment is None:
                    continue
                delta = value - sum(state.value[k] for k in consortia)
                change = len(set(assignment.values())) - len(consortia)
                pool = self.drops if change < 0 else self.adds
                pool[_signature(state, consortia)] = (delta, consortia, assignment)
            if evaluated is not None:
                evaluated()
        made = self._apply()
        self.made += made
        return made

    def _candidates(self, samples: int) -> list[tuple[int, tuple[int, ...], GreedyDrop | None]]:
        """New (change, consortia, greedy drop) triples to evaluate: drops around the consortia cheapest to
        empty into their neighbours (without contiguity, the groups cheapest to empty greedily, with that
        greedy drop), adds around the costliest consortia."""
        state = self.state
        chosen = []
        shape = _shape(state)
        for change, size, order in ((-1, shape.drop, _drop_order(state)), (+1, shape.add, _add_order(state))):
            count = 0
            groups = ((shape.group_of(state, int(k), size), None) for k in order)
            if change < 0 and not shape.contiguous:
                groups = self._by_greedy_drop(group for group, _ in groups)
            for group, greedy in groups:
                key = (change, _signature(state, group))
                if key in self.tried or not _has_room(state, group, change, size):
                    continue
                self.tried.add(key)
                chosen.append((change, group, greedy))
                count += 1
                if count == samples:
                    break
        return chosen

    def _by_greedy_drop(self, groups) -> list[tuple[tuple[int, ...], GreedyDrop | None]]:
        """Untried drop groups with their greedy drops (`_greedy_drop`), cheapest first and one per
        consortium emptied; groups it cannot empty keep their given order at the end. On p3038 (p = 600,
        300 s) drops chosen so took 0.13 s each and 1 % reached the 1.5 s limit, against 0.82 s and 44 % in
        the room-blind order; the 10-minute bench went from +0.72 % above the best-known values to +0.49 %."""
        state, found, emptied, ordered = self.state, {}, set(), []
        for group in groups:
            if group not in found and (-1, _signature(state, group)) not in self.tried:
                found[group] = _greedy_drop(state, group)
        for group in sorted(found, key=lambda g: float("inf") if found[g] is None else found[g].cost):
            greedy = found[group]
            if greedy is not None and greedy.consortium in emptied:
                continue
            if greedy is not None:
                emptied.add(greedy.consortium)
            ordered.append((group, greedy))
        return ordered

    def _apply(self) -> int:
        """Apply the best disjoint drop-add pairs with a net gain, among evaluations whose consortia are
        unchanged since (neighbourhood sweeps and reallocations change them too); forget the rest."""
        state = self.state
        for pool in (self.drops, self.adds):
            for key in [key for key, (_, consortia, _) in pool.items() if _signature(state, consortia) != key]:
                del pool[key]
        drops = sorted(self.drops.values(), key=lambda r: (r[0], r[1]))
        adds = sorted(self.adds.values(), key=lambda r: (r[0], r[1]))
        made, used = 0, set()
        self.redrawn = set()
        for gain, added, add_plan in adds:
            if used & set(added):
                continue
            for cost, dropped, drop_plan in drops:
                if cost + gain >= -1e-9 * max(1.0, state.objective):
                    break
                if used & set(dropped) or set(dropped) & set(added):
                    continue
                self.redrawn |= apply_solution(state, dropped, drop_plan)
                self.redrawn |= apply_solution(state, added, add_plan)
                used.update(dropped)
                used.update(added)
                made += 1
                break
        return made


def _signature(state: PartitionState, consortia: tuple[int, ...]) -> tuple:
    """The consortia and their members now: an evaluation holds only while this is unchanged."""
    return tuple((k, frozenset(state.members.get(k, ()))) for k in consortia)


def _drop_order(state: PartitionState) -> list[int]:
    """Consortia by the cost of sending each member to its nearest other hub (room ignored), cheapest first."""
    consortia = np.array(sorted(state.members), dtype=np.int64)
    hubs = np.array([state.hub[int(k)] for k in consortia], dtype=np.int64)
    labels = state.labels
    position = {int(k): p for p, k in enumerate(consortia)}
    own = np.array([position[int(k)] for k in labels])
    power = state.rules.distance_power
    extra = np.zeros(len(consortia))
    for start in range(0, state.n, 1000):
        idx = np.arange(start, min(state.n, start + 1000))
        d = state.instance.distance.between(idx[:, None], hubs[None, :]) ** power
        mine = d[np.arange(len(idx)), own[idx]].copy()
        d[np.arange(len(idx)), own[idx]] = np.inf
        np.add.at(extra, own[idx], state.price[idx] * (d.min(axis=1) - mine))
    return [int(consortia[p]) for p in np.argsort(extra, kind="stable")]


class GreedyDrop(NamedTuple):
    """A group's consortium emptied greedily: the consortium, each member's new consortium and the cost
    added (hubs held)."""

    consortium: int
    sent: dict[int, int]
    cost: float


def _drop_start(state: PartitionState, group: tuple[int, ...], greedy: GreedyDrop | None) -> Plan | None:
    """The group's plan after the greedy drop, as the start of the drop's re-solve (None without one)."""
    if greedy is None:
        return None
    codes = state.instance.codes
    return Plan({codes[i]: str(greedy.sent.get(i, k)) for k in group for i in state.members[k]})


def _greedy_drop(state: PartitionState, group: tuple[int, ...]) -> GreedyDrop | None:
    """A drop done greedily: the group's consortium whose members fit the others' room at least cost is
    emptied, each member (heaviest first) sent to the nearest other hub with room. None when no
    consortium's members fit, with contiguity, or under rules beyond the population bounds (it could
    break them)."""
    rules = state.rules
    if rules.contiguity or rules.max_interest_share is not None or rules.cannot_link or rules.must_link or \
            rules.coterminosity == "hard":
        return None
    cap = float("inf") if rules.max_population is None else float(rules.max_population)
    best = None
    for dropped in group:
        kept = [k for k in group if k != dropped]
        room = {k: cap - state.population(k) for k in kept}
        members = np.array(sorted(state.members[dropped], key=lambda i: (-state.weight[i], i)), dtype=np.int64)
        hubs = np.array([state.hub[k] for k in kept], dtype=np.int64)
        d = state.instance.distance.between(members[:, None], hubs[None, :]) ** rules.distance_power
        own = state.instance.distance.between(members, np.full(len(members), state.hub[dropped]))
        sent, cost = {}, -float(state.price[members] @ own ** rules.distance_power)
        for row, i in enumerate(members):
            fits = [c for c in np.argsort(d[row], kind="stable") if room[kept[c]] >= state.weight[i]]
            if not fits:
                break
            room[kept[fits[0]]] -= state.weight[i]
            sent[int(i)] = kept[fits[0]]
            cost += state.price[i] * d[row, fits[0]]
        if len(sent) == len(members) and (best is None or cost < best.cost):
            best = GreedyDrop(dropped, sent, cost)
    return best


def _add_order(state: PartitionState) -> list[int]:
    """Consortia by their objective contribution, costliest first."""
    return sorted(state.members, key=lambda k: (-state.value[k], k))


def _has_room(state: PartitionState, group: tuple[int, ...], change: int, size: int) -> bool:
    """Whether the group is as large as asked (it can fall short when few consortia are adjacent) and its
    patients fit one consortium more (each at least the floor) or one fewer (each at most the cap). On a
    p3038 first plan (p = 600) 13 of the 16 likeliest drops have no room: six consortia too full for five."""
    rules = state.rules
    patients = sum(state.population(k) for k in group)
    count = len(group) + change
    if len(group) < size or count < 1:
        return False
    return (rules.min_population or 0) * count <= patients <= (rules.max_population or float("inf")) * count


def _adjacent_consortia(state: PartitionState, k: int, count: int) -> tuple[int, ...]:
    """Consortium k and the consortia adjacent to the group whose hubs are nearest k's hub, `count` in all,
    so the group is connected."""
    group = [k]
    while len(group) < count:
        touching = state.touching(i for c in group for i in state.members[c]) - set(group)
        if not touching:
            break
        others = np.array(sorted(touching), dtype=np.int64)
        hubs = np.array([state.hub[int(c)] for c in others], dtype=np.int64)
        d = state.instance.distance.between(np.full(len(hubs), state.hub[k]), hubs)
        group.append(int(others[np.argmin(d)]))
    return tuple(sorted(group))


def _nearest_consortia(state: PartitionState, k: int, count: int) -> tuple[int, ...]:
    """Consortium k and the consortia whose hubs are nearest its hub, `count` in all."""
    others = np.array(sorted(state.members), dtype=np.int64)
    hubs = np.array([state.hub[int(c)] for c in others], dtype=np.int64)
    d = state.instance.distance.between(np.full(len(hubs), state.hub[k]), hubs)
    d[others == k] = -1.0
    return tuple(sorted(int(c) for c in others[np.argsort(d, kind="stable")[:count]]))
