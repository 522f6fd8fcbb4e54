"""`consortia bench`: solve benchmark suites, compare with the published record and peer tools, save JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import Progress

from cli.common import err, fail, is_interactive, out, reports_errors
from benchmarks.compare import Tolerances, load_document, regressions
from benchmarks.peers import missing_packages
from benchmarks.runner import BenchSettings, results_document, run_cases, save_results
from benchmarks.suites import default_limit, suite_cases, suite_names
from planner.options import METHODS
from benchmarks.tables import suite_summary, suite_table


@reports_errors
def bench(
    suites: Annotated[list[str], typer.Argument(help="Suites to run: a family name, nhs, county, sjc, p3038, "
                                                     "tract, quick, ..., or family:instance")],
    time_limit: Annotated[Optional[float], typer.Option(help="Seconds per instance, for us and each peer "
                                                             "\\[default: the suite's, else 60].")] = None,
    jobs: Annotated[int, typer.Option(help="Instances solved at once, each in its own process.")] = 1,
    peers: Annotated[bool, typer.Option("--peers", help="Also run spopt and GerryChain (pip install -e '.\\[peers]').")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Write the results JSON here.")] = None,
    compare: Annotated[Optional[Path], typer.Option(help="Earlier results JSON: exit 1 on regressions.")] = None,
    time_ratio: Annotated[float, typer.Option(help="With --compare: a solve may take this multiple of its "
                                                   "earlier seconds (plus 5 s) before it counts as slower.")] = 1.5,
    method: Annotated[str, typer.Option(help="Engine method: exact (the monolithic model; a case too large "
                                             "for it goes to the large-instance method), lns or auto.")] = "exact",
):
    """Solve benchmark suites through the engine and report each result against the published record.

    Exits 1 when --compare finds a regression (worse status or objective, or slower beyond tolerance).

    Example: consortia bench quick --time-limit 30 --jobs 2 --out benchmarks/results/quick.json
    """
    unknown = [s for s in suites if s not in suite_names() and ":" not in s]
    if unknown:
        fail(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(suite_names())}")
    missing = missing_packages() if peers else []
    if missing:
        err.print(f"peers skipped: {', '.join(missing)} not installed (pip install -e '.\\[peers]')", highlight=False)
    if method not in METHODS:
        fail(f"--method must be one of {', '.join(METHODS)}; got {method!r}")
    settings = BenchSettings(time_limit=time_limit or default_limit(suites), jobs=jobs, peers=peers, method=method)
    plan = [(suite, case) for suite in suites for case in suite_cases(suite)]
    with Progress(console=err, disable=not is_interactive()) as progress:
        task = progress.add_task("bench", total=len(plan))
        rows = run_cases([case for _, case in plan], settings,
                         progress=lambda row: progress.update(task, advance=1, description=row["instance"]))
    for suite in suites:
        mine = [row for (name, _), row in zip(plan, rows) if name == suite]
        out.print(suite_table(f"{suite} ({settings.time_limit:g} s per instance)", mine))
        out.print(suite_summary(mine))
    document = results_document(suites, settings, rows)
    if out_file:
        save_results(document, out_file)
        out.print(f"results written to {out_file}")
    if compare:
        found = regressions(load_document(compare), document, Tolerances(time_ratio=time_ratio))
        for regression in found:
            err.print(f"[bold red]regression:[/] {regression}", highlight=False)
        if found:
            raise typer.Exit(1)
        out.print(f"no regressions against {compare}")
