"""OR-Library pmed1-pmed40 (Beasley): uncapacitated p-median on graphs, shortest-path distances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from benchmarks.case import Case
from planner.geo import GivenMatrix
from planner.instance import instance_from_arrays
from planner.rules import Rules

FOLDER = "orlib_pmed"


def names(root: Path) -> list[str]:
    """pmed1 .. pmed40 in numeric order."""
    return sorted((p.stem for p in (root / FOLDER).glob("pmed*.txt")), key=lambda s: int(s[4:]))


def read_pmed(path: Path) -> tuple[int, int, dict[tuple[int, int], float]]:
    """(n, p, edge lengths by 0-based pair); a pair listed twice keeps its last length, as OR-Library says."""
    numbers = path.read_text().split()
    n, m, p = int(numbers[0]), int(numbers[1]), int(numbers[2])
    triples = np.array(numbers[3:3 + 3 * m], dtype=float).reshape(m, 3)
    lengths: dict[tuple[int, int], float] = {}
    for i, j, c in triples:
        a, b = int(i) - 1, int(j) - 1
        lengths[(min(a, b), max(a, b))] = c
    return n, p, lengths


def distances(n: int, lengths: dict[tuple[int, int], float]) -> np.ndarray:
    """All-pairs shortest paths over the graph."""
    rows = [a for a, _ in lengths] + [b for _, b in lengths]
    cols = [b for _, b in lengths] + [a for a, _ in lengths]
    values = list(lengths.values()) * 2
    graph = coo_matrix((values, (rows, cols)), shape=(n, n)).tocsr()
    return shortest_path(graph, method="D", directed=False)


def load(root: Path, name: str) -> Case:
    """The case: every vertex a client of weight 1 and a candidate median; no capacity, no contiguity."""
    n, p, lengths = read_pmed(root / FOLDER / f"{name}.txt")
    codes = [f"v{i + 1:03d}" for i in range(n)]
    edges = [(codes[a], codes[b]) for a, b in lengths if a != b]
    rules = Rules(consortia=p, contiguity=False)
    instance = instance_from_arrays(name, codes, np.ones(n, dtype=np.int64), edges, rules,
                                    metric=GivenMatrix(distances(n, lengths)))
    return Case(name=name, family=FOLDER, instance=instance, rules=rules,
                notes={"p": p, "distance": "shortest paths, last duplicate edge holds"})
