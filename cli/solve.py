"""`consortia solve`: draw optimal consortium boundaries for an instance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import live_status, out, reports_errors
from cli.options import (Consortia, Contiguity, Coterminosity, InstanceArg, JsonOutput, LaSplitWeight,
                         MaxConsortia, MaxInterestShare, MaxPopulation, MinConsortia, MinPopulation, Scenario,
                         chosen_rules)
from cli.render import consortia_table, headline
from planner.errors import SolveError
from planner.instance import load_instance
from planner.options import SolveOptions
from planner.plan import load_plan
from planner.reports import solve_summary, write_outputs
from planner.solve import solve_instance


@reports_errors
def solve(
    instance: InstanceArg,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder \\[default: out/<instance>].")] = None,
    scenario: Scenario = None,
    consortia: Consortia = None, min_consortia: MinConsortia = None, max_consortia: MaxConsortia = None,
    min_population: MinPopulation = None, max_population: MaxPopulation = None,
    max_interest_share: MaxInterestShare = None, contiguity: Contiguity = None,
    coterminosity: Coterminosity = None, la_split_weight: LaSplitWeight = None,
    time_limit: Annotated[float, typer.Option(help="Wall-clock limit in seconds for the whole solve.")] = 600.0,
    gap: Annotated[float, typer.Option(help="Relative optimality gap at which to stop (1e-4 = 0.01%).")] = 1e-4,
    threads: Annotated[Optional[int], typer.Option(help="HiGHS threads; 2 or more lets the large-instance "
                                                        "search use a second process once the bound has "
                                                        "finished (each process then runs HiGHS on one "
                                                        "thread) \\[default: HiGHS chooses].")] = None,
    seed: Annotated[int, typer.Option(help="HiGHS random seed; fixed seed and limits give the same plan.")] = 0,
    start: Annotated[Optional[str], typer.Option(help="Warm start: a plan CSV or a plan name of the instance.")] = None,
    contiguity_method: Annotated[str, typer.Option(help="cuts (separator inequalities) or flow (compact).")] = "cuts",
    method: Annotated[str, typer.Option(help="exact (one model), lns (first plan, neighbourhood search, "
                                              "Lagrangian bound) or auto (exact up to 150 practices).")] = "auto",
    workers: Annotated[int, typer.Option(help="Parallel neighbourhood solves on a local Dask cluster (lns).")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of an existing Dask scheduler (lns).")] = None,
    log: Annotated[bool, typer.Option("--log", help="Stream the HiGHS log to stderr.")] = False,
    as_json: JsonOutput = False,
):
    """Find the most local configuration that satisfies every rule, verify it and write it out.

    Writes OUT/assignment.csv, OUT/consortia.csv and OUT/summary.json (status, objective, bound, gap,
    seconds, rules, metrics). Rules default to the instance's instance.toml; options override them.

    Example: consortia solve instances/durham-darlington --out out/dd --time-limit 120
    """
    loaded = load_instance(instance)
    rules = chosen_rules(loaded, scenario, consortia=consortia, min_consortia=min_consortia,
                                 max_consortia=max_consortia, min_population=min_population,
                                 max_population=max_population, max_interest_share=max_interest_share,
                                 contiguity=contiguity, coterminosity=coterminosity, la_split_weight=la_split_weight)
    options = SolveOptions(time_limit=time_limit, gap=gap, threads=threads, seed=seed, log=log,
                           contiguity_method=contiguity_method, method=method, workers=workers, scheduler=scheduler)
    start_plan = load_plan(loaded, start) if start else None
    with live_status(f"solving {loaded.name}") as status:
        def progress(step):
            incumbent, bound = step["incumbent"], step["bound"]
            gap_text = "" if incumbent is None or bound is None else \
                f", gap {max(0.0, incumbent - bound) / incumbent:.3%}"
            stage = step.get("stage") or f"round {step['round']}"
            status.update(f"solving {loaded.name}: {stage}, incumbent "
                          f"{'none' if incumbent is None else f'{incumbent:.4f}'}, bound "
                          f"{'none' if bound is None else f'{bound:.4f}'}{gap_text}, {step['seconds']:.0f}s")

        result = solve_instance(loaded, rules, options, start=start_plan, progress=progress)
    if result.plan is None:
        raise SolveError(f"no verified plan found within {time_limit:g} s (status {result.status}); "
                         f"raise --time-limit or give --start")
    summary = solve_summary(loaded, result)
    target = out_dir or Path("out") / loaded.name
    write_outputs(target, loaded, result.plan, result.metrics, summary)
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(consortia_table(loaded, result.metrics, f"{loaded.name}: {result.status}"))
    out.print(headline(result.metrics))
    gap_text = "n/a" if result.gap is None else f"{result.gap:.4%}"
    bound_text = "none" if result.bound is None else f"{result.bound:.6f}"
    out.print(f"status {result.status}; objective {result.objective:.6f}; bound {bound_text}; gap {gap_text}; "
              f"{result.seconds:.1f} s; verified {result.verdict.passed}; written to {target}")
