"""A mutable working plan for heuristics: labels, members, populations and hubs, with exact per-consortium
objective values and the rule checks a single move needs (population, exposure, links, contiguity)."""

from __future__ import annotations

from collections import deque

import numpy as np

from planner.metrics import cost_scale
from planner.plan import Plan, relabel
from planner.rules import Rules


def lowers(value: float, current: float) -> bool:
    """Whether `value` is below `current` by more than a relative 1e-9: a change worth applying, not a tie
    in floating point."""
    return value < current - 1e-9 * max(1.0, abs(current))


class PartitionState:
    """Consortium label per practice with cached populations, hubs and objective contributions."""

    def __init__(self, instance, rules: Rules, labels):
        self.instance, self.rules = instance, rules
        self.n = len(instance.codes)
        self.weight = instance.list_size.astype(float)
        self.price = np.ones(self.n) if rules.unweighted_cost else self.weight
        self.neighbours = _graph_neighbours(instance) if rules.contiguity else _nearest_neighbours(instance)
        lad_codes = instance.practices["lad_code"].tolist()
        ids = {c: k for k, c in enumerate(sorted(set(lad_codes)))}
        self.lad = np.array([ids[c] for c in lad_codes])
        self.labels = np.asarray(labels, dtype=np.int64).copy()
        self.holders = [np.array(m) for m in instance.interest_holders.values() if len(m) > 1]
        self.holder_of = [[] for _ in range(self.n)]
        for h, members in enumerate(self.holders):
            for i in members:
                self.holder_of[i].append(h)
        self.conflicts = [[] for _ in range(self.n)]
        for a, b in rules.cannot_link:
            self.conflicts[instance.index[a]].append(instance.index[b])
            self.conflicts[instance.index[b]].append(instance.index[a])
        self.candidates = None if rules.candidate_hubs is None else \
            np.array(sorted(instance.index[c] for c in rules.candidate_hubs))
        self.scale = cost_scale(instance)
        self.members: dict[int, set[int]] = {}
        for i, k in enumerate(self.labels):
            self.members.setdefault(int(k), set()).add(i)
        self.hub: dict[int, int] = {}
        self.value: dict[int, float] = {}
        for k in list(self.members):
            self.refresh(k)

    @classmethod
    def from_plan(cls, instance, rules: Rules, plan: Plan) -> "PartitionState":
        """A working plan from a Plan covering every practice of the instance (its labels numbered in order)."""
        ids = {label: k for k, label in enumerate(sorted(set(plan.assignment.values())))}
        return cls(instance, rules, [ids[plan.assignment[code]] for code in instance.codes])

    def population(self, k: int) -> float:
        """Patients in consortium k."""
        return float(self.weight[list(self.members[k])].sum())

    def best_hub(self, members) -> tuple[int, float]:
        """The member (or candidate) with least weighted distance^power to the members, and that cost."""
        idx = np.fromiter(members, dtype=np.int64)
        hubs = idx if self.candidates is None else np.intersect1d(idx, self.candidates)
        if len(hubs) == 0:
            return int(idx[0]), float("inf")
        d = self.instance.distance.between(idx[:, None], hubs[None, :]) ** self.rules.distance_power
        costs = self.price[idx] @ d
        best = int(np.argmin(costs))
        return int(hubs[best]), float(costs[best])

    def consortium_value(self, members) -> tuple[float, int]:
        """Objective contribution of a consortium with these members, and its best hub."""
        rules = self.rules
        hub, cost = self.best_hub(members)
        value = cost / self.scale
        if rules.coterminosity == "penalty" and rules.la_split_weight:
            value += rules.la_split_weight * (len({int(self.lad[i]) for i in members}) - 1)
        if rules.deviation_weight:
            pop = float(self.weight[list(members)].sum())
            value += rules.deviation_weight * abs(pop - rules.target_population) / rules.target_population
        if rules.exposure_weight:
            value += rules.exposure_weight * self.excess(members, rules.soft_interest_share) / 1000.0
        return value, hub

    def excess(self, members, share: float) -> float:
        """Patients held by each interest holder above `share` of the consortium."""
        idx = list(members)
        pop = float(self.weight[idx].sum())
        held = list(self.weight[idx])
        for h in {h for i in idx for h in self.holder_of[i]}:
            held.append(float(sum(self.weight[i] for i in self.holders[h] if i in members)))
        return sum(max(0.0, x - share * pop) for x in held)

    def refresh(self, k: int) -> None:
        """Recompute consortium k's hub and value (or drop it when empty)."""
        if not self.members.get(k):
            self.members.pop(k, None)
            self.hub.pop(k, None)
            self.value.pop(k, None)
            return
        self.value[k], self.hub[k] = self.consortium_value(self.members[k])

    @property
    def objective(self) -> float:
        """Sum of the consortia's objective contributions."""
        return float(sum(self.value.values()))

    def stays_connected(self, k: int, removed: set[int]) -> bool:
        """Whether consortium k minus `removed` is still connected (and not empty); only non-empty
        when contiguity is not required."""
        rest = self.members[k] - removed
        return bool(rest) and self.connected(rest)

    def connected(self, members: set[int]) -> bool:
        """Whether these practices form one connected piece of the practice graph (always, when contiguity
        is not required)."""
        if not self.rules.contiguity or not members:
            return True
        start = next(iter(members))
        seen, todo = {start}, deque([start])
        while todo:
            u = todo.popleft()
            for v in self.neighbours[u]:
                if v in members and v not in seen:
                    seen.add(v)
                    todo.append(v)
        return len(seen) == len(members)

    def touching(self, practices) -> set[int]:
        """Consortia holding a practice-graph neighbour of any of these practices (theirs included)."""
        return {int(self.labels[j]) for i in practices for j in self.neighbours[i]}

    def links_ok(self, unit: set[int], target: int) -> bool:
        """No cannot-link partner of the unit already in the target consortium."""
        members = self.members[target]
        return not any(j in members for i in unit for j in self.conflicts[i])

    def move(self, unit: set[int], target: int) -> None:
        """Move practices to consortium `target` and refresh both consortia."""
        source = int(self.labels[next(iter(unit))])
        for i in unit:
            self.labels[i] = target
        self.members[source] -= unit
        self.members.setdefault(target, set()).update(unit)
        self.refresh(source)
        self.refresh(target)

    def reassign(self, consortia, label_of: dict[int, int]) -> None:
        """Redraw the given consortia: each listed practice joins consortium label_of[i] (one of them, or a new
        id); the consortia are then refreshed (hubs re-centred, values recomputed, empty ones dropped)."""
        for k in consortia:
            self.members[k] = set()
        for i, k in label_of.items():
            self.labels[i] = k
            self.members.setdefault(k, set()).add(i)
        for k in set(consortia) | set(label_of.values()):
            self.refresh(k)

    def to_plan(self) -> Plan:
        """The working plan as a Plan with C01.. labels and the chosen hubs."""
        codes = self.instance.codes
        by_hub = {codes[i]: codes[self.hub[int(k)]] for i, k in enumerate(self.labels)}
        labels = relabel(by_hub)
        hubs = {labels[h]: h for h in set(by_hub.values())}
        return Plan(labels, hubs=hubs, name="solution")


def _graph_neighbours(instance) -> list[list[int]]:
    """Adjacent practices in the practice graph."""
    neighbours: list[list[int]] = [[] for _ in instance.codes]
    for a, b in instance.edges:
        i, j = instance.index[a], instance.index[b]
        neighbours[i].append(j)
        neighbours[j].append(i)
    return neighbours


def _nearest_neighbours(instance, k: int = 10, block: int = 1000) -> list[list[int]]:
    """The k nearest practices of each (symmetrised): the "borders" moves use when contiguity is off."""
    n = len(instance.codes)
    k = min(k, n - 1)
    neighbours: list[set[int]] = [set() for _ in range(n)]
    idx = np.arange(n)
    for start in range(0, n, block):
        rows = idx[start:start + block]
        d = instance.distance.between(rows[:, None], idx[None, :])
        d[np.arange(len(rows)), rows] = np.inf
        near = np.argpartition(d, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(rows), 0), dtype=int)
        for r, i in enumerate(rows):
            for j in near[r]:
                neighbours[int(i)].add(int(j))
                neighbours[int(j)].add(int(i))
    return [sorted(s) for s in neighbours]
