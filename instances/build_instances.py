"""Build the bundled problem instances from the public England practice table.

Usage: python instances/build_instances.py [--data DIR] [--only NAME]

Reads practices_2014_15.csv (see the data README) and writes, per instance,
practices.csv, edges.csv, plans/ccg_2015.csv and SOURCE.md under
instances/<name>/. Output depends only on the input data, so rebuilding is
byte-identical. instance.toml files are maintained separately and never
touched here.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from planner.adjacency import (  # noqa: E402
    DEFAULT_MAX_EDGE_KM,
    DEFAULT_PRUNE_FACTOR,
    SLIVER_ANGLE_DEG,
    adjacency_details,
)

DATA_FILE = "practices_2014_15.csv"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "england-practices"
EARTH_RADIUS_KM = 6371.0088

INSTANCES = {
    "durham-darlington": ("ccg_code", ["00C", "00D", "00J"]),
    "cumbria": ("ccg_code", ["01H"]),
    "west-cheshire": ("ccg_code", ["02F"]),
    "sandwell-west-birmingham": ("ccg_code", ["05L"]),
    "greater-manchester": ("area_team_code", ["Q46"]),
    "durham-tees": ("area_team_code", ["Q45"]),
    "north-2014": ("region_code", ["Y54"]),
    "england-2014": (None, []),
}

SOURCES = """\
## Source data

All inputs come from `practices_2014_15.csv` in the project's shared data set
`england-practices` (file SHA-256 `{sha256}`), which was built from:

- **List sizes, CCG (April 2015 structure) and area team**: HSCIC (now NHS Digital),
  *Quality and Outcomes Framework 2014-15*, practice-level workbook
  (`qof-1415-prac-asthma.xlsx`, organisation and list-size columns only), from
  repository `SimonGunning/LAQNHealth` at commit
  `178cf4d54c5172d4ac11415e6df307a33ebd9757`. Copyright © 2015, Health and Social
  Care Information Centre. Open Government Licence v3.
- **Practice postcodes**: NHS Digital ODS `epraccur` (extract of about June 2018),
  same repository and commit. Open Government Licence v3.
- **Coordinates and local authority districts**: Ordnance Survey *Code-Point Open*
  2014.3.0 (August 2014), repository `open-postcode/codepoint` at commit
  `dd4880a1a6f437477fd6a7a3a6823c944ba6bd2f`. OS OpenData licence (now OGL).
  Contains OS data © Crown copyright and database right 2014; Contains Royal Mail
  data © Royal Mail copyright and database right 2014; Contains National
  Statistics data © Crown copyright and database right 2014.
- **Fallback coordinates** for 40 practices nationally: NHS England allocation tool
  data (`nhsx/AIF_Allocation_Tool`, `data/2024_2025.csv`), OGL v3, or the mean of
  the Code-Point postcodes in the same sector (see the data README, `coord_source`).
"""


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Return great-circle distances in km between degree coordinates."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def load_practices(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Read the practice table as text, fill blank LADs, return it with the fill-in log."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.sort_values("practice_code", kind="stable").reset_index(drop=True)
    lat = df["latitude"].astype(float).to_numpy()
    lon = df["longitude"].astype(float).to_numpy()
    has_lad = (df["lad_code_2014"] != "").to_numpy()
    ccg = df["ccg_code"].to_numpy()
    fills = []
    df["lad_code"] = df["lad_code_2014"]
    anywhere = np.flatnonzero(has_lad)
    for i in np.flatnonzero(~has_lad):
        donors = np.flatnonzero(has_lad & (ccg == ccg[i]))
        if donors.size == 0:
            donors = anywhere
        dist = haversine_km(lat[i], lon[i], lat[donors], lon[donors])
        j = donors[int(np.argmin(dist))]
        k = anywhere[int(np.argmin(haversine_km(lat[i], lon[i], lat[anywhere], lon[anywhere])))]
        df.loc[i, "lad_code"] = df.at[j, "lad_code_2014"]
        fills.append(
            {
                "practice_code": df.at[i, "practice_code"],
                "lad_code": df.at[j, "lad_code_2014"],
                "donor": df.at[j, "practice_code"],
                "distance_km": float(dist.min()),
                "coord_source": df.at[i, "coord_source"],
                "nearest_anywhere_lad": df.at[k, "lad_code_2014"],
            }
        )
    return df, fills


def select(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Return the instance's practices, sorted by practice code, with interest labels."""
    column, values = INSTANCES[name]
    sub = df if column is None else df[df[column].isin(values)]
    sub = sub.copy()
    postcode = sub["postcode"].str.replace(" ", "", regex=False)
    shared = postcode.map(postcode.value_counts()) >= 2
    sub["interests"] = np.where(shared & (postcode != ""), "site:" + postcode, "")
    return sub


def write_csv(path: Path, header: list[str], rows) -> None:
    """Write a CSV with Unix line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def selection_rule(name: str) -> str:
    """Describe in words which practices an instance contains."""
    column, values = INSTANCES[name]
    if column is None:
        return "All practices in the table (every English practice in QOF 2014-15)."
    return f"Practices whose `{column}` is " + " or ".join(f"`{v}`" for v in values) + "."


def disconnected_ccgs(sub: pd.DataFrame, edges: list[tuple[str, str]]) -> list[tuple[str, list[int]]]:
    """Return (ccg_code, component sizes, largest first) for CCGs not connected in the graph."""
    graph = nx.Graph(edges)
    graph.add_nodes_from(sub["practice_code"])
    out = []
    for ccg, group in sub.groupby("ccg_code", sort=True):
        sizes = sorted((len(c) for c in nx.connected_components(graph.subgraph(group["practice_code"]))), reverse=True)
        if len(sizes) > 1:
            out.append((ccg, sizes))
    return out


def source_md(name, sub, adj, max_degree, longest, bad, fills, sha256) -> str:
    """Compose SOURCE.md for one instance."""
    codes = set(sub["practice_code"])
    sites = sub.loc[sub["interests"] != "", "interests"]
    ccg_names = dict(zip(sub["ccg_code"], sub["ccg_name"]))
    lines = [
        f"# Instance `{name}`",
        "",
        "Real public data: English GP practices in the 2014-15 Quality and Outcomes "
        "Framework, with the CCG they belonged to (April 2015 structure).",
        "Built by `instances/build_instances.py` from the data versions below; "
        "rebuilding from the same data gives byte-identical files.",
        "",
        SOURCES.format(sha256=sha256),
        "## Selection",
        "",
        selection_rule(name),
        "",
        "## Counts",
        "",
        f"- practices: {len(sub)}",
        f"- total list size (QOF 2014-15): {sub['qof_list_size_2014_15'].astype(int).sum()}",
        f"- adjacency edges: {len(adj.edges)} (maximum degree {max_degree})",
        f"- CCGs: {sub['ccg_code'].nunique()}",
        f"- local authority districts (`lad_code`): {sub['lad_code'].nunique()}",
        f"- co-located sites (postcodes shared by 2 or more practices): {sites.nunique()}, "
        f"holding {len(sites)} practices",
        "",
        "## Files",
        "",
        "- `practices.csv`: `practice_code`, `practice_name`, `latitude`, `longitude` "
        "(WGS84 degrees, as in the source), `list_size` (QOF 2014-15 registered list, "
        "persons), `lad_code` (ONS local authority district of the practice postcode, "
        "Code-Point 2014; blanks filled as below), `interests`.",
        "- `edges.csv`: undirected practice adjacency, one row per pair, "
        "`practice_a` < `practice_b`.",
        "- `plans/ccg_2015.csv`: the real plan, each practice's CCG (`ccg_code`, "
        "April 2015 structure) as its consortium.",
        "",
        "## Adjacency",
        "",
        "From `planner.adjacency.build_adjacency`, using only this instance's practices: "
        "coordinates projected to an azimuthal equidistant plane (km) about their "
        "centroid; practices at identical coordinates merged into one site; Delaunay "
        "triangulation of the sites; then edges removed when they are hull slivers "
        f"(an outer edge facing an angle over {SLIVER_ANGLE_DEG:g} degrees, which skips "
        "past a site; peeled from the outside inwards), longer than "
        f"`prune_factor` = {DEFAULT_PRUNE_FACTOR:g} times the median length of the "
        "Delaunay edges at both of their endpoints, or longer than `max_edge_km` = "
        f"{DEFAULT_MAX_EDGE_KM:g} km; the components left are rejoined by their "
        "shortest links (removed edges offered back shortest first, kept when they "
        "join two components); practices on one site are linked to each other and "
        "share the site's neighbours.",
        "",
        f"- sites: {adj.n_sites}; Delaunay edges between sites: {adj.n_delaunay_edges}",
        f"- edges removed: hull slivers {adj.n_slivers}, long edges {adj.n_long}; components "
        f"after removal: {adj.n_components_before}; links added back to reconnect: "
        f"{adj.n_reconnecting_links}",
        f"- longest edge: {longest:.1f} km (great-circle)",
    ]
    if bad:
        lines += [
            f"- CCGs whose practices do not form a connected subgraph: {len(bad)} of "
            f"{sub['ccg_code'].nunique()}. A CCG is an area, but its practices can "
            "interleave with a neighbour's near the border, so the real plan is not "
            "always contiguous in this practice graph:",
            "",
        ]
        lines += [
            f"  - `{c}` {ccg_names[c]}: {len(sizes)} components of " + " + ".join(map(str, sizes)) + " practices"
            for c, sizes in bad
        ]
    else:
        lines.append("- every CCG in `plans/ccg_2015.csv` is connected in this graph.")
    lines += ["", "## Local authority fill-ins", ""]
    own = [f for f in fills if f["practice_code"] in codes]
    if own:
        lines.append(
            "`lad_code_2014` is blank for practices whose coordinates came from a "
            "fallback. Each was given the `lad_code_2014` of the nearest practice "
            "(great-circle) in the same CCG that has one. Restricting to the same CCG "
            "matters near a district border, where the nearest practice of any CCG can "
            "lie in the neighbouring district; the last column gives that district "
            "where it differs."
        )
        lines += [
            "",
            "| practice | lad_code | taken from | distance km | coord_source | lad_code of nearest practice of any CCG, if different |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {f['practice_code']} | {f['lad_code']} | {f['donor']} | {f['distance_km']:.2f} | "
            f"{f['coord_source']} | {f['nearest_anywhere_lad'] if f['nearest_anywhere_lad'] != f['lad_code'] else ''} |"
            for f in own
        ]
    else:
        lines.append("None: every practice here has `lad_code_2014` in the source.")
    lines += [
        "",
        "## Interests",
        "",
        "`interests` is this product's proxy, not a published register of interests. "
        "Practices in the instance that share a postcode (a shared health-centre site) "
        "get the label `site:<POSTCODE without spaces>`; other practices have an empty "
        "value. Labels would be separated by `|`; each practice here has at most one. "
        "Postcodes are from the ODS 2018 extract.",
        "",
    ]
    return "\n".join(lines)


def build(name: str, df: pd.DataFrame, fills: list[dict], sha256: str, out_root: Path) -> dict:
    """Write one instance folder and return its summary statistics."""
    sub = select(df, name)
    codes = sub["practice_code"].tolist()
    adj = adjacency_details(
        codes, sub["latitude"].astype(float).to_numpy(), sub["longitude"].astype(float).to_numpy()
    )
    degree = pd.Series([c for e in adj.edges for c in e]).value_counts()
    max_degree = int(degree.max()) if len(degree) else 0
    bad = disconnected_ccgs(sub, adj.edges)
    pos = sub.set_index("practice_code")[["latitude", "longitude"]].astype(float)
    ends_a, ends_b = pos.loc[[e[0] for e in adj.edges]].to_numpy(), pos.loc[[e[1] for e in adj.edges]].to_numpy()
    longest = float(haversine_km(ends_a[:, 0], ends_a[:, 1], ends_b[:, 0], ends_b[:, 1]).max()) if adj.edges else 0.0

    folder = out_root / name
    write_csv(
        folder / "practices.csv",
        ["practice_code", "practice_name", "latitude", "longitude", "list_size", "lad_code", "interests"],
        sub[["practice_code", "practice_name", "latitude", "longitude", "qof_list_size_2014_15", "lad_code", "interests"]]
        .assign(qof_list_size_2014_15=lambda s: s["qof_list_size_2014_15"].astype(int))
        .itertuples(index=False),
    )
    write_csv(folder / "edges.csv", ["practice_a", "practice_b"], adj.edges)
    write_csv(folder / "plans" / "ccg_2015.csv", ["practice_code", "consortium"], sub[["practice_code", "ccg_code"]].itertuples(index=False))
    (folder / "SOURCE.md").write_text(source_md(name, sub, adj, max_degree, longest, bad, fills, sha256), encoding="utf-8")
    return {
        "practices": len(sub),
        "edges": len(adj.edges),
        "components_before": adj.n_components_before,
        "max_degree": max_degree,
        "ccgs": sub["ccg_code"].nunique(),
        "disconnected": bad,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and build the requested instances."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="england-practices data folder")
    parser.add_argument("--only", choices=sorted(INSTANCES), help="build just this instance")
    args = parser.parse_args(argv)

    path = args.data / DATA_FILE
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    df, fills = load_practices(path)
    names = [args.only] if args.only else list(INSTANCES)
    for name in names:
        s = build(name, df, fills, sha256, REPO_ROOT / "instances")
        bad = ", ".join(f"{c}{sizes}" for c, sizes in s["disconnected"]) or "none"
        print(
            f"{name}: {s['practices']} practices, {s['edges']} edges, "
            f"{s['components_before']} components before reconnection, max degree {s['max_degree']}, "
            f"disconnected CCGs {len(s['disconnected'])}/{s['ccgs']}: {bad}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
