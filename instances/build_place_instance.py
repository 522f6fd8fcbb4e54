"""Build a place-based delegation instance: one ICB, its sub-ICB places as consortia, 2024/25 weighted populations.

Usage: python instances/build_place_instance.py [--icb QF7] [--name south-yorkshire-2024] [--data DIR]

Reads practices_2024_25_weighted_population.csv (NHS England allocation model, via nhsx/AIF_Allocation_Tool; see
the data README) and writes instances/<name>/: practices.csv, edges.csv, plans/sub_icb_2024.csv, budget.csv,
instance.toml and SOURCE.md. The output depends only on the input file, so rebuilding is byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from planner.adjacency import build_adjacency  # noqa: E402

DATA_FILE = "practices_2024_25_weighted_population.csv"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "england-practices"

CORE_GBP_PER_HEAD = 1732
"""2024/25 core services allocations, about £1,732 per registered patient in England (House of Commons Library,
CBP-10031). Weighted populations are scaled to the national population, so this is also £ per weighted head."""
PMC_GBP_PER_HEAD = 180
"""2024/25 primary medical care allocations, about £180 per patient in England (House of Commons Library, CBP-10031)."""

LINES = {
    # line: (source column, funding stream, share of the stream, delegable, risk_cv at 179,400, note on the share)
    "general_acute": ("wp_general_acute_2024_25", "core", 0.64, True, 0.018, "assumed"),
    "community": ("wp_community_2024_25", "core", 0.10, True, 0.010, "assumed"),
    "mental_health": ("wp_mental_health_2024_25", "core", 0.11, True, 0.015,
                      "about 11% of core CCG allocations: NHS England via NIHR ARC Greater Manchester, 2019"),
    "maternity": ("wp_maternity_2024_25", "core", 0.02, True, 0.030, "assumed"),
    "prescribing": ("wp_prescribing_2024_25", "core", 0.11, True, 0.010, "assumed"),
    "health_inequalities": ("wp_health_inequalities_2024_25", "core", 0.02, True, 0.010, "assumed"),
    "primary_medical_care": ("wp_primary_medical_care_2024_25", "pmc", 1.00, True, 0.005,
                             "the whole primary medical care stream"),
}
"""Seven budget lines, each weighted by its own 2024/25 need-weighted population."""

RESERVE_SHARE = 0.005
"""Illustrative: the ICB sets 0.5% of the budget against delegated place budgets."""
MAX_SPREAD = 0.05
"""Illustrative: place budgets may differ by at most 5 percentage points of fair share."""


def slug(name: str) -> str:
    """'NHS Barnsley CCG' -> 'barnsley'."""
    core = re.sub(r"^NHS\s+|\s+CCG$", "", name.strip())
    return re.sub(r"[^a-z0-9]+", "-", core.lower()).strip("-")


def select(data: pd.DataFrame, icb: str) -> tuple[pd.DataFrame, int]:
    """The ICB's practices, in code order, without those whose rounded population is 0."""
    rows = data[data["icb_code"] == icb].sort_values("practice_code").reset_index(drop=True)
    if rows.empty:
        raise SystemExit(f"no practices with icb_code {icb}")
    rows["list_size"] = rows["pop_2024_25"].round().astype(int)
    dropped = int((rows["list_size"] == 0).sum())
    return rows[rows["list_size"] > 0].reset_index(drop=True), dropped


def write_csv(path: Path, header: list[str], rows) -> None:
    """CSV with a header, UTF-8, Unix newlines."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def budget(rows: pd.DataFrame) -> list[list]:
    """One row per line: national £ per weighted head of its stream x share x the ICB's weighted population."""
    out = []
    for line, (column, stream, share, delegable, cv, note) in LINES.items():
        per_head = CORE_GBP_PER_HEAD if stream == "core" else PMC_GBP_PER_HEAD
        weighted = float(rows[column].sum())
        amount = round(per_head * share * weighted)
        source = (f"£{per_head:,} per weighted head ({'core services' if stream == 'core' else 'primary medical care'}"
                  f" 2024/25, House of Commons Library CBP-10031) x {share:.0%} ({note}) x {weighted:,.0f} "
                  f"weighted population ({column})")
        out.append([line, amount, str(delegable).lower(), cv, source])
    return out


def practices_rows(rows: pd.DataFrame) -> list[list]:
    """practices.csv rows in the planner's format, with weighted_population and wp_<line> columns."""
    out = []
    for _, r in rows.iterrows():
        out.append([r["practice_code"], r["practice_name"], f"{r['latitude']:.6f}", f"{r['longitude']:.6f}",
                    int(r["list_size"]), r["lad_code"], "", f"{r['final_wp_2024_25']:.2f}"]
                   + [f"{r[column]:.2f}" for column, *_ in LINES.values()])
    return out


def instance_toml(name: str, icb_name: str, places: int, total: float) -> str:
    """instance.toml: identity, source, rules and the delegation policy."""
    return f"""name = "{name}"
title = "{icb_name}: its {places} sub-ICB places as consortia (2024/25 weighted populations)"

[source]
data = "../shared/data/england-practices/{DATA_FILE} (NHS England 2024/25 allocation model via nhsx/AIF_Allocation_Tool)"
licence = "Open Government Licence v3"
built_by = "instances/build_place_instance.py"
notes = "See SOURCE.md beside this file."

[rules]
consortia = {places}
contiguity = false

# Place-based delegation: every line delegable, every place authorised (no readiness.csv). The ICB sets
# {RESERVE_SHARE:.1%} of the £{total / 1e6:,.1f}m budget against delegated place budgets (illustrative) and
# allows place budgets to differ by at most {MAX_SPREAD:.0%} of fair share (illustrative).
[delegation]
reference_population = 179400
confidence_z = 1.645
risk_reserve_gbp = {round(RESERVE_SHARE * total)}
reserve_cap = 1.0
max_spread = {MAX_SPREAD}

[delegation.tiers]
emerging = 0.0
pathfinder = 0.75
authorised = 1.0
"""


def source_md(name: str, icb: str, icb_name: str, rows: pd.DataFrame, dropped: int, places: dict,
              edges: int, sha256: str, lines: list[list]) -> str:
    """SOURCE.md: where every column and every £ figure comes from."""
    place_lines = "\n".join(
        f"- `{slug(n)}` ({code}, {n}): {int((rows['sub_icb_ccg_code'] == code).sum())} practices, "
        f"{int(rows.loc[rows['sub_icb_ccg_code'] == code, 'list_size'].sum()):,} patients"
        for code, n in places.items())
    budget_lines = "\n".join(f"- `{r[0]}`: £{r[1]:,} ({r[4]})" for r in lines)
    total = sum(r[1] for r in lines)
    return f"""# Instance `{name}`

{icb_name} ({icb}): its GP practices and its sub-ICB places (the 2021 CCGs) as consortia, with NHS England's
2024/25 need-weighted populations per allocation component as budget lines. Built by
`instances/build_place_instance.py`; rebuilding from the same data gives byte-identical files.

## Source data

`{DATA_FILE}` in the project's shared data set `england-practices` (file SHA-256 `{sha256}`): NHS England's
2023/24-2024/25 allocation round (published January 2023), practice level, via repository
`nhsx/AIF_Allocation_Tool` (HEAD `aecad8a58328501f4fb6de99241ce23cf1d7785d`). Open Government Licence v3,
Crown copyright. See the data README for its columns.

## Selection

Practices with `icb_code` {icb}: {len(rows) + dropped} in the source; {dropped} dropped because their projected
2024/25 population rounds to 0; {len(rows)} kept. Places:

{place_lines}

## Files

- `practices.csv`: `practice_code`, `practice_name`, `latitude`, `longitude` (WGS84, as in the source),
  `list_size` = round(`pop_2024_25`), `lad_code`, `interests` (empty), `weighted_population` =
  `final_wp_2024_25` (core services), and `wp_<line>` = the source's `wp_<component>_2024_25` for the seven lines.
- `edges.csv`: {edges} edges from `planner.adjacency.build_adjacency` on this instance's coordinates.
- `plans/sub_icb_2024.csv`: each practice's sub-ICB place (`sub_icb_ccg_code`), named by place.
- `budget.csv`: seven lines; `delegable` true for all; `risk_cv` assumed (general and acute from Crump et al. 1991,
  1.8% at 179,400 patients).

## Where each £ figure comes from

The source has weighted populations but no £. Each line's £ is a national £ per weighted head times this ICB's
weighted population for that line: because NHS England scales every weighted population so that the national
total equals the national population, the national £ per patient is also the national £ per weighted head.

- Core services: about £{CORE_GBP_PER_HEAD:,} per registered patient in 2024/25; primary medical care: about
  £{PMC_GBP_PER_HEAD} per patient (House of Commons Library, *NHS funding: ICB allocations*, CBP-10031).
- The split of core services over the six core components is an **illustrative assumption**, except mental health
  (about 11% of core CCG allocations: NHS England, cited by NIHR ARC Greater Manchester, 2019).
- The result is a fair-shares **target** at national average prices, not the ICB's actual allocation (which
  carries its distance from target and the market forces factor). Cross-check: NHS South Yorkshire ICB's total
  2025/26 allocation, all funding streams, was £3,108,129,000 (written parliamentary answer, 2025).

{budget_lines}

Total: £{total:,}.

The risk reserve ({RESERVE_SHARE:.1%} of the total) and the fairness bound ({MAX_SPREAD:.0%}) in `instance.toml`
are illustrative policy settings.
"""


def main() -> None:
    """Build the instance folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icb", default="QF7")
    parser.add_argument("--name", default="south-yorkshire-2024")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    path = args.data / DATA_FILE
    data = pd.read_csv(path, dtype={"practice_code": str, "sub_icb_ccg_code": str})
    rows, dropped = select(data, args.icb)
    places = dict(sorted(zip(rows["sub_icb_ccg_code"], rows["sub_icb_ccg_name"])))
    if not 3 <= len(places) <= 9:
        raise SystemExit(f"{args.icb} has {len(places)} places; pick an ICB with 3 to 9")
    folder = REPO_ROOT / "instances" / args.name
    (folder / "plans").mkdir(parents=True, exist_ok=True)
    header = ["practice_code", "practice_name", "latitude", "longitude", "list_size", "lad_code", "interests",
              "weighted_population"] + [f"wp_{line}" for line in LINES]
    write_csv(folder / "practices.csv", header, practices_rows(rows))
    edges = build_adjacency(list(rows["practice_code"]), rows["latitude"].to_numpy(), rows["longitude"].to_numpy())
    write_csv(folder / "edges.csv", ["practice_a", "practice_b"], edges)
    write_csv(folder / "plans" / "sub_icb_2024.csv", ["practice_code", "consortium"],
              [[code, slug(places[sub])] for code, sub in zip(rows["practice_code"], rows["sub_icb_ccg_code"])])
    lines = budget(rows)
    write_csv(folder / "budget.csv", ["line", "amount_gbp", "delegable", "risk_cv", "source"], lines)
    icb_name = str(rows["icb_name"].iloc[0])
    total = float(sum(r[1] for r in lines))
    (folder / "instance.toml").write_text(instance_toml(args.name, icb_name, len(places), total), encoding="utf-8")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "SOURCE.md").write_text(
        source_md(args.name, args.icb, icb_name, rows, dropped, places, len(edges), sha256, lines), encoding="utf-8")
    print(f"{args.name}: {len(rows)} practices ({dropped} dropped), {len(places)} places, {len(edges)} edges, "
          f"budget £{total:,.0f}")


if __name__ == "__main__":
    main()
