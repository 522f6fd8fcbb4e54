"""The published record (reference.csv): optimal or best-known values, or proofs of infeasibility, with sources."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REFERENCE_CSV = Path(__file__).with_name("reference.csv")
KINDS = ("optimal", "best-known", "infeasible")
MATCH_TOLERANCE = 0.005
"""Absolute slack when matching a published value: the literature prints two decimals."""


@dataclass(frozen=True)
class Reference:
    """One published value for one instance of a family."""

    instance: str
    family: str
    value: float | None
    kind: str
    citation: str


def load_references(path: Path = REFERENCE_CSV) -> dict[tuple[str, str], Reference]:
    """References keyed by (family, instance)."""
    table = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            value = float(row["value"]) if row["value"].strip() else None
            table[(row["family"], row["instance"])] = Reference(row["instance"], row["family"], value,
                                                               row["kind"], row["citation"])
    return table


def matches(value: float | None, reference: Reference | None) -> bool | None:
    """Whether our value reproduces the published one (None when there is nothing to compare)."""
    if reference is None or reference.value is None or value is None:
        return None
    return abs(value - reference.value) <= MATCH_TOLERANCE + 1e-9 * abs(reference.value)
