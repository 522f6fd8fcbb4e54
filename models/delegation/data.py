"""Plain input of the delegation model: budget lines, consortia, need-weighted populations and policy numbers.

Everything is arrays, tuples and floats in pounds; nothing here reads a file. The derived quantities (fair shares,
coefficients of variation, pace-of-change ceilings, savings shares) are pure functions of these inputs so that the
builder, the explanations and the tests all compute them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

TARGET_MODES = ("floor", "goal")


@dataclass(frozen=True, eq=False)
class DelegationData:
    """One delegation question: how much of each budget line may go to each consortium (pounds throughout)."""

    consortia: tuple[str, ...]
    """Consortium labels, in the order of the rows of every (consortia x lines) array."""
    lines: tuple[str, ...]
    """Budget line names, in the order of the columns."""
    amount: np.ndarray
    """Budget of each line held by the cluster (pounds), shape (lines,)."""
    delegable: np.ndarray
    """Whether each line may be delegated at all, shape (lines,)."""
    weighted_population: np.ndarray
    """Need-weighted population of each consortium for each line, shape (consortia, lines)."""
    population: np.ndarray
    """Registered patients of each consortium: the population its spend volatility scales with, shape (consortia,)."""
    readiness_cap: np.ndarray
    """Largest share of its fair share each consortium may be delegated, from its readiness tier, shape (consortia,)."""
    risk_cv: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Coefficient of variation of each line's annual spend at the reference population, shape (lines,)."""
    reference_population: float = 0.0
    """Population at which risk_cv is stated."""
    confidence_z: float = 1.645
    """Standard deviations of overspend the reserve must cover (1.645: a one-year overspend at 95% one-sided)."""
    reserve_available: float | None = None
    """Reserve the cluster may set against delegated budgets (pounds); None switches the risk rule off."""
    target_share: float | None = None
    """Delegation target as a share of the delegable budget; None switches the target off."""
    target_mode: str = "floor"
    """'floor': delegate at least the target; 'goal': delegate up to the target and no more."""
    fairness_weight: float = 0.0
    """Pounds of objective given up per unit of spread, per pound of delegable budget."""
    max_spread: float | None = None
    """Largest allowed spread between the most and least delegated consortia (share of fair share); None: no bound."""
    baseline: np.ndarray | None = None
    """Historic spend of each consortium on each line (pounds), shape (consortia, lines); None: no baseline."""
    pace: float | None = None
    """Largest move from baseline toward fair share in one year, as a share of baseline."""
    savings_delegated: float = 0.0
    """Part of the savings programme handed to consortia (pounds)."""
    savings_cap: float | None = None
    """Largest share of a consortium's delegated budget its savings may be."""

    def __post_init__(self):
        shape = (len(self.consortia), len(self.lines))
        for name in ("weighted_population",):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(f"{name} must have shape {shape}")
        if self.baseline is not None and np.shape(self.baseline) != shape:
            raise ValueError(f"baseline must have shape {shape}")
        if self.target_mode not in TARGET_MODES:
            raise ValueError(f"target_mode must be one of {TARGET_MODES}")

    def with_changes(self, **changes) -> "DelegationData":
        """A copy with some fields replaced (for what-if re-solves)."""
        return replace(self, **changes)

    @cached_property
    def fair_share(self) -> np.ndarray:
        """Line budget times the consortium's share of the cluster's weighted population for that line."""
        return fair_shares(self.amount, self.weighted_population)

    @cached_property
    def delegable_total(self) -> float:
        """Sum of the delegable lines' budgets (pounds)."""
        return float(np.asarray(self.amount)[np.asarray(self.delegable, dtype=bool)].sum())

    @cached_property
    def cv(self) -> np.ndarray:
        """Coefficient of variation of each consortium's spend on each line, shape (consortia, lines)."""
        return consortium_cv(self.risk_cv, self.reference_population, self.population, len(self.lines))

    @cached_property
    def pace_ceiling(self) -> np.ndarray | None:
        """Budget each consortium may hold on each line this year, moved from baseline by at most the pace."""
        if self.baseline is None or self.pace is None:
            return None
        return pace_ceiling(self.baseline, self.fair_share, self.pace)

    @cached_property
    def savings_due(self) -> np.ndarray | None:
        """Each consortium's part of the delegated savings, in proportion to its opportunity.

        Only consortia with a positive readiness cap share the savings: one that can be delegated nothing cannot
        carry a savings target.
        """
        if self.savings_cap is None or self.savings_delegated <= 0:
            return None
        eligible = np.asarray(self.readiness_cap) > 0
        return savings_shares(self.savings_delegated, self.baseline, self.fair_share, self.delegable, eligible)


def fair_shares(amount: np.ndarray, weighted_population: np.ndarray) -> np.ndarray:
    """Fair share of consortium c for line l: amount_l x wp[c, l] / sum over consortia of wp[:, l]."""
    weights = np.asarray(weighted_population, dtype=float)
    totals = weights.sum(axis=0)
    share = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    return share * np.asarray(amount, dtype=float)[None, :]


def consortium_cv(risk_cv: np.ndarray, reference_population: float, population: np.ndarray, n_lines: int) -> np.ndarray:
    """CV scaled from the reference population by 1/sqrt(population) (Crump et al. 1991)."""
    cv = np.asarray(risk_cv, dtype=float)
    pop = np.asarray(population, dtype=float)
    if cv.size == 0 or reference_population <= 0:
        return np.zeros((len(pop), n_lines))
    scale = np.sqrt(reference_population / np.maximum(pop, 1.0))
    return scale[:, None] * cv[None, :]


def pace_ceiling(baseline: np.ndarray, fair: np.ndarray, pace: float) -> np.ndarray:
    """baseline + (fair - baseline), the move clipped to at most pace x baseline either way."""
    base = np.asarray(baseline, dtype=float)
    step = np.clip(fair - base, -pace * base, pace * base)
    return base + step


def opportunity(baseline: np.ndarray | None, fair: np.ndarray, delegable: np.ndarray) -> np.ndarray:
    """Baseline spend above fair share on the delegable lines, per consortium (pounds)."""
    if baseline is None:
        return np.zeros(fair.shape[0])
    over = np.maximum(np.asarray(baseline, dtype=float) - fair, 0.0)
    return over[:, np.asarray(delegable, dtype=bool)].sum(axis=1)


def savings_shares(total: float, baseline: np.ndarray | None, fair: np.ndarray, delegable: np.ndarray,
                   eligible: np.ndarray | None = None) -> np.ndarray:
    """Split savings over eligible consortia by opportunity; with no opportunity anywhere, by fair share."""
    mask = np.ones(fair.shape[0], dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    weights = opportunity(baseline, fair, delegable) * mask
    if weights.sum() <= 0:
        weights = fair[:, np.asarray(delegable, dtype=bool)].sum(axis=1) * mask
    if weights.sum() <= 0:
        return np.zeros(fair.shape[0])
    return total * weights / weights.sum()
