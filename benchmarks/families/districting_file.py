"""Reader of the Validi-Buchanan-Lykhovyd districting JSON shared by the county and tract families.

Hess model: k districts, population in [L, U], cost pop_i x (d_ij / 1000)^2 with d in integer km, so the engine's
raw cost is on the scale of the published tables. Each state gives two cases: `<ST>-cont` (contiguity) and
`<ST>-free` (none).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks.case import Case
from planner.geo import GivenMatrix
from planner.instance import instance_from_arrays
from planner.rules import Rules

VARIANTS = {"cont": True, "free": False}


def state_names(folder: Path) -> list[str]:
    """Both variants of every state file in the folder."""
    states = sorted(p.stem for p in folder.glob("*.json"))
    return [f"{state}-{variant}" for state in states for variant in VARIANTS]


def split_name(name: str) -> tuple[str, bool]:
    """('AL', True) from 'AL-cont'."""
    state, _, variant = name.partition("-")
    if variant not in VARIANTS:
        raise KeyError(f"case {name!r}: expected <STATE>-cont or <STATE>-free")
    return state, VARIANTS[variant]


def km_matrix(data: dict) -> np.ndarray:
    """Integer-km distances: the file's matrix when present, else rounded from the projected centroids."""
    if "dist_km" in data:
        return np.asarray(data["dist_km"], dtype=float)
    x = np.array([node["x"] for node in data["nodes"]])
    y = np.array([node["y"] for node in data["nodes"]])
    return np.floor(np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) / 1000.0 + 0.5)


def districting_case(folder: Path, name: str) -> Case:
    """The Hess case of one state, with contiguity as the name says."""
    state, contiguity = split_name(name)
    data = json.loads((folder / f"{state}.json").read_text())
    nodes = data["nodes"]
    codes = [str(node["geoid"]) for node in nodes]
    edges = [(codes[u], codes[v]) for u, v in data["edges"]]
    rules = Rules(consortia=int(data["k"]), min_population=int(data["L"]), max_population=int(data["U"]),
                  contiguity=contiguity, distance_power=2)
    instance = instance_from_arrays(name, codes, [int(node["pop"]) for node in nodes], edges, rules,
                                    metric=GivenMatrix(km_matrix(data) / 1000.0),
                                    latitude=[node["lat"] for node in nodes],
                                    longitude=[node["lon"] for node in nodes])
    x = np.array([node["x"] for node in nodes])
    y = np.array([node["y"] for node in nodes])
    return Case(name=name, family=folder.name, instance=instance, rules=rules, coordinates=(x, y),
                notes={"p": int(data["k"]), "distance": "integer km / 1000, squared, times population"})
