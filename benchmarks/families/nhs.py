"""Our own NHS instances (instances/<name>/), each with the default rules of its instance.toml."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.case import Case
from planner.geo import EARTH_RADIUS_KM
from planner.instance import load_instance

INSTANCES = Path(__file__).resolve().parents[2] / "instances"


def names(_root: Path) -> list[str]:
    """Every bundled instance folder, smallest first."""
    folders = [p for p in INSTANCES.iterdir() if (p / "instance.toml").is_file()]
    return [p.name for p in sorted(folders, key=lambda p: (p / "practices.csv").stat().st_size)]


def load(_root: Path, name: str) -> Case:
    """The case: the instance's own rules; km-scale planar coordinates for peers that cluster on them."""
    instance = load_instance(INSTANCES / name)
    lat = np.radians(instance.practices["latitude"].to_numpy(float))
    lon = np.radians(instance.practices["longitude"].to_numpy(float))
    x = EARTH_RADIUS_KM * lon * np.cos(lat.mean())
    y = EARTH_RADIUS_KM * lat
    return Case(name=name, family="nhs", instance=instance, rules=instance.rules, coordinates=(x, y),
                notes={"p": instance.rules.consortia_range, "distance": "great-circle km x patients"})
