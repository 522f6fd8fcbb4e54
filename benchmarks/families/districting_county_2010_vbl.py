"""US county-level districting, 2010 census (Validi, Buchanan, Lykhovyd): Hess objective, +-0.5 % population."""

from __future__ import annotations

from pathlib import Path

from benchmarks.families.districting_file import districting_case, state_names

FOLDER = "districting_county_2010_vbl"


def names(root: Path) -> list[str]:
    """<STATE>-cont and <STATE>-free for every state file."""
    return state_names(root / FOLDER)


def load(root: Path, name: str):
    """The case of one state and variant."""
    return districting_case(root / FOLDER, name)
