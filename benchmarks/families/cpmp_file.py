"""Reader of the Lorena-Senne capacitated p-median layout shared by `orlib_pmedcap1` and `lorena_senne_cpmp`.

Layout: `n p` on the first line, then one `x y capacity demand` line per node (every node a candidate median).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.case import Case
from planner.errors import InputError
from planner.geo import Planar
from planner.instance import instance_from_arrays
from planner.rules import Rules


def read_cpmp(path: Path) -> tuple[int, np.ndarray]:
    """(p, rows) where rows is an n x 4 array of x, y, capacity, demand."""
    numbers = path.read_text().split()
    n, p = int(numbers[0]), int(numbers[1])
    rows = np.array(numbers[2:2 + 4 * n], dtype=float).reshape(n, 4)
    if len(rows) != n:
        raise InputError(path, f"expected {n} node lines")
    return p, rows


def cpmp_case(path: Path, family: str, rounding: str) -> Case:
    """A single-source CPMP as an engine instance: demand as weight, capacity as max population, cost sum of d."""
    p, rows = read_cpmp(path)
    capacities = {int(c) for c in rows[:, 2]}
    if len(capacities) != 1:
        raise InputError(path, "the engine needs one capacity for every median", detail=f"got {sorted(capacities)}")
    x, y = rows[:, 0], rows[:, 1]
    codes = [f"n{i:04d}" for i in range(len(rows))]
    rules = Rules(consortia=p, max_population=capacities.pop(), contiguity=False, unweighted_cost=True)
    instance = instance_from_arrays(path.stem, codes, rows[:, 3].astype(np.int64), [], rules,
                                    metric=Planar(x, y, rounding=rounding))
    return Case(name=path.stem, family=family, instance=instance, rules=rules, coordinates=(x, y),
                notes={"p": p, "distance": f"euclidean, rounding={rounding}"})
