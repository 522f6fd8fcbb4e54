"""Write the delegation inputs of west-cheshire and sandwell-west-birmingham from their cited figures.

Each total is a real published figure; its split over budget lines is an illustrative assumption (LINE_SHARES),
stated in each instance's DELEGATION.md. Rebuilding gives byte-identical files.

Run: python instances/build_delegation_inputs.py
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "data" / "england-practices"

LINE_SHARES = {
    # line: (share of the cluster budget, delegable, risk_cv at 179,400 patients, note)
    "acute": (0.46, True, 0.018, "risk_cv 1.8% at 179,400 from Crump et al. 1991"),
    "community": (0.09, True, 0.010, "risk_cv assumed (block contracts vary less)"),
    "mental_health": (0.10, True, 0.015, "risk_cv assumed"),
    "prescribing": (0.10, True, 0.010, "risk_cv assumed (many small items)"),
    "continuing_care": (0.03, True, 0.040, "risk_cv assumed (a few high-cost packages)"),
    "primary_medical_care": (0.10, False, 0.005, "retained: GP contracts pass to the NHS Commissioning Board; "
                                                 "risk_cv assumed"),
    "specialised": (0.08, False, 0.040, "retained: specialised contracts stay with the cluster; risk_cv assumed"),
    "public_health": (0.04, False, 0.010, "retained: passes to local authorities; risk_cv assumed"),
}
"""Illustrative split of a PCT cluster's budget: delegable lines sum to 78%, close to West Cheshire CCG's
2013/14 allocation of £308.3m against the £400m PCT budget (77%)."""

WEST_CHESHIRE_BUDGET = 400_000_000
"""News account, 2011: the PCT cluster delegated 60% of a £400m budget to a single consortium."""


def sandwell_delegable_total() -> float:
    """Registered list (QOF 2014-15) x mean 2013/14 CCG allocation per head of the complete rows of
    ccg_allocations_2013_14_partial.csv (a proxy: Sandwell's own allocation is not in the data)."""
    rows = [r for r in csv.DictReader(open(SHARED / "ccg_allocations_2013_14_partial.csv", encoding="utf-8"))
            if r["level"] == "CCG" and r["allocation_2013_14_gbp_per_head"]]
    per_head = sum(float(r["allocation_2013_14_gbp000"]) * 1000 for r in rows) / \
        sum(float(r["raw_population"]) for r in rows)
    patients = sum(int(r["list_size"]) for r in csv.DictReader(
        open(HERE / "sandwell-west-birmingham" / "practices.csv", encoding="utf-8")))
    return per_head * patients


def budget_rows(total: float, source: str) -> list[list]:
    """One row per line: the total times the line's illustrative share."""
    return [[line, round(total * share), str(delegable).lower(), cv, f"{source}; {share:.0%} share assumed; {note}"]
            for line, (share, delegable, cv, note) in LINE_SHARES.items()]


def sandwell_baseline(total_delegable: float) -> list[list]:
    """Historic spend: each delegable line split by the localities' QOF 2013-14 lists (last year's budgets)."""
    folder = HERE / "sandwell-west-birmingham"
    plan = {r["practice_code"]: r["consortium"] for r in csv.DictReader(open(folder / "plans" / "localities_3.csv"))}
    last_year: dict[str, float] = {}
    for row in csv.DictReader(open(SHARED / "practices_2014_15.csv", encoding="utf-8")):
        if row["practice_code"] in plan:
            name = plan[row["practice_code"]]
            last_year[name] = last_year.get(name, 0.0) + float(row["qof_list_size_2013_14"] or 0)
    everyone = sum(last_year.values())
    delegable_share = sum(s for s, d, _, _ in LINE_SHARES.values() if d)
    rows = []
    for name in sorted(last_year):
        for line, (share, delegable, _, _) in LINE_SHARES.items():
            if delegable:
                amount = total_delegable / delegable_share * share * last_year[name] / everyone
                rows.append([name, line, round(amount)])
    return rows


def write(path: Path, header: list[str], rows: list[list]) -> None:
    """CSV with a header."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    """Write budget.csv (both), baseline.csv and readiness.csv (Sandwell)."""
    header = ["line", "amount_gbp", "delegable", "risk_cv", "source"]
    write(HERE / "west-cheshire" / "budget.csv", header,
          budget_rows(WEST_CHESHIRE_BUDGET, "£400m West Cheshire PCT cluster budget (news account 2011)"))
    delegable = sandwell_delegable_total()
    delegable_share = sum(s for s, d, _, _ in LINE_SHARES.values() if d)
    folder = HERE / "sandwell-west-birmingham"
    write(folder / "budget.csv", header, budget_rows(
        delegable / delegable_share, "delegable lines = 549,398 patients x £1,211.76 mean 2013/14 CCG allocation "
                                     "per head (ccg_allocations_2013_14_partial.csv)"))
    write(folder / "baseline.csv", ["consortium", "line", "amount_gbp"], sandwell_baseline(delegable))
    write(folder / "readiness.csv", ["consortium", "tier"],
          [[name, "pathfinder"] for name in ("sandwell-east", "sandwell-west", "west-birmingham")])


if __name__ == "__main__":
    main()
