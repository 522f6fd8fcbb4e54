"""Adapters from each benchmark family's files to engine instances; `load_case(family, name)` is the entry point."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

FAMILIES = ("orlib_pmedcap1", "lorena_senne_cpmp", "orlib_pmed", "districting_county_2010_vbl",
            "districting_tract_2010_vbl", "nhs")

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "benchmarks"


def data_root() -> Path:
    """Folder holding the public families (BENCH_DATA overrides the shared default)."""
    return Path(os.environ.get("BENCH_DATA", DEFAULT_DATA))


def adapter(family: str):
    """The adapter module of a family."""
    if family not in FAMILIES:
        raise KeyError(f"unknown benchmark family {family!r}; known: {', '.join(FAMILIES)}")
    return import_module(f"benchmarks.families.{family}")


def case_names(family: str) -> list[str]:
    """Every case name the family offers, in a stable order."""
    return adapter(family).names(data_root())


def load_case(family: str, name: str):
    """Build the Case for one instance of a family."""
    return adapter(family).load(data_root(), name)
