"""Searching two halves of a plan at once, one per core: the consortia are split in two by distance from a
point that changes every epoch, each half is improved by the neighbourhood search in its own process, and
both results are written back. The halves share no consortium, so each keeps every rule and the plan's
objective falls by the sum of both gains.

The neighbourhood search is serial, so beside a bound that has finished (on p3038 within its first two
minutes) one core stood idle; two halves make twice the re-solves, transfers and reallocations in a time.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from types import SimpleNamespace

import numpy as np

from planner.bound_process import main_importable
from planner.lns import Neighbourhood, apply_solution, neighbourhood
from planner.options import SolveOptions
from planner.partition_state import PartitionState, lowers

EPOCH_SECONDS = 120.0
"""Seconds between re-splits: each epoch restarts both searches (their transfer pools and growing
neighbourhoods), so an epoch must be long enough for those to pay, and short enough that the border
between the halves moves several times in a run."""
FEWEST_CONSORTIA = 40
"""Fewest consortia for halves: each half must hold enough consortia for its own neighbourhoods and
transfers."""
GRACE_SECONDS = 30.0
"""Seconds past an epoch's end the other half is waited for before its result is given up."""


def halves_apply(state: PartitionState, options: SolveOptions) -> bool:
    """Whether to search in halves: the solve may use two cores (`threads` at least 2, as the bench gives a
    case alone on this machine), no Dask cluster is asked for, the plan is large enough, and a spawned
    process can import this program's main module again."""
    return bool(options.threads and options.threads >= 2 and options.workers <= 1 and not options.scheduler
                and (os.cpu_count() or 1) >= 2 and len(state.members) >= FEWEST_CONSORTIA and main_importable())


def one_thread(options: SolveOptions) -> SolveOptions:
    """The options of one process of a solve that shares two cores, first with the bound's process and then
    with the other half: HiGHS on one thread, in this process. On p3038 (p = 600) the same ascent finished
    at 87 s and 122 s in two runs beside a search running HiGHS on two threads, and at about 70 s beside
    one; the halves wait for it."""
    return dataclasses.replace(options, threads=1, workers=1, scheduler=None)


class Halves:
    """A one-process pool for the other half, kept from epoch to epoch so only the first starts a process."""

    def __init__(self):
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self.lost: list[str] = []
        """Why a half searched in the other process gave no result, once per epoch where it did not."""

    def epoch(self, state: PartitionState, options: SolveOptions, epoch: int, deadline: float, record) -> int:
        """Split the plan, search both halves until `deadline` (a perf_counter reading), write back each
        half that improved; returns the batches solved in both."""
        ends = time.time() + deadline - time.perf_counter()
        rng = np.random.default_rng([options.seed, epoch])
        near, far = split(state, rng)
        halves = [neighbourhood(state, group, one_thread(options), deadline=ends) for group in (near, far)]
        try:
            future = self.pool.submit(improve_half, halves[0], (options.seed, epoch, 0))
        except Exception as error:  # a broken pool: this half is searched here alone
            future = None
            self._lose(error)
        here = improve_half(halves[1], (options.seed, epoch, 1), lambda stage, gained: record(
            f"halves {epoch + 1}: {stage}", SimpleNamespace(objective=state.objective - gained)))
        there = None
        if future is not None:
            try:
                there = future.result(timeout=max(1.0, ends - time.time()) + GRACE_SECONDS)
            except Exception as error:  # a lost half leaves its consortia as they were; the run notes why
                future.cancel()
                self._lose(error)
        batches = 0
        for half, result in zip(halves, (there, here)):
            if result is None:
                continue
            assignment, solved = result
            batches += solved
            if assignment is not None:
                apply_solution(state, half.consortia, assignment)
        return batches

    def _lose(self, error: Exception) -> None:
        """Note why the other process gave no result this epoch."""
        self.lost.append(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)

    def close(self) -> None:
        """Stop the pool's process."""
        self.pool.shutdown(wait=False, cancel_futures=True)


def split(state: PartitionState, rng) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two groups of consortia, each holding about half the practices: those whose hubs lie nearest a
    point far from a random hub, and the rest."""
    consortia = sorted(state.members)
    hubs = np.array([state.hub[k] for k in consortia])
    pivot = hubs[int(rng.integers(len(hubs)))]
    far = hubs[int(np.argmax(state.instance.distance.between(hubs, np.full(len(hubs), pivot))))]
    order = np.argsort(state.instance.distance.between(hubs, np.full(len(hubs), far)), kind="stable")
    sizes = np.array([len(state.members[consortia[i]]) for i in order])
    cut = int(np.searchsorted(np.cumsum(sizes), state.n / 2)) + 1
    cut = min(max(cut, 1), len(order) - 1)
    near = tuple(sorted(consortia[i] for i in order[:cut]))
    rest = tuple(sorted(consortia[i] for i in order[cut:]))
    return near, rest


def improve_half(half: Neighbourhood, seed: tuple[int, ...], record=None) -> tuple[dict[str, str] | None, int]:
    """Search one half (its consortia freed as one neighbourhood) until its deadline; returns its new
    assignment (None when not lower) and the batches solved. `record`, when given, is called with each
    stage and the half's gain so far: the plan with this half as it stands is a whole plan, so the live
    incumbent keeps falling during an epoch."""
    from planner.large import neighbourhood_search

    sub = PartitionState.from_plan(half.instance, half.rules, half.start)
    before = sub.objective
    deadline = time.perf_counter() + half.deadline - time.time()
    batches, _ = neighbourhood_search(sub, half.options, np.random.default_rng(list(seed)), deadline,
                                      (lambda stage, _: record(stage, before - sub.objective)) if record
                                      else (lambda *_: None))
    if not lowers(sub.objective, before):
        return None, batches
    return dict(sub.to_plan().assignment), batches
