"""Build plans/localities_3.csv for sandwell-west-birmingham: three contiguous localities, reproducibly.

West Birmingham is every practice whose postcode lies in Birmingham (lad_code E08000025). The rest (Sandwell,
E08000028, and one practice with a Dudley postcode, E08000027) is cut into Sandwell West and Sandwell East at the
list-weighted median longitude: practices sorted by longitude (then code), West takes them until it holds half of
the patients. The script checks that each locality is connected in the instance's edges.csv.

Run: python instances/build_sandwell_localities.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

FOLDER = Path(__file__).parent / "sandwell-west-birmingham"
BIRMINGHAM = "E08000025"


def localities(practices: list[dict]) -> dict[str, str]:
    """Practice code -> locality name."""
    plan = {p["practice_code"]: "west-birmingham" for p in practices if p["lad_code"] == BIRMINGHAM}
    sandwell = sorted((p for p in practices if p["lad_code"] != BIRMINGHAM),
                      key=lambda p: (float(p["longitude"]), p["practice_code"]))
    half, running = sum(int(p["list_size"]) for p in sandwell) / 2, 0
    for p in sandwell:
        plan[p["practice_code"]] = "sandwell-west" if running < half else "sandwell-east"
        running += int(p["list_size"])
    return plan


def main() -> None:
    """Write the plan and report each locality's size and connectedness."""
    practices = list(csv.DictReader(open(FOLDER / "practices.csv", encoding="utf-8")))
    plan = localities(practices)
    graph = nx.Graph()
    graph.add_nodes_from(plan)
    graph.add_edges_from((e["practice_a"], e["practice_b"]) for e in csv.DictReader(open(FOLDER / "edges.csv")))
    sizes = {p["practice_code"]: int(p["list_size"]) for p in practices}
    for name in sorted(set(plan.values())):
        members = [c for c in plan if plan[c] == name]
        connected = nx.is_connected(graph.subgraph(members))
        print(f"{name}: {len(members)} practices, {sum(sizes[c] for c in members):,} patients, "
              f"connected {connected}")
        if not connected:
            raise SystemExit(f"{name} is not contiguous in edges.csv")
    (FOLDER / "plans").mkdir(exist_ok=True)
    with open(FOLDER / "plans" / "localities_3.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["practice_code", "consortium"])
        writer.writerows(sorted(plan.items()))


if __name__ == "__main__":
    main()
