"""Row-by-row checks of instance inputs; each failure names the file, the row and the rule broken."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.io import read_table, row_number

PRACTICE_COLUMNS = ["practice_code", "practice_name", "latitude", "longitude", "list_size"]
PRACTICE_OPTIONAL = ["lad_code", "interests", "weighted_population"]
EDGE_COLUMNS = ["practice_a", "practice_b"]
PLAN_COLUMNS = ["practice_code", "consortium"]
_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")


def read_practices(path: Path) -> pd.DataFrame:
    """Read and check practices.csv; returns typed columns, practice_code as the index order of the file."""
    frame = read_table(path, PRACTICE_COLUMNS, PRACTICE_OPTIONAL + ["wp_*"])
    if frame.empty:
        raise InputError(path, "no practices: the file has a header but no rows")
    seen: dict[str, int] = {}
    for index, code in enumerate(frame["practice_code"]):
        if not code:
            raise InputError(path, "practice_code is empty", row=row_number(index))
        if code in seen:
            raise InputError(path, f"duplicate practice_code '{code}'", row=row_number(index),
                             detail=f"first seen at row {seen[code]}")
        seen[code] = row_number(index)
    list_size = []
    for index, text in enumerate(frame["list_size"]):
        if not _INTEGER.match(text):
            raise InputError(path, "list_size must be a whole number of patients", row=row_number(index),
                             detail=f"practice {frame['practice_code'].iat[index]}: got {text!r}")
        value = int(float(text))
        if value <= 0:
            raise InputError(path, "list_size must be greater than 0", row=row_number(index),
                             detail=f"practice {frame['practice_code'].iat[index]}: got {value}")
        list_size.append(value)
    typed = pd.DataFrame({
        "practice_code": frame["practice_code"],
        "practice_name": frame["practice_name"],
        "latitude": _coordinates(frame, "latitude", -90, 90, path),
        "longitude": _coordinates(frame, "longitude", -180, 180, path),
        "list_size": np.array(list_size, dtype=np.int64),
    })
    typed["lad_code"] = frame["lad_code"] if "lad_code" in frame else ""
    typed["interests"] = frame["interests"] if "interests" in frame else ""
    numeric = [c for c in frame.columns if c == "weighted_population" or c.startswith("wp_")]
    for column in numeric:
        typed[column] = _non_negative(frame, column, path)
    return typed.reset_index(drop=True)


def _coordinates(frame, column, low, high, path) -> np.ndarray:
    """Parse a coordinate column, rejecting blanks, text and values out of range."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    for index, value in enumerate(values):
        if not np.isfinite(value) or not (low <= value <= high):
            raise InputError(path, f"{column} must be a number from {low} to {high} (WGS84 degrees)",
                             row=row_number(index),
                             detail=f"practice {frame['practice_code'].iat[index]}: got {frame[column].iat[index]!r}")
    return values


def _non_negative(frame, column, path) -> np.ndarray:
    """Parse an optional numeric column that must be zero or more."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    for index, value in enumerate(values):
        if not np.isfinite(value) or value < 0:
            raise InputError(path, f"{column} must be a number of at least 0", row=row_number(index),
                             detail=f"practice {frame['practice_code'].iat[index]}: got {frame[column].iat[index]!r}")
    return values


def read_edges(path: Path, codes: set[str]) -> list[tuple[str, str]]:
    """Read edges.csv: each row joins two known, different practices; duplicates are merged."""
    frame = read_table(path, EDGE_COLUMNS)
    edges = set()
    for index, (a, b) in enumerate(zip(frame["practice_a"], frame["practice_b"])):
        for code in (a, b):
            if code not in codes:
                raise InputError(path, f"edge names unknown practice '{code}'", row=row_number(index),
                                 detail="every practice_a and practice_b must appear in practices.csv")
        if a == b:
            raise InputError(path, f"edge joins practice '{a}' to itself", row=row_number(index))
        edges.add((min(a, b), max(a, b)))
    return sorted(edges)


def read_plan(path: Path, codes: list[str]) -> dict[str, str]:
    """Read a plan (practice_code,consortium) that must place every practice exactly once."""
    frame = read_table(path, PLAN_COLUMNS)
    known = set(codes)
    assignment: dict[str, str] = {}
    for index, (code, consortium) in enumerate(zip(frame["practice_code"], frame["consortium"])):
        if code not in known:
            raise InputError(path, f"plan names unknown practice '{code}'", row=row_number(index))
        if code in assignment:
            raise InputError(path, f"practice '{code}' appears twice in the plan", row=row_number(index),
                             detail="every practice belongs to exactly one consortium")
        if not consortium:
            raise InputError(path, f"practice '{code}' has an empty consortium", row=row_number(index))
        assignment[code] = consortium
    missing = [c for c in codes if c not in assignment]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InputError(path, f"plan leaves {len(missing)} practice(s) out", detail=shown)
    return assignment
