"""A certified lower bound for the full problem by Lagrangian relaxation of "every practice in exactly one
consortium" (multipliers lambda_i), valid for the full candidate set.

Why it is valid: dropping contiguity, exposure caps, links and every soft term (all non-negative) leaves a
relaxation whose optimum is no larger than the true optimum. Relaxing the assignment equations with any
lambda gives L(lambda) = sum(lambda) + the K smallest hub values, each hub's value being a knapsack over
practices with reduced cost price_i * d_ij^p - lambda_i, holding between the population floor and cap;
the knapsack's LP value (fractional greedy by ratio) is no larger than its integer value, so L(lambda)
stays a lower bound. When patients are whole numbers and a hub's room is small (capacitated benchmarks such
as p3038), each knapsack is solved exactly by dynamic programming instead: still the exact minimum of the
relaxed problem, and far higher where a hub holds only a few practices. Pairs are listed only within a
radius R_i per practice and lambda_i is capped at price_i * R_i^p, so every unlisted pair has a non-negative
reduced cost and could never lower a hub's value without a floor. With a floor, a hub fills it with its
cheapest units, and an unlisted practice can be cheaper than the listed ones the ascent charges, so listed
pairs alone can overstate L(lambda); every floored value is therefore certified before it counts: each hub
also gets its cheapest unlisted practices (priced exactly over every practice) and a filler of unlimited
patients at the next price, which no practice left out undercuts. The ascent first runs without the floor
(faster, and exact as it stands), then continues with it from the best multipliers.

Under the local-authority split penalty each hub's knapsack also pays the penalty once for every other
authority it takes practices from; its LP relaxation (practice share at most the authority's span) is
solved exactly as a fractional knapsack over the convex hull of each authority's items, so the penalty
enters the bound instead of a counting floor added afterwards. A hub whose whole authority holds fewer
patients than the floor must draw on another authority, so it pays at least one whole penalty: its value is
also bounded by the penalty plus its floored knapsack without setups, and the higher bound is used (still a
lower bound at every lambda, which is all the ascent's best value needs).

Under an interest cap s with a population floor, a consortium holding a practice of w patients must hold at
least w / s. Each hub's knapsack is then split into options by the largest "big" practice it holds (one
over s x floor): its own option takes none of them and holds at least the hub's list / s; the option of big
practice b takes none bigger and holds at least b's list / s. Every consortium falls in exactly one option,
so the least option value stays a lower bound, and a hub beside a big practice can no longer take it into a
consortium at the floor. Interest labels shared by several practices are still relaxed away.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from planner.metrics import cost_scale
from planner.rules import Rules


DEFLECT = 1.5
"""Deflection of each subgradient by the previous step's direction (Camerini, Fratta and Maffioli): where
the two point against each other, the step follows the previous direction in part instead of zig-zagging.
On north-2014 policy, 300 s alone: 5.8094 (5.8030 at 110 s) against 5.8003 (5.7719 at 124 s) without; in a
10-minute national policy run 7.161217 against 7.150998 (7.145 at 319 s against 7.136 at 381 s)."""
STALL = 40
"""Iterations without a better bound before the step halves (20 stopped the national bound 0.1% lower)."""


@dataclass(frozen=True)
class LagrangianBound:
    """The best bound found (objective units), its raw cost value, and how it was reached."""

    bound: float
    raw: float
    iterations: int
    seconds: float
    pairs: int


def candidate_pairs(instance, rules: Rules, neighbours: int = 150, block: int = 512):
    """For each practice, the hubs within the distance of its `neighbours`-th nearest hub (ties included)."""
    n = len(instance.codes)
    hubs = np.arange(n) if rules.candidate_hubs is None else \
        np.array(sorted(instance.index[c] for c in rules.candidate_hubs))
    m = min(neighbours, len(hubs))
    rows, cols, dist, radius = [], [], [], np.zeros(n)
    for start in range(0, n, block):
        idx = np.arange(start, min(n, start + block))
        d = instance.distance.between(idx[:, None], hubs[None, :])
        kth = np.partition(d, m - 1, axis=1)[:, m - 1] if m < len(hubs) else d.max(axis=1)
        radius[idx] = kth
        r, c = np.nonzero(d <= kth[:, None])
        rows.append(idx[r])
        cols.append(hubs[c])
        dist.append(d[r, c])
    full = m >= len(hubs)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dist), (np.inf if full else radius)


def lagrangian_bound(instance, rules: Rules, *, upper: float | None = None, time_limit: float = 30.0,
                     max_iterations: int = 2000, neighbours: int = 150,
                     start: np.ndarray | None = None, report=None, settled=None) -> LagrangianBound:
    """Subgradient ascent on L(lambda); returns the best bound in objective units (cost / total patients).
    `report`, when given, is called with each better bound (at most every REPORT_SECONDS); `settled`, once,
    when the last ascent's climb has slowed below SETTLED_RISE (see there)."""
    began = time.perf_counter()
    weight = instance.list_size.astype(float)
    price = np.ones_like(weight) if rules.unweighted_cost else weight
    I, J, D, radius = candidate_pairs(instance, rules, neighbours)
    C = price[I] * D ** rules.distance_power
    cap = price * np.asarray(radius, float) ** rules.distance_power if np.ndim(radius) else np.full(len(weight), np.inf)
    n = len(weight)
    hubs = np.unique(J)
    low, high = rules.consortia_range
    high = len(hubs) if high is None else min(high, len(hubs))
    capacity = np.inf if rules.max_population is None else float(rules.max_population)
    others = I != J
    I, J, C = I[others], J[others], C[others]
    G, setup = _authority_groups(instance, rules, I, J)
    integer = _integer_knapsacks_apply(weight, capacity, G)
    forced = _below_floor_authorities(instance, rules) if G is not None else None
    lam = _nearest_cost(I, C, n) if start is None else np.asarray(start, dtype=float).copy()
    lam = np.minimum(lam, cap)
    target = upper * cost_scale(instance) if upper is not None else None
    plain_hubs = _Hubs.plain(I, J, C, weight, hubs, G, forced)
    floored_hubs = plain_hubs
    if rules.max_interest_share is not None and rules.min_population:
        floored_hubs = _Hubs.with_interest_options(instance, rules, I, J, C, weight, hubs, forced,
                                                   float(rules.min_population), float(rules.max_interest_share))

    def relaxation(floor: float):
        options = floored_hubs if floor > 0 else plain_hubs
        return lambda multipliers: _evaluate(multipliers, options, capacity, low, high, n, setup, floor, integer)

    scale = cost_scale(instance)
    progress = _Reporter(report, scale)
    floor = float(rules.min_population)
    if floor > 0:
        plain = min(PLAIN_SHARE * time_limit, PLAIN_SECONDS)
        _, lam, iterations = _ascend(relaxation(0.0), lam, cap, target, began + plain,
                                     max_iterations, progress=progress)
        if np.isfinite(radius).any():
            progress.certify = _Certifier(instance, rules, floored_hubs, price, capacity, low, high, n, setup,
                                          floor, integer)
        _, _, more = _ascend(relaxation(floor), lam, cap, target, began + time_limit,
                             max_iterations, theta=1.0, progress=progress, settled=settled)
        iterations += more
    else:
        _, _, iterations = _ascend(relaxation(0.0), lam, cap, target, began + time_limit, max_iterations,
                                   progress=progress, settled=settled)
    best = progress.valid
    return LagrangianBound(bound=best / scale, raw=best, iterations=iterations,
                           seconds=time.perf_counter() - began, pairs=len(I) + len(hubs))


PLAIN_SHARE = 0.5
"""Share of the bound's time spent without the population floor: the plain relaxation is twice as fast per
iteration, and its best multipliers start the floored one where it is already at least as high."""
PLAIN_SECONDS = 60.0
"""Most seconds without the floor: given 300 s, the national real-envelope plain ascent gained only 0.03%
after its first minute, and the floored one started so late that it ended below a 60 + 60 s run."""


FLAT_SECONDS = 60.0
FLAT_STEPS = 3 * STALL
FLAT_RISE = 1e-5
"""The ascent stops when its best value rose by less than FLAT_RISE (relative) over a window of at least
FLAT_SECONDS and FLAT_STEPS steps: on p3038 the exact knapsacks keep adding a few units a minute long after
the bound has settled, and the process would otherwise take CPU from the search for the whole run. The
steps keep a window from being one stall: beside two processes busy on both cores (two Dask workers at
full load) the national policy ascent made about 20 steps a minute, fewer than the STALL steps before its
step halves, and of two real Dask runs (about 110 a minute) one's bound stopped at 6.92 where the other's
climbed to 7.10 (p3038 alone makes about 660 a minute)."""
SETTLED_RISE = 3e-4
"""A climb slower than this (relative, over a window of FLAT_SECONDS and FLAT_STEPS) has settled: the
bound's process then yields its core to the search (see `bound_process.SETTLED_NICENESS`). Sharing a core
with the search in the p3038 bench, the bound's process took 103 s of CPU from each 600 s run (p = 600 and
700); settled, it yielded after 89 s and 59 s, and the final bounds were 0.004 % lower."""


REPORT_SECONDS = 5.0
"""Least seconds between two reports of a better bound."""


class _Reporter:
    """Keeps the best valid value and passes better ones (in objective units) to a callback, at most every
    REPORT_SECONDS. With `certify` set, a value counts only once certified at its multipliers, which is
    done at the end of the ascent and in between at most every `interval` seconds (the last certification's
    time over CERTIFY_SHARE, at most CERTIFY_SECONDS); `reserve` is the time the ascent keeps for that last
    certification (CERTIFY_MARGIN times the longest one so far)."""

    def __init__(self, report, scale: float):
        self.report, self.scale = report, scale
        self.best, self.last, self.valid = -np.inf, -np.inf, -np.inf
        self.certify, self.certified, self.pending, self.checked = None, -np.inf, None, -np.inf
        self.reserve, self.interval = 0.0, CERTIFY_SECONDS

    def __call__(self, raw: float, lam: np.ndarray, final: bool = False) -> None:
        now = time.perf_counter()
        if self.certify is None:
            self.valid = max(self.valid, raw)
        elif raw > self.certified or final:
            if raw > self.certified:
                self.pending = lam
            if self.pending is not None and (final or now - self.checked >= self.interval):
                self.valid = max(self.valid, self.certify(self.pending))
                took = time.perf_counter() - now
                self.reserve = max(self.reserve, CERTIFY_MARGIN * took)
                self.interval = min(CERTIFY_SECONDS, took / CERTIFY_SHARE)
                self.certified, self.pending, self.checked = raw, None, now + took
        if self.report is None or self.valid <= self.best:
            return
        if final or now - self.last >= REPORT_SECONDS:
            self.best, self.last = self.valid, now
            self.report(self.valid / self.scale)


CERTIFY_SECONDS = 30.0
"""Most seconds between two certifications of the best multipliers (a national one takes a few seconds)."""
CERTIFY_SHARE = 0.1
"""Share of the bound's time certifications may take: a certification that took t seconds waits t / 0.1
before the next (at most CERTIFY_SECONDS). On north-2014, where one takes about half a second, the floored
ascent's climb used to wait 30 s to count (4.8846 at 31 s, certified 4.9049 at 62 s)."""
CERTIFY_MARGIN = 1.5
"""The ascent stops this many times the longest certification before its time limit, so the last one ends
within it: in a 10-minute national policy run the final certification used to end after the search had
stopped waiting, and the run kept only the value certified up to 30 s earlier."""


def _ascend(relaxation, lam, cap, target, deadline: float, max_iterations: int, theta: float = 2.0,
            progress=None, settled=None):
    """Subgradient ascent from lam until the step vanishes, the value stops rising, the iterations run out or
    the deadline passes (calling `settled` once when the climb slows below SETTLED_RISE); returns the best
    value, its multipliers and the iterations made."""
    best, best_lam, stall, iterations, direction = -np.inf, lam.copy(), 0, 0, None
    mark, marked, marked_at = time.perf_counter(), -np.inf, 0
    while iterations < max_iterations and time.perf_counter() < deadline - (progress.reserve if progress else 0.0):
        if time.perf_counter() - mark >= FLAT_SECONDS and iterations - marked_at >= FLAT_STEPS:
            if best - marked <= FLAT_RISE * abs(best):
                break
            if settled is not None and best - marked <= SETTLED_RISE * abs(best):
                settled()
                settled = None
            mark, marked, marked_at = time.perf_counter(), best, iterations
        iterations += 1
        value, assigned = relaxation(lam)
        if not np.isfinite(best) or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_lam, stall = value, lam.copy(), 0
            if progress is not None:
                progress(best, best_lam)
        else:
            stall += 1
            if stall >= STALL:
                theta, stall = theta / 2, 0
                lam, direction = best_lam.copy(), None
                if theta < 1e-4:
                    break
        g = 1.0 - assigned
        if float(g @ g) < 1e-12:
            break
        g = direction = deflected(g, direction)
        norm = float(g @ g)
        gap_estimate = (target - value) if target is not None and target > value else max(abs(value) * 0.01, 1e-9)
        lam = np.minimum(lam + theta * gap_estimate / norm * g, cap)
    if progress is not None:
        progress(best, best_lam, final=True)
    return best, best_lam, iterations


def deflected(g: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """The step direction from subgradient g: g itself unless it points against the previous direction,
    else g plus DEFLECT times its component against that direction, so the step no longer undoes it."""
    if previous is None or not DEFLECT:
        return g
    return g + max(0.0, -DEFLECT * float(g @ previous) / float(previous @ previous)) * previous


def _authority_groups(instance, rules: Rules, I, J, owner=None):
    """Under the split penalty: for each pair whose practice lies outside its hub's authority, an id of
    (hub, authority), else -1; and the penalty of one extra authority in cost units. With `owner`, J holds
    hub options and owner[J] the practice each option is centred on."""
    if rules.coterminosity != "penalty" or not rules.la_split_weight:
        return None, 0.0
    lad = _authority_index(instance)
    count = int(lad.max()) + 1
    centre = J if owner is None else owner[J]
    G = np.where(lad[I] != lad[centre], J.astype(np.int64) * count + lad[I], -1)
    return G, float(rules.la_split_weight) * cost_scale(instance)


@dataclass(frozen=True)
class _Hubs:
    """The relaxation's hub options and their pairs. Without interest options each hub is one option (ids
    0..n-1). With them, a hub's knapsack is split by the largest big practice it holds (see
    with_interest_options): its own option holds at least the hub's list / share, and one more option (ids
    from n) per big practice b split out at it holds at least b's list / share. Every whole consortium
    falls in one option, so the least option value is still a lower bound."""

    I: np.ndarray
    J: np.ndarray
    C: np.ndarray
    W: np.ndarray
    G: np.ndarray | None
    weight: np.ndarray
    """Patients of each option's centre practice (the hub's own list)."""
    owner: np.ndarray
    """The hub practice of each option."""
    ids: np.ndarray
    """Options of the candidate hubs."""
    floor: np.ndarray | None
    """Least patients of each option (None: the rules' floor)."""
    forced: np.ndarray | None

    @classmethod
    def plain(cls, I, J, C, weight, hubs, G, forced) -> "_Hubs":
        """One option per hub."""
        return cls(I, J, C, weight[I], G, weight, np.arange(len(weight)), hubs, None, forced)

    @classmethod
    def with_interest_options(cls, instance, rules: Rules, I, J, C, weight, hubs, forced, floor: float,
                              share: float) -> "_Hubs":
        """Options split by the largest practice held, under an interest cap of `share`. A big practice is
        split out at its INTEREST_HUBS nearest smaller hubs only; elsewhere it stays an ordinary item of the
        hub's own option. The option of split practice b takes no split practice bigger than b, so every
        consortium still falls in one option: the hub's own when it holds no split practice, else the
        option of the largest it holds."""
        n = len(weight)
        bigger = np.nonzero(weight[I] > np.maximum(weight[J], share * floor))[0]
        bigger = bigger[np.lexsort((C[bigger], I[bigger]))]
        first = np.searchsorted(I[bigger], I[bigger])
        bigger = np.sort(bigger[np.arange(len(bigger)) - first < INTEREST_HUBS])
        own = np.ones(len(I), dtype=bool)
        own[bigger] = False
        order = np.argsort(J, kind="stable")
        starts = np.searchsorted(J[order], np.arange(n + 1))
        pairs, option = [order[:0]], [order[:0]]
        for v, p in enumerate(bigger):
            listed = order[starts[J[p]]:starts[J[p] + 1]]
            listed = listed[own[listed] | (weight[I[listed]] <= weight[I[p]])]
            pairs.append(listed)
            option.append(np.full(len(listed), n + v, dtype=np.int64))
        extra = np.concatenate(pairs)
        owner = np.r_[np.arange(n), J[bigger]]
        I2 = np.r_[I[own], I[extra]]
        J2 = np.r_[J[own], np.concatenate(option)]
        least = np.r_[np.maximum(floor, weight / share), np.maximum(floor, weight[I[bigger]] / share)]
        G, _ = _authority_groups(instance, rules, I2, J2, owner)
        ids = np.r_[hubs, n + np.nonzero(np.isin(J[bigger], hubs))[0]]
        return cls(I2, J2, np.r_[C[own], C[extra]], weight[I2], G, weight[owner], owner, ids, least,
                   None if forced is None else forced[owner])


INTEREST_HUBS = 40
"""Hubs per big practice given an option of their own: each option repeats its hub's pairs, and with all
150 listed hubs an evaluation of the national policy relaxation took three times as long."""


class _Certifier:
    """The relaxation's exact value at given multipliers, for hubs that must reach a population floor.

    The ascent prices only listed pairs. Unlisted pairs have non-negative reduced costs, so they never
    lower a hub's value without a floor; but a hub filling its floor takes its cheapest units, and an
    unlisted practice may be cheaper than the listed ones it pays for (a rural hub beside a town whose
    practices list only nearer hubs). Certifying adds to each hub option its CHEAPEST_UNLISTED cheapest
    unlisted practices (by reduced cost per patient, over every practice) and, for all the rest, a filler
    of unlimited patients at the next cheapest price: the knapsack's value is then no more than over every
    practice, so L(lambda) is a lower bound however the pairs were listed."""

    def __init__(self, instance, rules: Rules, options: "_Hubs", price, capacity, low, high, n, setup, floor,
                 integer):
        from scipy.sparse import csr_matrix

        self.instance, self.rules, self.options, self.price = instance, rules, options, price
        self.capacity, self.n = capacity, n
        self.args = (capacity, low, high, n, setup, floor, integer)
        owners = options.owner[options.J]
        self.listed = csr_matrix((np.ones(len(options.I)), (owners, options.I)), shape=(n, n)).tocsr()
        self.weight = instance.list_size.astype(float)

    def __call__(self, lam: np.ndarray) -> float:
        """A valid value of L(lambda) over every practice (raw cost units)."""
        o, n = self.options, self.n
        hubs = np.unique(o.owner[o.ids])
        extra_i, extra_c, filler = self._cheapest_unlisted(lam, hubs)
        rows = np.searchsorted(hubs, o.owner[o.ids])
        count = extra_i.shape[1]
        I_x, J_x, C_x = extra_i[rows].ravel(), np.repeat(o.ids, count), extra_c[rows].ravel()
        real = np.isfinite(C_x)
        I_x, J_x, C_x = I_x[real], J_x[real], C_x[real]
        fill = np.isfinite(filler[rows])
        room = float(self.capacity) if np.isfinite(self.capacity) else float(self.weight.sum())
        I = np.r_[o.I, I_x, np.full(int(fill.sum()), n)]
        J = np.r_[o.J, J_x, o.ids[fill]]
        C = np.r_[o.C, C_x, filler[rows][fill] * room]
        W = np.r_[o.W, self.weight[I_x], np.full(int(fill.sum()), room)]
        G = None
        if o.G is not None:
            G_x, _ = _authority_groups(self.instance, self.rules, I_x, J_x, o.owner)
            G = np.r_[o.G, G_x, np.full(int(fill.sum()), -1)]
        certified = _Hubs(I, J, C, W, G, o.weight, o.owner, o.ids, o.floor, o.forced)
        value, _ = _evaluate(np.r_[lam, 0.0], certified, *self.args)
        return value

    def _cheapest_unlisted(self, lam, hubs, block: int = 256):
        """For each hub: its CHEAPEST_UNLISTED cheapest unlisted practices (index and cost), and the reduced
        cost per patient of the next one (no less than that of any practice left out)."""
        n = len(self.weight)
        count = min(CHEAPEST_UNLISTED, n)
        power = self.rules.distance_power
        every = np.arange(n)
        out_i = np.zeros((len(hubs), count), dtype=np.int64)
        out_c = np.zeros((len(hubs), count))
        filler = np.full(len(hubs), np.inf)
        per_patient = np.maximum(self.weight, 1e-9)
        for start in range(0, len(hubs), block):
            js = hubs[start:start + block]
            cost = self.price[None, :] * self.instance.distance.between(js[:, None], every[None, :]) ** power
            ratio = (cost - lam[None, :]) / per_patient[None, :]
            ratio[self.listed[js].toarray() > 0] = np.inf
            ratio[np.arange(len(js)), js] = np.inf
            cheapest = np.argpartition(ratio, count - 1, axis=1)[:, :count] if count < n else \
                np.tile(every, (len(js), 1))
            taken = np.take_along_axis(ratio, cheapest, axis=1)
            if count < n:
                np.put_along_axis(ratio, cheapest, np.inf, axis=1)
                filler[start:start + len(js)] = ratio.min(axis=1)
            out_i[start:start + len(js)] = np.where(np.isfinite(taken), cheapest, 0)
            out_c[start:start + len(js)] = np.where(np.isfinite(taken),
                                                    np.take_along_axis(cost, cheapest, axis=1), np.inf)
        return out_i, out_c, filler


CHEAPEST_UNLISTED = 48
"""Unlisted practices per hub priced exactly when certifying: a floor of 150,000 needs about 20 national
practices, so a hub rarely reaches past them to the filler."""


def _authority_index(instance) -> np.ndarray:
    """Each practice's local authority as a number 0..A-1."""
    return np.unique(instance.practices["lad_code"].to_numpy(), return_inverse=True)[1]


def _below_floor_authorities(instance, rules: Rules) -> np.ndarray:
    """For each practice, whether its whole local authority holds fewer patients than the population floor
    (so any consortium there must also take practices of another authority)."""
    lad = _authority_index(instance)
    totals = np.bincount(lad, weights=instance.list_size.astype(float))
    return totals[lad] < float(rules.min_population) - 1e-9


def _nearest_cost(I, C, n):
    """Smallest listed cost per practice (its cost at the nearest other hub)."""
    out = np.full(n, np.inf)
    np.minimum.at(out, I, C)
    out[~np.isfinite(out)] = 0.0
    return out


def _evaluate(lam, options: "_Hubs", capacity, low, high, n, setup=0.0, floor=0.0, integer=False):
    """L(lambda) and how much of each practice the relaxed solution assigns.

    Each hub option's value is the LP relaxation of its knapsack: units in ratio order, the negative ones up
    to its room. With G (a group id per pair for practices outside the hub's authority, -1 inside) each group
    costs `setup` once when used: a fractional knapsack over the lower convex hull of each group's prefix
    curve, i.e. the best-ratio prefix taken as one unit (cost setup plus its items) followed by the remaining
    items one by one. With a population `floor` (or the options' own floors), an option whose negative units
    fall short of it goes on taking units in ratio order (paying their positive reduced costs and setups)
    until it holds the floor; an option short of listed pairs pays nothing more (a floored value counts
    only once _Certifier has priced the unlisted practices). With `integer`, the knapsacks of negative
    units are solved exactly (whole practices) instead. With `forced` (practices whose whole authority
    holds fewer patients than the floor) and a floor, a hub there must draw on another authority and so pay
    at least one whole penalty: its value is also bounded by that penalty plus its floored LP knapsack
    without setups, and the higher of the two bounds is used. A hub's value is the least of its options'."""
    I, J, W, G, weight, owner, hubs = options.I, options.J, options.W, options.G, options.weight, \
        options.owner, options.ids
    least = np.full(len(weight), floor) if options.floor is None or floor <= 0 else options.floor
    reduced = options.C - lam[I]
    uJ, uW, uR, unit_of = _units(np.nonzero(reduced < 0)[0], I, J, W, reduced, G, setup, every=False)
    take = _integer_knapsack(uJ, uW, uR, weight, capacity) if integer else \
        _fractional_knapsack(uJ, uW, uR, weight, capacity)
    hub_value = -lam[owner]
    np.add.at(hub_value, uJ, uR * take)
    short = np.zeros(len(weight), dtype=bool)
    if floor > 0:
        load = weight.copy()
        np.add.at(load, uJ, uW * take)
        short[hubs] = load[hubs] < least[hubs] - 1e-9
    if short.any():
        fJ, fW, fR, f_unit_of = _units(np.nonzero(short[J])[0], I, J, W, reduced, G, setup, every=True)
        f_take = _fractional_knapsack(fJ, fW, fR, weight, capacity, least)
        hub_value[short] = -lam[owner[short]]
        np.add.at(hub_value, fJ, fR * f_take)
        unit_of[short[J]] = -1
    whole = np.zeros(len(weight), dtype=bool)
    if options.forced is not None and floor > 0:
        hit = np.zeros(len(weight), dtype=bool)
        hit[hubs] = options.forced[hubs]
        xJ, xW, xR, x_unit_of = _units(np.nonzero(hit[J])[0], I, J, W, reduced, None, 0.0, every=True)
        x_take = _fractional_knapsack(xJ, xW, xR, weight, capacity, least)
        alternative = setup - lam[owner]
        np.add.at(alternative, xJ, xR * x_take)
        whole = hit & (alternative > hub_value + 1e-9)
        hub_value[whole] = alternative[whole]
        unit_of[whole[J]] = -1
        if short.any():
            f_unit_of[whole[J]] = -1
        x_unit_of[~whole[J]] = -1
    best_option = _best_options(hub_value, owner, hubs, n)
    real = np.unique(owner[hubs])
    values = hub_value[best_option[real]]
    order_h = np.argsort(values, kind="stable")
    chosen = list(order_h[:low]) + [h for h in order_h[low:high] if values[h] < 0]
    chosen = np.asarray(chosen, dtype=np.int64)
    chosen_hubs = real[chosen]
    assigned = np.zeros(len(lam))
    assigned[chosen_hubs] += 1.0
    is_open = np.zeros(len(weight), dtype=bool)
    is_open[best_option[chosen_hubs]] = True
    passes = [(unit_of, take)] + ([(f_unit_of, f_take)] if short.any() else []) + \
        ([(x_unit_of, x_take)] if whole.any() else [])
    for units, taken in passes:
        items = np.nonzero(units >= 0)[0]
        items = items[is_open[J[items]]]
        np.add.at(assigned, I[items], taken[units[items]])
    return float(lam.sum() + values[chosen].sum()), assigned[:n]


def _best_options(hub_value, owner, ids, n):
    """For each hub practice, its option of least value (the hub itself when it has no other)."""
    best = np.arange(n)
    extra = ids[ids >= n]
    if len(extra):
        order = extra[np.lexsort((hub_value[extra], owner[extra]))]
        first = np.r_[True, owner[order][1:] != owner[order][:-1]]
        lead = order[first]
        better = hub_value[lead] < hub_value[owner[lead]]
        best[owner[lead[better]]] = lead[better]
    return best


def _units(sel, I, J, W, reduced, G, setup, every: bool):
    """The knapsack units of the pairs `sel`: an inside pair is a unit of its own; the pairs of one hub and
    one other authority form the convex hull of their prefix curve (best-ratio prefix with the setup as one
    unit, then the rest one by one). Without `every`, only units of negative value are kept. Returns each
    unit's hub, weight and value, and each pair's unit (-1 for none)."""
    unit_of = np.full(len(I), -1, dtype=np.int64)
    if G is None or setup <= 0:
        own, foreign = sel, sel[:0]
    else:
        own, foreign = sel[G[sel] < 0], sel[G[sel] >= 0]
    uJ, uW, uR = [J[own]], [W[own]], [reduced[own]]
    unit_of[own] = np.arange(len(own))
    count = len(own)
    if len(foreign):
        ratio_f = reduced[foreign] / np.maximum(W[foreign], 1e-9)
        f = foreign[grouped_order(G[foreign], ratio_f)]
        Gs = G[f]
        starts = np.r_[0, np.nonzero(np.diff(Gs))[0] + 1]
        sizes = np.diff(np.r_[starts, len(f)])
        gid = np.repeat(np.arange(len(starts)), sizes)
        cw = _group_cumsum(W[f], starts, sizes)
        cr = _group_cumsum(reduced[f], starts, sizes)
        chord = (setup + cr) / np.maximum(cw, 1e-9)
        kstar = _first_least(chord, starts, gid)
        useful = np.ones(len(starts), dtype=bool) if every else chord[kstar] < 0
        position = np.arange(len(f))
        in_prefix = position <= kstar[gid]
        live = useful[gid]
        groups = np.nonzero(useful)[0]
        super_id = np.full(len(starts), -1, dtype=np.int64)
        super_id[groups] = count + np.arange(len(groups))
        uJ.append(J[f[kstar[groups]]])
        uW.append(cw[kstar[groups]])
        uR.append(setup + cr[kstar[groups]])
        count += len(groups)
        head = live & in_prefix
        unit_of[f[head]] = super_id[gid[head]]
        tail = f[live & ~in_prefix]
        if not every:
            tail = tail[reduced[tail] < 0]
        uJ.append(J[tail])
        uW.append(W[tail])
        uR.append(reduced[tail])
        unit_of[tail] = count + np.arange(len(tail))
        count += len(tail)
    return np.concatenate(uJ), np.concatenate(uW), np.concatenate(uR), unit_of


def grouped_order(group, key) -> np.ndarray:
    """The order of np.lexsort((key, group)) (by group, then key, ties by position) for non-negative integer
    groups: a stable sort by key, then stable 16-bit radix passes over the group, which take linear time
    where lexsort's second pass does not (the national relaxation sorts about a million pairs this way at
    every step of the ascent)."""
    order = np.argsort(key, kind="stable")
    digits = np.asarray(group)[order].astype(np.int64)
    shift, top = 0, int(digits.max()) if len(digits) else 0
    while shift == 0 or top >> shift:
        moved = np.argsort(((digits >> shift) & 0xFFFF).astype(np.uint16), kind="stable")
        order, digits = order[moved], digits[moved]
        shift += 16
    return order


def _first_least(values, starts, group) -> np.ndarray:
    """Position of each group's least value (its first, on ties), for values laid out group by group from
    `starts`, with `group` the group number of each position."""
    least = np.minimum.reduceat(values, starts)
    position = np.where(values == least[group], np.arange(len(values)), len(values))
    return np.minimum.reduceat(position, starts)


def _group_cumsum(values, starts, sizes):
    """Running sums restarting at each group start."""
    cum = np.cumsum(values)
    offset = np.repeat(cum[starts] - values[starts], sizes)
    return cum - offset


def _fractional_knapsack(uJ, uW, uR, weight, capacity, floor=0.0):
    """Fraction of each unit its hub takes, best ratio first: units of negative value within the hub's room
    (capacity less the hub's own patients), the others only as far as the hub's floor needs them."""
    take = np.zeros(len(uJ))
    if not len(uJ):
        return take
    order = grouped_order(uJ, uR / np.maximum(uW, 1e-9))
    Js, Ws = uJ[order], uW[order]
    room = capacity - weight[Js]
    starts = np.r_[0, np.nonzero(np.diff(Js))[0] + 1]
    before = _group_cumsum(Ws, starts, np.diff(np.r_[starts, len(Js)])) - Ws
    need = (floor[Js] if np.ndim(floor) else floor) - weight[Js]
    limit = np.where(uR[order] < 0, room, np.minimum(room, need))
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(Ws > 0, np.clip((limit - before) / Ws, 0.0, 1.0), (uR[order] < 0).astype(float))
    take[order] = np.where(room >= 0, part, 0.0)
    return take


INTEGER_ROOM = 2000
"""Largest hub room (in patients) for which the knapsacks are solved exactly: the dynamic programme's work
grows with the room, and national list sizes (room in the hundreds of thousands) stay with the LP."""
INTEGER_CELLS = 60_000_000
"""Most cells (units x room) of one exact pass; a pass that would need more uses the LP knapsack."""


def _integer_knapsacks_apply(weight, capacity: float, G) -> bool:
    """Exact knapsacks need whole patient counts, a finite and small room, and no authority groups."""
    return G is None and np.isfinite(capacity) and capacity <= INTEGER_ROOM and \
        bool(np.all(weight == np.round(weight))) and bool(np.all(weight >= 1))


def _integer_knapsack(uJ, uW, uR, weight, capacity):
    """Which units each hub takes (0 or 1) to minimise their summed value within its room, by dynamic
    programming over whole patients, all hubs at once; the LP knapsack when the table would be too large."""
    take = np.zeros(len(uJ))
    if not len(uJ):
        return take
    hubs, row = np.unique(uJ, return_inverse=True)
    room = np.floor(capacity - weight[hubs]).astype(np.int64)
    width = int(max(0, room.max())) + 1
    if len(uJ) * width > INTEGER_CELLS:
        return _fractional_knapsack(uJ, uW, uR, weight, capacity)
    order = np.lexsort((uR, row))
    starts = np.r_[0, np.nonzero(np.diff(row[order]))[0] + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.arange(len(order)) - np.repeat(starts, sizes)
    size = np.rint(uW).astype(np.int64)
    profit = -uR
    table = np.zeros((len(hubs), width))
    columns = np.arange(width)
    layers = []
    for k in range(int(sizes.max())):
        units = order[position == k]
        rows, w = row[units], size[units]
        before = table[rows]
        source = columns[None, :] - w[:, None]
        grown = np.take_along_axis(before, np.maximum(source, 0), axis=1) + profit[units][:, None]
        better = (source >= 0) & (grown > before + 1e-12)
        table[rows] = np.where(better, grown, before)
        layers.append((units, rows, better))
    left = np.maximum(room, -1)
    for units, rows, better in reversed(layers):
        fits = left[rows] >= 0
        taken = np.zeros(len(units), dtype=bool)
        taken[fits] = better[np.nonzero(fits)[0], left[rows[fits]]]
        take[units[taken]] = 1.0
        left[rows[taken]] -= size[units[taken]]
    return take
