"""Rich tables and one-line summaries of bench results: one table per suite, peers as ratios to our value."""

from __future__ import annotations

from rich.table import Table

from benchmarks.peers import PEERS

SHORT = {"optimal": "optimal", "time_limit": "time limit", "no_plan": "no plan", "infeasible": "infeasible",
         "too_large": "too large", "error": "error", "overran": "overran"}


def _number(value, digits: int = 2) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def peer_cell(peer: dict | None, ours: float | None) -> str:
    """A peer's answer as a ratio to our value, or why there is none."""
    if not peer or peer.get("status") == "skipped":
        return "-"
    status = peer["status"]
    if status == "timeout":
        return status
    if status == "error":
        return "no seed plan" if "possible cut" in peer.get("detail", "") else "error"
    value = peer.get("value")
    if value is None:
        text = "n/a"
    else:
        text = f"{value / ours:.3f}" if ours else f"{value:,.2f} (we: none)"
    return text if status == "feasible" else f"infeas. ({', '.join(peer.get('failures', [])[:2])})"


def row_cells(r: dict, peer_names: list[str]) -> list[str]:
    """The cells of one result row, note excluded."""
    reference = "infeasible" if r.get("reference_kind") == "infeasible" else _number(r.get("reference"))
    if r.get("reference_kind") == "best-known":
        reference += " (bk)"
    cells = [r["instance"], str(r.get("n", "")), SHORT.get(r["status"], r["status"]), _number(r.get("value")),
             _number(r.get("bound")), "" if r.get("gap") is None else f"{r['gap']:.2%}", f"{r['seconds']:.1f}",
             {True: "yes", False: "NO", None: ""}[r.get("verified")], reference,
             "" if r.get("ratio") is None else f"{r['ratio']:.4f}"]
    return cells + [peer_cell(r.get("peers", {}).get(name), r.get("value")) for name in peer_names]


def suite_table(title: str, rows: list[dict]) -> Table:
    """The results table of one suite."""
    with_peers = any("peers" in r for r in rows)
    table = Table(title=title, title_justify="left")
    for column in ("instance", "n", "status", "objective", "bound", "gap", "s", "verified", "reference",
                   "ratio"):
        table.add_column(column, justify="left" if column in ("instance", "status") else "right")
    peer_names = list(PEERS) if with_peers else []
    for name in peer_names:
        table.add_column(name.replace("spopt-", "").replace("gerrychain-", ""), justify="right")
    table.add_column("note")
    for r in rows:
        cells = row_cells(r, peer_names)
        table.add_row(*cells, r.get("note", ""))
    return table


def suite_summary(rows: list[dict]) -> str:
    """How many were proven optimal, matched the record, proven infeasible; the total time."""
    optimal = sum(r["status"] == "optimal" for r in rows)
    infeasible = sum(r["status"] == "infeasible" for r in rows)
    with_reference = [r for r in rows if r.get("match") is not None]
    matched = sum(bool(r["match"]) for r in with_reference)
    seconds = sum(r["seconds"] for r in rows)
    return (f"{len(rows)} instances: {optimal} proven optimal, {infeasible} proven infeasible, "
            f"{matched}/{len(with_reference)} reproduce the published record; engine time {seconds:,.1f} s")


def markdown_table(rows: list[dict]) -> str:
    """The same table as GitHub markdown, for docs/benchmarks.md."""
    peer_names = [name for name in PEERS if any(name in r.get("peers", {}) for r in rows)]
    head = ["instance", "n", "status", "objective", "bound", "gap", "s", "verified", "reference", "ratio"]
    head += [name for name in peer_names] + ["note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = row_cells(r, peer_names)
        lines.append("| " + " | ".join(cells + [r.get("note", "")]) + " |")
    return "\n".join(lines)
