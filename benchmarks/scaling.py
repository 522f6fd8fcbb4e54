"""The scaling table from solve summaries: first verified plan, time to a 5 % and a 1 % gap, and the end.

Usage: python -m benchmarks.scaling benchmarks/results/scaling/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GAPS = (0.05, 0.01)


def time_to_gap(trajectory: list[dict], gap: float) -> float | None:
    """Seconds of the first step whose incumbent is within `gap` of the bound known then, or None."""
    for step in trajectory:
        incumbent, bound = step.get("incumbent"), step.get("bound")
        if incumbent is None or bound is None:
            continue
        if incumbent - bound <= gap * abs(incumbent) + 1e-12:
            return float(step["seconds"])
    return None


def row(name: str, summary: dict) -> list[str]:
    """One table row: name, first plan, time to each gap, and the final objective, bound and gap."""
    trajectory = summary.get("trajectory") or []
    first = f"{trajectory[0]['seconds']:.1f} s" if trajectory else "-"
    reached = [time_to_gap(trajectory, gap) for gap in GAPS]
    times = [f"{t:.1f} s" if t is not None else "not reached" for t in reached]
    end = f"{summary['objective']:.6f}, bound {summary['bound']:.6f}, gap {100 * summary['gap']:.2f} %"
    return [name, first, *times, end]


def main(paths: list[str]) -> int:
    """Print the markdown table for the given summary.json files; a file that cannot be read as a solve
    summary is named on stderr and the exit code is 2, with nothing printed."""
    rows = []
    for path in map(Path, paths):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            name = path.parent.name if path.stem == "summary" else path.stem
            rows.append(row(name, summary))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            print(f"error: {path}: not a readable solve summary ({type(error).__name__}: {error})",
                  file=sys.stderr)
            return 2
    print("| run | first plan | 5 % gap | 1 % gap | at the end |")
    print("|---|---|---|---|---|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
