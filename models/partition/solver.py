"""Runs HiGHS on a partition model through Pyomo's persistent appsi interface, and reads the plan back."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from models.partition.data import PartitionData

STATUS = {
    TerminationCondition.optimal: "optimal",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.infeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible",
    TerminationCondition.interrupted: "interrupted",
}


@dataclass(frozen=True)
class RunResult:
    """One HiGHS run: status, incumbent objective (None without one), proven bound, hub of each practice;
    objective and bound are in the model's units (the objective factor taken back out)."""

    status: str
    objective: float | None
    bound: float | None
    hub_of: list[int] | None
    seconds: float


_scheduler_threads: list[int] = []
"""Thread count HiGHS's process-wide scheduler was started with (0: HiGHS's choice), once known."""


def _use_threads(threads: int | None) -> None:
    """HiGHS starts one thread scheduler per process and returns status 'unknown' when a later solve asks
    for another thread count; restart the scheduler when the count changes."""
    wanted = int(threads or 0)
    if _scheduler_threads and _scheduler_threads[0] != wanted:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [wanted]


class PartitionSolver:
    """A persistent HiGHS solver bound to one model, so added cuts re-solve without rebuilding."""

    def __init__(self, model, data: PartitionData, *, threads: int | None = None, seed: int = 0,
                 log: bool = False):
        self.model, self.data, self.log, self.threads = model, data, log, threads
        self.highs = Highs()
        self.highs.config.load_solution = False
        self.highs.config.stream_solver = log
        options = {"random_seed": int(seed), "mip_abs_gap": 0.0}
        if threads:
            options["threads"] = int(threads)
        self.highs.highs_options = options

    def run(self, *, time_limit: float, gap: float, start: list[int] | None = None) -> RunResult:
        """Solve within time_limit seconds to the relative gap, warm-started from a plan (hub per practice)."""
        self.highs.config.time_limit = max(float(time_limit), 0.01)
        self.highs.config.mip_gap = float(gap)
        self.highs.config.warmstart = start is not None
        if start is not None:
            self._set_start(start)
        _use_threads(self.threads)
        began = time.perf_counter()
        with _solver_output_to_stderr(self.log):
            results = self.highs.solve(self.model)
        seconds = time.perf_counter() - began
        status = STATUS.get(results.termination_condition, str(results.termination_condition.name))
        factor = self.data.objective_factor
        objective = _unscaled(results.best_feasible_objective, factor)
        bound = _unscaled(results.best_objective_bound, factor)
        hub_of = None
        if objective is not None and status != "infeasible":
            results.solution_loader.load_vars()
            hub_of = self._hubs()
        if status == "optimal" and objective is not None and bound is None:
            bound = objective
        return RunResult(status, objective, bound, hub_of, seconds)

    def _set_start(self, start: list[int]) -> None:
        """Give every assignment variable the start plan's value."""
        for (i, j), var in self.model.x.items():
            var.set_value(1.0 if start[i] == j else 0.0, skip_validation=True)

    def _hubs(self) -> list[int]:
        """Hub of each practice in the loaded solution."""
        hub_of = [-1] * self.data.n
        for (i, j), var in self.model.x.items():
            if var.value is not None and var.value > 0.5:
                hub_of[i] = j
        return hub_of


def _unscaled(value, factor: float):
    """A value HiGHS reports for the scaled objective, back in the model's units."""
    return None if value is None else value / factor


@contextmanager
def _solver_output_to_stderr(enabled: bool):
    """Send the solver's console log (written by C code to fd 1) to stderr, keeping stdout for results."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
