"""Budget delegation LP: how much of which budget line can go to which consortium, and what stops more."""

from models.delegation.builder import RULES, build_model
from models.delegation.data import DelegationData
from models.delegation.solve import DelegationSolution, SolverFailure, solve

__all__ = ["RULES", "DelegationData", "DelegationSolution", "SolverFailure", "build_model", "solve"]
