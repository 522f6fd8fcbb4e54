"""`consortia delegate`: how much of which budget line can go to which consortium, and what stops more."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cli.common import out, reports_errors
from planner.delegation import check_out_dir, consortium_summary, gbp, run_delegation, write_delegation


@reports_errors
def delegate(
    instance: Path = typer.Argument(..., help="Instance folder (instance.toml with \\[delegation], budget.csv)."),
    plan: str = typer.Option(..., "--plan", help="Plan CSV (practice_code,consortium) or a plan name in plans/."),
    budget: Path = typer.Option(None, "--budget", help="Budget CSV to use instead of the instance's budget.csv."),
    target_share: float = typer.Option(None, "--target-share", help="Delegation target, share of the delegable budget."),
    reserve: float = typer.Option(None, "--reserve", help="The cluster's risk reserve in pounds."),
    out_dir: Path = typer.Option(None, "--out", help="Output folder \\[default: out/delegation/<instance>]."),
):
    """Delegate budget lines to consortia within readiness, risk, fairness, pace and savings rules.

    Writes delegation.csv (per consortium and line) and summary.json (totals, binding rules with shadow
    prices), and prints the binding rules in words. An infeasible policy names the rules that conflict.

    Example: consortia delegate instances/west-cheshire --plan ccg_2015
    """
    target = out_dir or Path("out") / "delegation" / Path(instance).name
    check_out_dir(target)
    result = run_delegation(instance, plan, budget_path=budget, target_share=target_share, reserve_gbp=reserve)
    write_delegation(result, target)
    table = Table(title=f"{result.instance}: delegation under plan {result.plan}")
    for column in ("consortium", "tier", "patients", "fair share", "delegated", "share", "reserve needed"):
        table.add_column(column, justify="left" if column in ("consortium", "tier") else "right")
    for row in consortium_summary(result):
        table.add_row(row["consortium"], row["tier"], f"{row['population']:,}", gbp(row["fair_share_delegable_gbp"]),
                      gbp(row["delegated_gbp"]), f"{row['share_of_fair_share']:.1%}", gbp(row["reserve_required_gbp"]))
    out.print(table)
    data, total = result.data, result.delegated_total
    out.print(f"delegated {gbp(total)} of {gbp(data.delegable_total)} delegable "
              f"({total / max(data.delegable_total, 1):.1%}; {total / max(data.amount.sum(), 1):.1%} "
              f"of the {gbp(data.amount.sum())} budget)", highlight=False)
    for entry in result.explanations:
        out.print(f"- {entry['text']}", highlight=False)
    if not result.explanations:
        out.print("- no rule is binding", highlight=False)
    out.print(f"wrote {target / 'delegation.csv'} and {target / 'summary.json'}", highlight=False)
