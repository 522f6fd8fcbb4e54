"""OR-Library pmedcap1 (Osman & Christofides): 20 single-source CPMPs, distances truncated to integers."""

from __future__ import annotations

from pathlib import Path

from benchmarks.families.cpmp_file import cpmp_case

FOLDER = "orlib_pmedcap1"


def names(root: Path) -> list[str]:
    """cpmp01 .. cpmp20."""
    return sorted(p.stem for p in (root / FOLDER).glob("cpmp*.txt"))


def load(root: Path, name: str):
    """The case: the literature optima are reproduced only with floor(Euclidean distance)."""
    return cpmp_case(root / FOLDER / f"{name}.txt", FOLDER, rounding="floor")
