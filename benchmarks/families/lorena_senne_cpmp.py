"""Lorena & Senne CPMP sets SJC1-SJC4b and p3038 (p 600..1000), real-valued Euclidean distances."""

from __future__ import annotations

from pathlib import Path

from benchmarks.families.cpmp_file import cpmp_case

FOLDER = "lorena_senne_cpmp"


def names(root: Path) -> list[str]:
    """SJC sets first, then p3038 by p."""
    stems = [p.stem for p in (root / FOLDER).glob("*.dat")]
    return sorted(stems, key=lambda s: (s.startswith("p3038"), len(s), s))


def load(root: Path, name: str):
    """The case: published values (two decimals) use unrounded distances."""
    return cpmp_case(root / FOLDER / f"{name}.dat", FOLDER, rounding="none")
