"""Solving large instances: a fast verified first plan, border moves, exact re-solves of neighbourhoods
(in parallel on Dask when asked; under an interest cap without the split penalty, first without the cap
and then from the plan repaired to it at least cost), and a certified Lagrangian lower bound for an honest
gap."""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from planner.backoff import Backoff
from planner.bound import lagrangian_bound
from planner.bound_process import start_bound
from planner.construct import by_authority_applies, construct_plan, repair_rules
from planner.errors import PlannerError, SolveError
from planner.feasibility import check_feasibility
from planner.halves import EPOCH_SECONDS, Halves, halves_apply, one_thread
from planner.improve import border_moves
from planner.lns import (LAST_START, apply_solution, choose_neighbourhoods, neighbourhood, solve_neighbourhood,
                         sub_limits)
from planner.metrics import plan_metrics
from planner.options import SolveOptions
from planner.partition_state import PartitionState, lowers
from planner.reallocate import reallocate
from planner.rebuild import rebuild_regions
from planner.rules import Rules
from planner.seeding import every_area_for
from planner.transfer import Transfers, transfers_apply
from planner.verify import verify_plan


def solve_large(instance, rules: Rules, options: SolveOptions, progress=None, start=None):
    """Heuristic solve with a proven bound; every reported plan passes the independent verifier. A `start`
    plan that passes it and is no worse than the constructed first plan becomes the first plan."""
    from planner.solve import SolveResult

    began = time.perf_counter()
    deadline = began + options.time_limit
    notes = check_feasibility(instance, rules)
    rng = np.random.default_rng(options.seed)
    trajectory: list[dict] = []
    bound = None
    held = None

    def record(stage: str, state) -> None:
        incumbent = state.objective if held is None else min(state.objective, held.objective)
        trajectory.append({"seconds": round(time.perf_counter() - began, 3), "stage": stage,
                           "incumbent": incumbent, "bound": bound})
        if progress:
            progress(trajectory[-1])

    state = construct_plan(instance, rules, seed=options.seed, seeding=_seeding(rules),
                           seeding_seconds=min(FIRST_SEEDING, 0.1 * options.time_limit),
                           every_area=every_area_for(instance), deadline=deadline)
    _check(instance, state, rules)
    if start is not None:
        state = _offered(instance, rules, state, start, notes)
    record("first plan", state)
    in_halves = halves_apply(state, options)
    searching = one_thread(options) if in_halves else options
    left = deadline - time.perf_counter() - FINAL_SECONDS
    budget = left if options.bound_seconds is None else min(options.bound_seconds, left)
    background = start_bound(instance, rules, upper=state.objective, seconds=budget)

    def polled(stage: str, state) -> None:
        nonlocal bound
        bound = background.poll()
        record(stage, state)

    try:
        border_moves(state, seed=options.seed, deadline=began + 0.2 * options.time_limit)
        polled("border moves", state)
        if by_authority_applies(rules) and rebuild_regions(state, searching, rng, began + 0.3 * options.time_limit):
            polled("regions cut without authority groups", state)
        if reallocate(state, min(deadline, time.perf_counter() + 0.3 * options.time_limit),
                      threads=searching.threads, seed=options.seed):
            polled("reallocation", state)
        uncapped_until = began + UNCAPPED_SHARE * options.time_limit
        capped = state
        state, held, relaxed_rounds = _search_without_cap(state, searching, rng, uncapped_until, polled)
        if state is not capped:
            polled("searched without the interest cap, repaired to it", state)
            notes.append(f"searched without the interest cap until {UNCAPPED_SHARE:.0%} of the time limit and "
                         f"repaired to it at {state.objective:.6f}")
        rounds, converged = _search(state, searching, rng, deadline - FINAL_SECONDS, polled, background,
                                     notes, in_halves)
        rounds += relaxed_rounds
        border_moves(state, seed=options.seed, deadline=deadline - FINAL_SECONDS)
        if held is not None:
            notes.append(_kept_note(state, held))
            if lowers(held.objective, state.objective):
                state, converged = held, False
        result = background.finish(by=time.time() + max(0.0, deadline - time.perf_counter()) + FINAL_SECONDS)
    finally:
        background.close()
    if result is None:
        notes.append("the bound's process " + (f"failed ({background.error})" if background.error else
                                               "did not finish") + "; the bound is the best it reported")
        if background.bound is None:
            result = lagrangian_bound(instance, rules, upper=state.objective, time_limit=FINAL_SECONDS)
    bound = background.bound if background.bound is not None else result.bound
    record("lagrangian bound", state)
    record("final", state)
    plan = state.to_plan()
    verdict = verify_plan(instance, plan, rules)
    if not verdict.passed:
        raise SolveError("the heuristic plan failed verification: " + "; ".join(c.detail for c in verdict.failures()))
    metrics = plan_metrics(instance, plan, rules)
    objective = metrics.objective
    bound = min(bound, objective)
    gap = (objective - bound) / max(abs(objective), 1e-12)
    status = "optimal" if gap <= options.gap else ("local_optimum" if converged else "time_limit")
    if result is not None:
        notes.append(f"large-instance method: {rounds} neighbourhood batch(es), Lagrangian bound after "
                     f"{result.iterations} iterations on {result.pairs:,} pairs")
    return SolveResult(status=status, plan=plan, metrics=metrics, verdict=verdict, objective=objective,
                       bound=bound, seconds=time.perf_counter() - began, rules=rules, options=options,
                       rounds=rounds, cuts=0, pairs=result.pairs if result else 0, trajectory=trajectory,
                       notes=notes)


def _offered(instance, rules: Rules, state, start, notes: list[str]):
    """The start plan when it passes the verifier and is no worse than the constructed first plan (a note
    says which was kept and why): on a tie the user's plan is kept, so a given optimum is always the start."""
    verdict = verify_plan(instance, start, rules)
    if not verdict.passed:
        notes.append("the start plan breaks " + ", ".join(c.rule for c in verdict.failures()) +
                     "; the search starts from its own first plan")
        return state
    offered = PartitionState.from_plan(instance, rules, start)
    if lowers(state.objective, offered.objective):
        notes.append(f"the start plan ({offered.objective:.6f}) is worse than the first plan "
                     f"({state.objective:.6f}); the search starts from the first plan")
        return state
    notes.append(f"the search starts from the start plan ({offered.objective:.6f})")
    return offered


def _search_without_cap(state, options: SolveOptions, rng, ends: float, polled):
    """Neighbourhood search on a copy of the plan with the interest cap lifted, until `ends`, then repaired
    to the cap at least cost. Returns the plan to search on, the plan held as the incumbent meanwhile (None
    when the first is lower) and the batches solved.

    Under the cap the search stalls where the repaired plan, even when higher at first, leads lower: on
    north-2014 (policy), 120 s without the cap and a priced repair gave 6.640350 and 120 s of capped search
    from there 6.137224, where 240 s of capped search from the same first plan gave 6.266753. So the search
    goes on from the repaired plan while the current one is held, and the lower of the two is the result.
    Off under the split penalty all the same: there the 5-minute north-2014 run gained within its 1 % noise
    (6.107127 against 6.166764), and nationally the repaired plan (8.113468, against 8.014461 held) ended
    10 minutes at 7.863477, against 7.826061 without the phase."""
    rules = state.rules
    penalised = rules.coterminosity == "penalty" and rules.la_split_weight
    if rules.max_interest_share is None or penalised or time.perf_counter() > ends - LAST_START:
        return state, None, 0
    proposal = PartitionState(state.instance, dataclasses.replace(rules, max_interest_share=None), state.labels)
    rounds, _ = neighbourhood_search(proposal, options, rng, ends,
                                     lambda stage, _: polled(f"without the interest cap: {stage}", state))
    repaired = PartitionState(state.instance, rules, proposal.labels)
    try:
        repair_rules(repaired, 20 * state.n, priced=True)
    except PlannerError:
        return state, None, rounds
    if not verify_plan(state.instance, repaired.to_plan(), rules).passed:
        return state, None, rounds
    return repaired, None if lowers(repaired.objective, state.objective) else state, rounds


def _kept_note(searched, held) -> str:
    """Which plan the run ends with when the search went on from a repaired cap-free plan."""
    ended = f"the search from the cap-free plan repaired to the interest cap ended at {searched.objective:.6f}"
    if lowers(held.objective, searched.objective):
        return f"{ended}, above the plan held from before it ({held.objective:.6f}), which is kept"
    return f"{ended}, not above the plan held from before it ({held.objective:.6f})"


def _seeding(rules: Rules) -> str:
    """Exact p-median seeds for contiguous plans; sampled seeds without contiguity, where repairing the
    nearest-seed cells to the capacities starts 15% lower on p3038 than from the aggregated p-median."""
    return "pmedian" if rules.contiguity else "sample"


def _check(instance, state, rules) -> None:
    """The first plan must pass the verifier."""
    verdict = verify_plan(instance, state.to_plan(), rules)
    if not verdict.passed:
        raise SolveError("the first-plan heuristic broke " + ", ".join(c.rule for c in verdict.failures()))


def _search(state, options: SolveOptions, rng, deadline: float, record, background,
            notes: list[str], in_halves: bool) -> tuple[int, bool]:
    """The neighbourhood search on the whole plan; when the solve may use two cores (`in_halves`), only
    until the bound's process has finished and left its core free (on p3038 within 70-130 s; nationally it
    climbs to the end, so there the search stays whole), then on two halves at once, re-split every
    `halves.EPOCH_SECONDS`. Returns the batches solved and whether it converged."""
    if not in_halves:
        return neighbourhood_search(state, options, rng, deadline, record)
    rounds, converged = neighbourhood_search(state, options, rng, deadline, record,
                                             until=lambda: background.result is not None)
    if converged or deadline - time.perf_counter() <= SHORTEST_EPOCH:
        return rounds, converged
    halves, epoch, began = Halves(), 0, time.perf_counter()
    try:
        while deadline - time.perf_counter() > SHORTEST_EPOCH:
            left = deadline - time.perf_counter()
            ends = deadline if left < 1.5 * EPOCH_SECONDS else time.perf_counter() + EPOCH_SECONDS
            rounds += halves.epoch(state, options, epoch, ends, record)
            epoch += 1
            record(f"halves {epoch}", state)
    finally:
        halves.close()
    notes.append(f"searched in two halves at once (one per core) for the last {deadline - began:.0f} s, once "
                 f"the bound's process had finished: {epoch} epoch(s)")
    if halves.lost:
        notes.append(f"{len(halves.lost)} of {epoch} half searches in the other process gave no result "
                     f"(last: {halves.lost[-1]}); their consortia were kept as they were")
    return rounds, converged


def neighbourhood_search(state, options: SolveOptions, rng, deadline: float, record,
                         until=None) -> tuple[int, bool]:
    """Sweeps of disjoint neighbourhoods solved exactly in batches (without contiguity every second sweep's
    are wider, see `_sweep_size`); each sweep is preceded by rounds of transfers (while they pay),
    interrupted for one round every TRANSFER_EVERY batches (a group whose consortium a transfer removed is
    skipped) and, without contiguity, followed by a global reallocation (rested like transfers after one
    that gains nothing: on p3038 with p = 1,000, 11 of the 14 after the first 250 s gained nothing, at 2-4 s
    each).
    When a sweep finds nothing while some re-solves stopped at their time limit, that limit doubles (up to
    LONGEST_RESOLVE); when two sweeps find nothing, the neighbourhoods grow (half as many consortia and
    practices again, up to GROWTH times the start) before the search stops; it also stops between batches
    once `until()`, when given, is true. Returns the batches solved and whether the search converged (rather
    than ran out of time or was stopped)."""
    executor = _executor(options)
    size, practices = _starting_size(state, options), options.neighbourhood_practices
    base = size
    seconds = _resolve_seconds(state, options)
    batches, quiet, converged, sweeps = 0, 0, False, 0
    pool = Transfers(state) if transfers_apply(state) else None
    reallocations = Backoff()
    try:
        while time.perf_counter() < deadline - LAST_START and not (until and until()):
            improved, limited = 0, False
            if pool is not None and pool.due():
                improved += _transfer_rounds(pool, TRANSFER_ROUNDS, options, deadline, executor, record)
            sweeps += 1
            groups = choose_neighbourhoods(state, rng, **_sweep_size(state, size, practices, sweeps))
            if not groups:
                converged = True
                break
            for start in range(0, len(groups), options.batch_size):
                if time.perf_counter() > deadline - LAST_START or (until and until()):
                    break
                batch = [g for g in groups[start:start + options.batch_size]
                         if all(k in state.members for k in g)]
                sub_options, ends = sub_limits(options, deadline, seconds, gap=1e-6)
                tasks = [neighbourhood(state, g, sub_options, options.neighbourhood_hubs, ends) for g in batch]
                redrawn = set()
                for consortia, value, assignment, stopped in executor(tasks, deadline):
                    limited |= stopped
                    if assignment is not None:
                        redrawn |= apply_solution(state, consortia, assignment)
                        improved += 1
                _settle(state, redrawn, options, deadline)
                batches += 1
                record(f"neighbourhoods {batches}", state)
                if pool is not None and TRANSFER_EVERY and batches % TRANSFER_EVERY == 0 and pool.due():
                    improved += _transfer_rounds(pool, 1, options, deadline, executor, record)
            if reallocations.due():
                gained = reallocate(state, min(deadline, time.perf_counter() + REALLOCATION_SECONDS),
                                    threads=options.threads, seed=options.seed)
                reallocations.tried(bool(gained))
                if gained:
                    record("reallocation", state)
                    improved += 1
            if not improved and limited and seconds < LONGEST_RESOLVE:
                seconds, quiet = min(LONGEST_RESOLVE, 2 * seconds), 0
                continue
            quiet = quiet + 1 if not improved else 0
            if quiet >= 2:
                if size >= GROWTH * base:
                    converged = True
                    break
                (size, practices), quiet = _half_again(size, practices), 0
    finally:
        close = getattr(executor, "close", None)
        if close:
            close()
    return batches, converged


def _transfer_rounds(pool: Transfers, rounds: int, options: SolveOptions, deadline: float, executor,
                     record) -> int:
    """Up to `rounds` rounds of transfers, stopping after one that makes none; the first round's count
    sets the pool's rest (see `Transfers.due`). Returns the transfers made."""
    state, made_here = pool.state, 0
    for turn in range(rounds):
        made = pool.round(options, deadline, executor, samples=options.batch_size,
                          evaluated=lambda: record("transfer evaluations", state))
        if not turn:
            pool.rested(made)
        if not made:
            break
        made_here += made
        _settle(state, pool.redrawn, options, deadline)
        record(f"transfers {pool.made}", state)
    return made_here


def _starting_size(state, options: SolveOptions) -> int:
    """Consortia per neighbourhood at the start: `neighbourhood_size`, or, without contiguity, enough to
    hold about TARGET_PRACTICES practices. There a re-solve is a small capacitated p-median that HiGHS
    proves in a tenth of a second, and with consortia of three to five practices (p3038, p = 600 to 1,000)
    four of them free too few practices to move."""
    if state.rules.contiguity:
        return options.neighbourhood_size
    per = state.n / max(1, len(state.members))
    return max(options.neighbourhood_size, round(TARGET_PRACTICES / per))


def _sweep_size(state, size: int, practices: int, sweep: int) -> dict[str, int]:
    """Consortia and practices per neighbourhood in this sweep: without contiguity every second sweep's are
    half as large again (WIDE_EVERY), so moves that need more consortia than the usual size are found too."""
    if not state.rules.contiguity and WIDE_EVERY and sweep % WIDE_EVERY == 0:
        size, practices = _half_again(size, practices)
    return {"size": size, "max_practices": practices}


def _half_again(size: int, practices: int) -> tuple[int, int]:
    """Neighbourhoods half as large again: consortia (at least one more) and practices."""
    return size + max(1, size // 2), practices + practices // 2


def _resolve_seconds(state, options: SolveOptions) -> float:
    """Starting time limit of a neighbourhood re-solve: the option, else 6 s with contiguity and 2 s without."""
    if options.sub_time_limit is not None:
        return options.sub_time_limit
    return CONTIGUOUS_RESOLVE if state.rules.contiguity else FREE_RESOLVE


def _settle(state, redrawn: set[int], options: SolveOptions, deadline: float) -> None:
    """Border moves around the consortia just redrawn, for at most BORDER_SECONDS."""
    if redrawn:
        border_moves(state, seed=options.seed, consortia=redrawn,
                     deadline=min(deadline, time.perf_counter() + BORDER_SECONDS))


SHORTEST_EPOCH = 20.0
"""Fewest seconds worth an epoch in halves (starting the two searches takes a few)."""
FIRST_SEEDING = 40.0
"""Most seconds for the first plan's p-median seeds, over all its regions. Nationally the rest of the first
plan (cells, repair to the rules) takes about 10 s, so the plan is verified within a minute. With 60 s for
each region, the policy scenario without the split penalty (one p-median over 1,000 areas) once took 69.5 s."""
CONTIGUOUS_RESOLVE = 6.0
"""Starting seconds of a re-solve with contiguity (see `SolveOptions.sub_time_limit`)."""
FREE_RESOLVE = 2.0
"""Starting seconds of a re-solve without contiguity (see `SolveOptions.sub_time_limit`)."""
UNCAPPED_SHARE = 0.4
"""Share of the time limit (from the start of the run) by which the search without the interest cap ends."""
FINAL_SECONDS = 2.0
"""Seconds kept at the end of a run for the last border moves, gathering the bound and verification."""
LONGEST_RESOLVE = 24.0
"""Most seconds a neighbourhood re-solve may be given: a sweep that found nothing while some re-solves
stopped at their limit is not a local optimum, so the limit doubles (from `sub_time_limit`) before the
neighbourhoods grow. On durham-tees under the policy scenario, 6 s re-solves of the whole area team all
stop at the limit, and the search reaches the optimum only once they may run longer."""
GROWTH = 3
"""Neighbourhoods grow to at most this multiple of their starting size when the search converges."""
TARGET_PRACTICES = 40
"""Practices a neighbourhood holds at the start without contiguity (it is also capped by
`neighbourhood_practices`). On p3038 after 300 s: p = 600 ends at 0.8107 with 8 consortia (about 40
practices) against 0.8128 with 4, 0.8157 with 12 and 0.8132 with 16; p = 1,000 ends at 0.5797 with 10
and 0.5811 with 13 (this target's size, with 20 s reallocation rounds) against 0.5833 with 4. Two runs
alike differ by up to 0.2 %."""
WIDE_EVERY = 2
"""Without contiguity, every this many sweeps the neighbourhoods are half as large again (0: never). On
p3038 (p = 600, 600 s) a run ended at 123,282 with it against 123,519 without; `consortia bench p3038` with
it (and transfers resting without contiguity) gave a mean of +0.46 % above the best known against +0.49 %,
within the 0.2 % by which two runs alike differ."""
TRANSFER_ROUNDS = 3
"""Rounds of transfers before each sweep of neighbourhoods (fewer when a round finds none)."""
TRANSFER_EVERY = 3
"""Batches of neighbourhoods between single transfer rounds within a sweep (0: only before sweeps), when
transfers are due. Nationally a transfer round pays more per second than a batch: in 10 minutes of the
policy scenario the search ends at the same plan (7.826061, 13 transfers) but holds 7.834229 at 473 s
against 7.889088 at 470 s when transfers waited for the end of a sweep. On north-2014 (real-envelope),
where transfers rarely pay, the 1 % gap came 64 s after the first plan against 76 s."""
BORDER_SECONDS = 30.0
"""Most seconds for the border moves around the consortia a batch redrew (they usually end in well under
a second): on the national real-envelope a final border pass gained 0.08% in one second, so the moves the
re-solves open up are taken as they appear rather than left to the end."""
REALLOCATION_SECONDS = 60.0
"""Most seconds for a reallocation after a sweep: on p3038 with p = 900 an uncapped one took the last
400 s of a 600 s run."""


def _executor(options: SolveOptions):
    """Serial in-process solving, or a Dask client mapping the tasks over workers."""
    if options.workers <= 1 and not options.scheduler:
        return _serial
    return DaskExecutor(options.workers, options.scheduler)


def _serial(tasks, deadline: float):
    """Solve tasks one after another in this process (each stops at its own deadline)."""
    return [solve_neighbourhood(task) for task in tasks]


class DaskExecutor:
    """Runs neighbourhood solves on a Dask cluster: a local one by default, or the given scheduler."""

    def __init__(self, workers: int, scheduler: str | None):
        from distributed import Client, LocalCluster

        if scheduler:
            self.cluster, self.client = None, Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)

    def __call__(self, tasks, deadline: float):
        """Solve the tasks on the cluster, each within the time left; the results finished by the deadline
        come back in task order, and the rest are cancelled."""
        from distributed import wait

        futures = self.client.map(solve_neighbourhood, tasks, pure=False)
        try:
            wait(futures, timeout=max(0.1, deadline - time.perf_counter()))
        except TimeoutError:
            pass
        finished = [f for f in futures if f.status == "finished"]
        self.client.cancel([f for f in futures if f.status != "finished"])
        return self.client.gather(finished)

    def close(self) -> None:
        """Shut the client and any cluster this executor started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
