"""The Lagrangian bound in a process of its own, so the neighbourhood search and the bound share the run's
time instead of taking turns: on two cores the search keeps one and the bound the other, and the bound
reports each better value as it climbs."""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import time

from planner.bound import LagrangianBound, lagrangian_bound


def start_bound(instance, rules, *, upper: float, seconds: float):
    """The bound beside the search in its own process, or computed here and now (for at most a quarter of
    `seconds`, as before the search) when this program's main module cannot be imported again by a spawned
    process (a script read from standard input, an interactive session)."""
    if not main_importable():
        return InlineBound(lagrangian_bound(instance, rules, upper=upper, time_limit=max(1.0, 0.25 * seconds)))
    return BackgroundBound(instance, rules, upper=upper, ends=time.time() + max(1.0, seconds))


def main_importable() -> bool:
    """Whether a spawned process can import this program's main module again (not so for a script read
    from standard input or an interactive session)."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is not None and os.path.isfile(main)


class InlineBound:
    """A bound already computed, behind the same poll/finish/close interface as BackgroundBound."""

    def __init__(self, result: LagrangianBound):
        self.result, self.bound, self.error = result, result.bound, None

    def poll(self) -> float:
        """The bound."""
        return self.bound

    def finish(self, by: float) -> LagrangianBound:
        """The result, at once."""
        return self.result

    def close(self) -> None:
        """Nothing to stop."""


class BackgroundBound:
    """A spawned process running the ascent until a wall-clock time; poll() gives the best bound so far."""

    def __init__(self, instance, rules, *, upper: float, ends: float, max_iterations: int = 1_000_000):
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self.bound: float | None = None
        self.result: LagrangianBound | None = None
        self.error: str | None = None
        self.process = context.Process(target=_run, daemon=True,
                                       args=(self._queue, instance, rules, upper, ends, max_iterations))
        self.process.start()

    def poll(self) -> float | None:
        """Take every message waiting; returns the best bound reported so far (None before the first)."""
        while True:
            try:
                kind, value = self._queue.get_nowait()
            except queue.Empty:
                return self.bound
            self._take(kind, value)

    def finish(self, by: float) -> LagrangianBound | None:
        """Wait for the final result until `by` (a time.time() reading), then stop the process; None when
        the process failed or ran out of time (its best reported bound stays in `bound`)."""
        while self.result is None and self.error is None and time.time() < by:
            try:
                kind, value = self._queue.get(timeout=min(1.0, max(0.01, by - time.time())))
            except queue.Empty:
                if not self.process.is_alive():
                    self.poll()
                    if self.result is None and self.error is None:
                        self.error = f"the process ended with exit code {self.process.exitcode}"
                    break
                continue
            self._take(kind, value)
        self.close()
        return self.result

    def close(self) -> None:
        """Stop the process if it still runs."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)

    def _take(self, kind: str, value) -> None:
        """Record one message from the process: a better bound, the result, or an error."""
        if kind == "bound":
            self.bound = value if self.bound is None else max(self.bound, value)
        elif kind == "done":
            self.result = value
            self.bound = value.bound if self.bound is None else max(self.bound, value.bound)
        else:
            self.error = value


NICENESS = 5
"""The bound's process yields to the search when cores are short: at this niceness Linux gives it about a
quarter of a shared core (about what the bound had when it ran before the search) and all of an idle one."""
SETTLED_NICENESS = 19
"""Once the bound's climb has settled (`bound.SETTLED_RISE`) the process runs at this niceness: it keeps all
of an idle core but yields a shared one to the search, which the last few thousandths of a percent of
bound are not worth. `consortia bench p3038 --jobs 2` went from a mean of +0.40 % above the best-known
values to +0.35 %, with the same bounds to within 0.004 %."""


def _run(messages, instance, rules, upper: float, ends: float, max_iterations: int) -> None:
    """The child: ascend until `ends`, sending each reported bound and then the result."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    try:
        result = lagrangian_bound(instance, rules, upper=upper, time_limit=max(1.0, ends - time.time()),
                                  max_iterations=max_iterations, settled=_yield_core,
                                  report=lambda value: messages.put(("bound", value)))
        messages.put(("done", result))
    except Exception as error:  # the parent notes it, keeping the best bound reported or computing its own
        messages.put(("error", f"{type(error).__name__}: {error}"))


def _yield_core() -> None:
    """Lower this process to SETTLED_NICENESS, so a search sharing its core gets nearly all of it."""
    if hasattr(os, "nice"):
        os.nice(max(0, SETTLED_NICENESS - os.nice(0)))
