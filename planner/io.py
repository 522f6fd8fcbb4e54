"""Reading CSV inputs with named columns, and writing outputs atomically (temporary name, then rename)."""

from __future__ import annotations

import csv
import difflib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from planner.errors import InputError


def read_table(path: Path, required: list[str], optional: list[str] = ()) -> pd.DataFrame:
    """Read a CSV as strings, insisting on the required columns and naming any misspelt one."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(path, "not a readable CSV file", detail=str(error).strip()) from None
    except pd.errors.EmptyDataError:
        raise InputError(path, "file is empty; expected a header row with " + ", ".join(required)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    known = set(required) | set(optional)
    for column in required:
        if column not in frame.columns:
            strays = [c for c in frame.columns if c not in known]
            hint = difflib.get_close_matches(column, strays, n=1, cutoff=0.6)
            detail = f"found '{hint[0]}': did you mean '{column}'?" if hint else \
                "columns present: " + ", ".join(frame.columns)
            raise InputError(path, f"missing required column '{column}'", row=1, detail=detail)
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    return frame


def row_number(index: int) -> int:
    """Spreadsheet row of a data row: the header is row 1, the first data row is row 2."""
    return int(index) + 2


@contextmanager
def atomic_directory(target: Path):
    """Yield a temporary directory beside target; on success it replaces target, on error it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        backup = target.with_name(f".{target.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(target, backup)
        os.replace(staging, target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(staging, target)


def write_csv(path: Path, header: list[str], rows) -> None:
    """Write rows under a header to a CSV file."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_json(path: Path, data) -> None:
    """Write data as indented JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, default=_json_default)
        handle.write("\n")


def _json_default(value):
    """Convert numpy scalars and other simple objects for JSON."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
