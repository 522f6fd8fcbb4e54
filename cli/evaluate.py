"""`consortia evaluate`: score any configuration against the rules and metrics of an instance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import out, reports_errors
from cli.options import (Consortia, Contiguity, Coterminosity, InstanceArg, JsonOutput, LaSplitWeight,
                         MaxConsortia, MaxInterestShare, MaxPopulation, MinConsortia, MinPopulation, Scenario,
                         chosen_rules)
from cli.render import consortia_table, headline, verdict_lines
from planner.instance import load_instance
from planner.metrics import plan_metrics
from planner.plan import load_plan
from planner.reports import evaluation_summary, write_outputs
from planner.verify import verify_plan


@reports_errors
def evaluate(
    instance: InstanceArg,
    plan: Annotated[str, typer.Option("--plan", help="A plan CSV (practice_code,consortium) or a plan name.")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Also write the metrics files here.")] = None,
    scenario: Scenario = None,
    consortia: Consortia = None, min_consortia: MinConsortia = None, max_consortia: MaxConsortia = None,
    min_population: MinPopulation = None, max_population: MaxPopulation = None,
    max_interest_share: MaxInterestShare = None, contiguity: Contiguity = None,
    coterminosity: Coterminosity = None, la_split_weight: LaSplitWeight = None,
    as_json: JsonOutput = False,
):
    """Compute a plan's metrics and a rule-by-rule verdict; exits 1 when any rule fails.

    Hubs are each consortium's member with the least patient-weighted distance to the others, as the
    solver would choose them, so evaluated and solved plans are scored alike.

    Example: consortia evaluate instances/durham-darlington --plan ccg_2015
    """
    loaded = load_instance(instance)
    rules = chosen_rules(loaded, scenario, consortia=consortia, min_consortia=min_consortia,
                                 max_consortia=max_consortia, min_population=min_population,
                                 max_population=max_population, max_interest_share=max_interest_share,
                                 contiguity=contiguity, coterminosity=coterminosity, la_split_weight=la_split_weight)
    chosen = load_plan(loaded, plan)
    metrics = plan_metrics(loaded, chosen, rules)
    verdict = verify_plan(loaded, chosen, rules)
    summary = evaluation_summary(loaded, chosen, metrics, verdict, rules)
    if out_dir:
        write_outputs(out_dir, loaded, chosen, metrics, summary)
    if as_json:
        out.print_json(json.dumps(summary))
    else:
        out.print(consortia_table(loaded, metrics, f"{loaded.name}: plan {chosen.name}"))
        out.print(headline(metrics))
        for line in verdict_lines(verdict):
            out.print(line, highlight=False, markup=False)
        out.print("verdict: " + ("every rule holds" if verdict.passed else
                                 f"{len(verdict.failures())} rule(s) fail"))
    if not verdict.passed:
        raise typer.Exit(1)
