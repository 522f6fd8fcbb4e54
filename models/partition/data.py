"""Plain input data of the partition (contiguous capacitated p-median) model: arrays and index lists only."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class PartitionData:
    """Everything the partition model needs, by practice position 0..n-1; no files, no labels."""

    weight: np.ndarray
    """Registered patients of each practice."""
    pairs: list[tuple[int, int]]
    """Allowed (practice, hub) assignments; (j, j) is present for every candidate hub j."""
    cost: np.ndarray
    """Objective cost of each pair (patients x distance^power), aligned with `pairs`."""
    edges: list[tuple[int, int]]
    """Adjacency between practices (undirected, each once)."""
    min_consortia: int = 1
    max_consortia: int | None = None
    min_population: float = 0.0
    max_population: float | None = None
    contiguity: str = "cuts"
    """'cuts' (separator inequalities, added iteratively), 'flow' (compact single-commodity flow) or 'none'."""
    interest_groups: list[list[int]] = field(default_factory=list)
    """Practices sharing each provider-interest label (each practice is also a holder of its own)."""
    max_interest_share: float | None = None
    soft_interest_share: float | None = None
    exposure_weight: float = 0.0
    cannot_link: list[tuple[int, int]] = field(default_factory=list)
    must_link: list[list[int]] = field(default_factory=list)
    lad: list[int] | None = None
    """Local-authority id of each practice, for the split penalty."""
    la_split_weight: float = 0.0
    target_population: float | None = None
    deviation_weight: float = 0.0
    scale: float = 1.0
    """Divisor of the cost term: total patients, so the objective reads as mean km per patient."""

    @cached_property
    def objective_factor(self) -> float:
        """Power of ten the solver multiplies the objective by, so that the median cost coefficient is about 1
        whatever the family's units (tiny coefficients make HiGHS's absolute tolerances stop early)."""
        coefficients = self.cost[self.cost > 0] / self.scale
        if not len(coefficients):
            return 1.0
        return float(10.0 ** round(-np.log10(float(np.median(coefficients)))))

    @property
    def n(self) -> int:
        """Number of practices."""
        return len(self.weight)

    @cached_property
    def hubs(self) -> list[int]:
        """Candidate hubs: practices j with the pair (j, j)."""
        return sorted({j for i, j in self.pairs if i == j})

    @cached_property
    def pair_set(self) -> frozenset[tuple[int, int]]:
        """The allowed pairs as a set, for membership tests."""
        return frozenset(self.pairs)

    @cached_property
    def by_practice(self) -> dict[int, list[int]]:
        """Hubs each practice may join."""
        table: dict[int, list[int]] = {i: [] for i in range(self.n)}
        for i, j in self.pairs:
            table[i].append(j)
        return table

    @cached_property
    def by_hub(self) -> dict[int, list[int]]:
        """Practices each hub may take."""
        table: dict[int, list[int]] = {j: [] for j in self.hubs}
        for i, j in self.pairs:
            table[j].append(i)
        return table
