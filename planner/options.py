"""Options of a solve: limits, gap, threads, seed, and how contiguity is enforced."""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import InputError

CONTIGUITY_METHODS = ("cuts", "flow")
METHODS = ("auto", "exact", "lns")


@dataclass(frozen=True)
class SolveOptions:
    """How long and how hard to solve; every field maps onto a CLI option."""

    time_limit: float = 600.0
    """Wall-clock seconds for the whole solve, including every re-solve after contiguity cuts."""
    gap: float = 1e-4
    """Relative gap (incumbent - bound) / incumbent at which the solve stops as optimal."""
    threads: int | None = None
    """HiGHS threads; None lets HiGHS choose. At 2 or more the large-instance search may instead use a
    second process, each running HiGHS on one thread (see `planner.halves`)."""
    seed: int = 0
    """HiGHS random seed; the same seed, threads and limits give the same plan."""
    log: bool = False
    """Stream the HiGHS log to stderr."""
    contiguity_method: str = "cuts"
    """'cuts': separator inequalities added until every consortium is connected; 'flow': compact flow model."""
    max_pairs: int = 3_000_000
    """Refuse a monolithic model with more practice-hub pairs than this (it would not fit or finish)."""
    method: str = "auto"
    """'exact' (one model), 'lns' (first plan, neighbourhood search, Lagrangian bound) or 'auto' (by size)."""
    exact_up_to: int = 150
    """With 'auto', practices up to which the exact model is used."""
    workers: int = 1
    """Parallel neighbourhood solves (a local Dask cluster when above 1)."""
    scheduler: str | None = None
    """Address of an existing Dask scheduler to send neighbourhood solves to."""
    sub_time_limit: float | None = None
    """Seconds for each neighbourhood re-solve; None: 6 s with contiguity, 2 s without. Long re-solves rarely
    gain: of 18 re-solves of a national policy plan, the 3 that ran 20 s took 60 % of the time and gained at
    most 0.00007; 6 s rather than 20 s gave 20 batches against 11 in a 10-minute run, ending at 7.9464
    against 7.9911. Without contiguity (p3038, p = 600, 300 s) 2 s ends at 0.8051 against 0.8090 with 6 s:
    386 re-solves against 262, and a re-solve cut at 2 s still often improves on its warm start (16 of 34).
    After a sweep that found nothing while re-solves stopped at this limit, the search doubles it (up to
    24 s)."""
    neighbourhood_size: int = 4
    """Consortia freed together in one neighbourhood."""
    neighbourhood_practices: int = 120
    """Most practices in one neighbourhood."""
    neighbourhood_hubs: int = 15
    """Candidate hubs per freed consortium in a re-solve (the practices nearest its current hub; 0 = all):
    hubs barely move in one step, and the smaller model solves several times faster."""
    nearest_hubs: int | None = None
    """Without contiguity, each practice may join only its `nearest_hubs` nearest candidate hubs (or its hub
    in the start plan): a heuristic restriction for neighbourhood re-solves, whose far pairs are never used
    (None: every hub)."""
    batch_size: int = 8
    """Neighbourhoods per batch; fixed, so the plan does not depend on the number of workers."""
    bound_seconds: float | None = None
    """Most seconds for the Lagrangian bound, which runs in its own process beside the search; None = until
    the run ends."""

    def __post_init__(self):
        if self.time_limit <= 0:
            raise InputError("options", "--time-limit must be positive", detail=f"got {self.time_limit}")
        if not (0 <= self.gap < 1):
            raise InputError("options", "--gap must lie in [0, 1)", detail=f"got {self.gap}")
        if self.threads is not None and self.threads < 1:
            raise InputError("options", "--threads must be at least 1", detail=f"got {self.threads}")
        if self.method not in METHODS:
            raise InputError("options", "--method must be one of " + ", ".join(METHODS), detail=f"got {self.method!r}")
        if self.sub_time_limit is not None and self.sub_time_limit <= 0:
            raise InputError("options", "the re-solve time limit must be positive", detail=f"got {self.sub_time_limit}")
        if self.nearest_hubs is not None and self.nearest_hubs < 1:
            raise InputError("options", "nearest hubs must be at least 1", detail=f"got {self.nearest_hubs}")
        if self.workers < 1:
            raise InputError("options", "--workers must be at least 1", detail=f"got {self.workers}")
        if self.contiguity_method not in CONTIGUITY_METHODS:
            raise InputError("options", "--contiguity-method must be one of " + ", ".join(CONTIGUITY_METHODS),
                             detail=f"got {self.contiguity_method!r}")
