"""Regressions of a results document against an earlier one: worse answers, lost proofs, slower solves."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RANK = {"optimal": 3, "infeasible": 3, "time_limit": 2, "no_plan": 1, "too_large": 0, "error": 0, "overran": 0}


@dataclass(frozen=True)
class Tolerances:
    """How much worse a result may get before it counts as a regression."""

    quality: float = 1e-6
    """Relative increase of the objective allowed."""
    time_ratio: float = 1.5
    """New seconds may be up to this multiple of the old..."""
    time_slack: float = 5.0
    """...plus these seconds (small solves jitter)."""


@dataclass(frozen=True)
class Regression:
    """One instance that got worse, and how."""

    family: str
    instance: str
    kind: str
    old: object
    new: object

    def __str__(self) -> str:
        return f"{self.family}/{self.instance}: {self.kind} {self.old} -> {self.new}"


def load_document(path: Path) -> dict:
    """A results document written by `consortia bench --out`."""
    return json.loads(Path(path).read_text())


def regressions(old: dict, new: dict, tolerances: Tolerances = Tolerances()) -> list[Regression]:
    """Instances present in both documents whose status, objective or time got worse beyond the tolerances."""
    before = {(r["family"], r["instance"]): r for r in old["results"]}
    found = []
    for row in new["results"]:
        key = (row["family"], row["instance"])
        if key not in before:
            continue
        found += _compare_rows(before[key], row, tolerances)
    return found


def _compare_rows(old: dict, new: dict, tol: Tolerances) -> list[Regression]:
    """Regressions of one instance."""
    def regression(kind, a, b):
        return Regression(new["family"], new["instance"], kind, a, b)

    found = []
    if RANK.get(new["status"], 0) < RANK.get(old["status"], 0) or \
            {old["status"], new["status"]} == {"optimal", "infeasible"}:
        found.append(regression("status", old["status"], new["status"]))
    if old.get("verified") and new.get("verified") is False:
        found.append(regression("verified", True, False))
    if old.get("value") is not None and new.get("value") is not None and \
            new["value"] > old["value"] + tol.quality * abs(old["value"]):
        found.append(regression("objective", old["value"], new["value"]))
    if new["seconds"] > old["seconds"] * tol.time_ratio + tol.time_slack:
        found.append(regression("seconds", old["seconds"], new["seconds"]))
    return found
